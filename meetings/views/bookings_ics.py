"""
iCalendar (RFC 5545) output for bookings: one booking, a room's feed or a person's feed. Small
enough to write by hand: text escaping, CRLF line ends and lines folded at 75 octets.
"""

from collections.abc import Iterable
from datetime import UTC, datetime

from django.utils import timezone

from meetings.models import Booking

PRODID = "-//Online briefing portal//Bookings//VI"


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets, never inside a UTF-8 character."""
    out, chunk, size = [], "", 0
    for char in line:
        width = len(char.encode())
        if size + width > 75:
            out.append(chunk)
            chunk, size = " ", 1
        chunk += char
        size += width
    out.append(chunk)
    return "\r\n".join(out)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event(booking: Booking, host: str, stamp: str) -> list[str]:
    status = "CONFIRMED" if booking.status == Booking.Status.CONFIRMED else "TENTATIVE"
    if booking.status not in Booking.ACTIVE_STATUSES:
        status = "CANCELLED"
    location = f"{booking.room.name}, {booking.room.site.name}"
    return [
        "BEGIN:VEVENT",
        f"UID:booking-{booking.pk}@{host}",
        f"DTSTAMP:{stamp}",
        f"LAST-MODIFIED:{_utc(booking.updated_at)}",
        f"DTSTART:{_utc(booking.starts_at)}",
        f"DTEND:{_utc(booking.ends_at)}",
        f"SUMMARY:{_escape(booking.title)}",
        f"LOCATION:{_escape(location)}",
        f"STATUS:{status}",
        *([f"DESCRIPTION:{_escape(booking.notes)}"] if booking.notes else []),
        "END:VEVENT",
    ]


def bookings_ics(bookings: Iterable[Booking], *, name: str, host: str) -> str:
    """A VCALENDAR with one VEVENT per booking (each needs `room` and `room.site` loaded)."""
    stamp = _utc(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
        "X-WR-TIMEZONE:Asia/Ho_Chi_Minh",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
    ]
    for booking in bookings:
        lines.extend(_event(booking, host, stamp))
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
