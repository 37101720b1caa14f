"""
Writes for room bookings: book, reschedule, approve, reject, cancel; recurring bookings with the
dates they skip; calendar feed keys.

No double booking. Two active bookings of a room never overlap (half-open ranges: one may start
when the other ends). On PostgreSQL the exclusion constraint `meetings_booking_no_overlap` is the
guarantee; the overlap query here only produces a friendly error early. On SQLite every write
transaction begins IMMEDIATE (settings), so the query and the insert run under the database's single
write lock and no other booking can slip in between them.
"""

from __future__ import annotations

import bisect
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from typing import TYPE_CHECKING

from dateutil.rrule import rrule as RRule
from dateutil.rrule import rrulestr
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
from simple_history.utils import bulk_create_with_history, update_change_reason

from common.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from meetings.models import Booking, BookingSeries, CalendarFeedToken, RoomBookingPolicy, SkippedDate
from meetings.selectors.bookings import booking_overlaps, public_holidays, user_can_decide
from notifications.choices import NotificationKind
from notifications.services import Text, notification_mark_done, notify

if TYPE_CHECKING:
    from accounts.models import User
    from sites.models import Room

# The exclusion constraint added by migration 0002 on PostgreSQL.
NO_OVERLAP_CONSTRAINT = "meetings_booking_no_overlap"

ALLOWED_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
# The time of day comes from the series' start time, never from the rule.
FORBIDDEN_RULE_PARTS = {"BYHOUR", "BYMINUTE", "BYSECOND", "DTSTART"}
# Guards the expansion of odd rules that match (almost) nothing.
SERIES_HORIZON = timedelta(days=366 * 10)


def local_text(moment: datetime) -> str:
    """dd/mm/yyyy HH:MM in the district's time zone, for messages."""
    return timezone.localtime(moment, timezone.get_default_timezone()).strftime("%d/%m/%Y %H:%M")


def conflict_error(existing: Booking) -> ConflictError:
    """The error for a slot that `existing` already holds; it names that booking."""
    return ConflictError(
        _("The room is already booked from %(start)s to %(end)s: “%(title)s” (booked by %(user)s, %(status)s).")
        % {
            "start": local_text(existing.starts_at),
            "end": local_text(existing.ends_at),
            "title": existing.title,
            "user": existing.booked_by.get_full_name() or existing.booked_by.username,
            "status": existing.get_status_display(),
        },
        extra={
            "conflicting_booking": {
                "id": existing.pk,
                "title": existing.title,
                "room": existing.room_id,
                "starts_at": existing.starts_at.isoformat(),
                "ends_at": existing.ends_at.isoformat(),
                "status": existing.status,
            }
        },
    )


def _ensure_free(*, room_id: int, starts_at: datetime, ends_at: datetime, exclude_pk: int | None = None) -> None:
    existing = booking_overlaps(room_id=room_id, starts_at=starts_at, ends_at=ends_at, exclude_pk=exclude_pk).first()
    if existing is not None:
        raise conflict_error(existing)


def _is_overlap_violation(exc: IntegrityError) -> bool:
    return NO_OVERLAP_CONSTRAINT in str(exc)


def _save_guarded(booking: Booking) -> None:
    """Save, turning a hit on the exclusion constraint into a ConflictError naming the winner.

    A concurrent request may commit an overlapping booking after our check: PostgreSQL then makes
    this insert wait for it and fail. The savepoint keeps the transaction usable for the lookup.
    """
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as exc:
        if not _is_overlap_violation(exc):
            raise
        _ensure_free(
            room_id=booking.room_id, starts_at=booking.starts_at, ends_at=booking.ends_at, exclude_pk=booking.pk
        )
        raise ConflictError(_("The room was booked by someone else at the same moment; please try again.")) from exc


#
# Policy
#


def policy_for(room: Room) -> RoomBookingPolicy | None:
    return RoomBookingPolicy.objects.filter(room=room).first()


def _free_slot_policy(*, room: Room, starts_at: datetime, ends_at: datetime) -> RoomBookingPolicy | None:
    """
    The room's policy, once the slot is known to be free (ConflictError naming the booking in the
    way otherwise): one query for both on the way to a new booking, not two (issue 18).
    """
    from sites.models import Room

    clash = booking_overlaps(room_id=room.pk, starts_at=starts_at, ends_at=ends_at).values("pk")[:1]
    row = Room.objects.select_related("booking_policy").annotate(clash_id=Subquery(clash)).get(pk=room.pk)
    if row.clash_id is not None:
        _ensure_free(room_id=room.pk, starts_at=starts_at, ends_at=ends_at)  # reads the booking for the message
    try:
        return row.booking_policy
    except RoomBookingPolicy.DoesNotExist:
        return None


def policy_violations(
    *, policy: RoomBookingPolicy | None, starts_at: datetime, ends_at: datetime, now: datetime | None = None
) -> list[str]:
    """The room rules a booking breaks, as sentences for people; empty when it keeps to all."""
    if policy is None:
        return []
    tz = timezone.get_default_timezone()
    start, end = timezone.localtime(starts_at, tz), timezone.localtime(ends_at, tz)
    today = timezone.localtime(now or timezone.now(), tz).date()
    reasons = []
    minutes = (ends_at - starts_at).total_seconds() / 60
    if policy.max_duration_minutes and minutes > policy.max_duration_minutes:
        reasons.append(
            _("Longer than %(max)d minutes, the longest booking of this room.") % {"max": policy.max_duration_minutes}
        )
    if policy.max_days_ahead is not None and start.date() > today + timedelta(days=policy.max_days_ahead):
        reasons.append(
            _("More than %(days)d days ahead, the booking horizon of this room.") % {"days": policy.max_days_ahead}
        )
    if policy.opens_at is not None and policy.closes_at is not None:
        same_day = start.date() == end.date()
        if not same_day or start.time() < policy.opens_at or end.time() > policy.closes_at:
            reasons.append(
                _("Outside the opening hours of this room (%(opens)s–%(closes)s).")
                % {"opens": policy.opens_at.strftime("%H:%M"), "closes": policy.closes_at.strftime("%H:%M")}
            )
    if not policy.open_on_weekends and (start.weekday() >= 5 or end.weekday() >= 5):
        reasons.append(_("On a weekend, when this room is closed."))
    return reasons


def _status_for(policy: RoomBookingPolicy | None, starts_at: datetime, ends_at: datetime) -> str:
    violations = policy_violations(policy=policy, starts_at=starts_at, ends_at=ends_at)
    return Booking.Status.TENTATIVE if violations else Booking.Status.CONFIRMED


def _series_url(series_id: int) -> str:
    return reverse("meetings:bookingseries_detail", args=[series_id])


def _approval_settled(booking: Booking) -> None:
    """A tentative booking was decided or cancelled: its approvers' request is answered (and the
    series' one once no date of it waits any more)."""
    notification_mark_done(kind=NotificationKind.BOOKING_TO_APPROVE, url=booking.get_absolute_url())
    if (
        booking.series_id
        and not Booking.objects.filter(series_id=booking.series_id, status=Booking.Status.TENTATIVE).exists()
    ):
        notification_mark_done(kind=NotificationKind.BOOKING_TO_APPROVE, url=_series_url(booking.series_id))


def _notify_approvers(bookings: list[Booking], *, booked_by: User) -> None:
    """
    Ask the room's approvers to decide on tentative bookings: one notification for a booking or for
    the whole series (in the app now, by email after commit, as each approver chose).
    """
    if not bookings:
        return
    first = bookings[0]
    policy = RoomBookingPolicy.objects.filter(room_id=first.room_id).first()
    approvers = policy.approvers.exclude(pk=booked_by.pk) if policy else []
    lines = "\n".join(f"- {b.title}: {local_text(b.starts_at)}–{local_text(b.ends_at)}" for b in bookings[:20])
    more = len(bookings) - 20
    notify(
        recipients=approvers,
        kind=NotificationKind.BOOKING_TO_APPROVE,
        # Written in each approver's language (notify renders them under their language).
        title=Text(
            ngettext_lazy(
                "%(n)d booking of %(room)s waits for your approval",
                "%(n)d bookings of %(room)s wait for your approval",
                "n",
            ),
            n=len(bookings),
            room=first.room.name,
        ),
        body=Text(gettext_lazy("%(lines)s\n… and %(n)d more"), lines=lines, n=more) if more > 0 else lines,
        # A recurring booking's dates are decided on its page (all at once, or one by one from there).
        url=_series_url(first.series_id) if first.series_id else first.get_absolute_url(),
    )


#
# One booking
#


def _validate_times(starts_at: datetime, ends_at: datetime, *, allow_past: bool = False) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ApplicationError(_("Times must carry a time zone."))
    if ends_at <= starts_at:
        raise ApplicationError(_("A booking must end after it starts."), extra={"fields": ["ends_at"]})
    if not allow_past and starts_at < timezone.now():
        raise ApplicationError(_("A booking cannot start in the past."), extra={"fields": ["starts_at"]})


def _ensure_bookable(room: Room) -> None:
    if not room.is_bookable:
        raise ApplicationError(_("%(room)s is not open for booking.") % {"room": room.name})


def booking_create(
    *,
    room: Room,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    booked_by: User,
    notes: str = "",
    series: BookingSeries | None = None,
    allow_past: bool = False,
) -> Booking:
    """
    Book a room: confirmed at once when it keeps to the room's policy, tentative otherwise.
    `allow_past` records a booking after the fact (a meeting entered once it was held).

    Called outside a transaction (a booking form, the API), the booking is made in its own
    transaction without a savepoint around the insert: when a concurrent booking wins the slot,
    PostgreSQL's exclusion constraint fails the insert, the transaction is rolled back and the winner
    is read after it. Two statements fewer on every booking (issue 18: p95 on 20,000 bookings).
    Inside a caller's transaction (a series, a meeting) a savepoint keeps that transaction usable.
    """
    kwargs = {
        "room": room,
        "title": title,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "booked_by": booked_by,
        "notes": notes,
        "series": series,
        "allow_past": allow_past,
    }
    if transaction.get_connection().in_atomic_block:
        return _booking_create(guarded=True, **kwargs)
    try:
        return _booking_create(guarded=False, **kwargs)
    except IntegrityError as exc:
        if not _is_overlap_violation(exc):
            raise
        _ensure_free(room_id=room.pk, starts_at=starts_at, ends_at=ends_at)
        raise ConflictError(_("The room was booked by someone else at the same moment; please try again.")) from exc


@transaction.atomic
def _booking_create(
    *,
    room: Room,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    booked_by: User,
    notes: str,
    series: BookingSeries | None,
    allow_past: bool,
    guarded: bool,
) -> Booking:
    _validate_times(starts_at, ends_at, allow_past=allow_past)
    _ensure_bookable(room)
    policy = _free_slot_policy(room=room, starts_at=starts_at, ends_at=ends_at)
    booking = Booking(
        room=room,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        booked_by=booked_by,
        notes=notes,
        series=series,
        status=_status_for(policy, starts_at, ends_at),
    )
    booking._history_user = booked_by  # outside a request (API threads, tasks) too
    if guarded:
        _save_guarded(booking)
    else:
        booking.save()
    if booking.status == Booking.Status.TENTATIVE:
        _notify_approvers([booking], booked_by=booked_by)
    return booking


ACTIVE = set(Booking.ACTIVE_STATUSES)


@transaction.atomic
def booking_update(
    *,
    booking: Booking,
    user: User,
    room: Room | None = None,
    title: str | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    notes: str | None = None,
) -> Booking:
    """Change a booking. Moving it (room or times) checks the slot and the policy again."""
    booking = Booking.objects.select_for_update().select_related("room").get(pk=booking.pk)
    if booking.status not in ACTIVE:
        raise ApplicationError(_("Only tentative or confirmed bookings can be changed."))
    moved = (
        (room is not None and room.pk != booking.room_id)
        or (starts_at is not None and starts_at != booking.starts_at)
        or (ends_at is not None and ends_at != booking.ends_at)
    )
    if room is not None:
        booking.room = room
    for name, value in (("title", title), ("starts_at", starts_at), ("ends_at", ends_at), ("notes", notes)):
        if value is not None:
            setattr(booking, name, value)
    if moved:
        _validate_times(booking.starts_at, booking.ends_at)
        _ensure_bookable(booking.room)
        _ensure_free(
            room_id=booking.room_id, starts_at=booking.starts_at, ends_at=booking.ends_at, exclude_pk=booking.pk
        )
        booking.status = _status_for(policy_for(booking.room), booking.starts_at, booking.ends_at)
    booking._history_user = user
    _save_guarded(booking)
    if moved and booking.status == Booking.Status.TENTATIVE:
        _notify_approvers([booking], booked_by=user)
    return booking


def _decide(*, booking: Booking, user: User, status: str, note: str) -> Booking:
    booking = Booking.objects.select_for_update().select_related("room").get(pk=booking.pk)
    if not user_can_decide(user=user, room=booking.room):
        raise PermissionDeniedError(
            _("Only the approvers of %(room)s decide on its bookings.") % {"room": booking.room.name}
        )
    if booking.status != Booking.Status.TENTATIVE:
        raise ApplicationError(
            _("Only tentative bookings wait for a decision; this one is %(status)s.")
            % {"status": booking.get_status_display()}
        )
    booking.status = status
    booking._history_user = user
    booking.save(update_fields=["status", "updated_at"])
    if note:
        update_change_reason(booking, note[:100])
    _approval_settled(booking)
    return booking


@transaction.atomic
def booking_approve(*, booking: Booking, user: User, note: str = "") -> Booking:
    """The room's approver confirms a tentative booking."""
    return _decide(booking=booking, user=user, status=Booking.Status.CONFIRMED, note=note)


@transaction.atomic
def booking_reject(*, booking: Booking, user: User, note: str = "") -> Booking:
    """The room's approver turns down a tentative booking; the slot is free again."""
    return _decide(booking=booking, user=user, status=Booking.Status.REJECTED, note=note)


def user_can_cancel(*, user: User, booking: Booking) -> bool:
    return booking.booked_by_id == user.pk or user.has_perm("meetings.change_booking")


@transaction.atomic
def booking_cancel(*, booking: Booking, user: User, note: str = "") -> Booking:
    """Cancel a booking that has not ended; the slot is free again and the record stays."""
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status not in ACTIVE:
        raise ApplicationError(_("This booking is already %(status)s.") % {"status": booking.get_status_display()})
    if booking.ends_at <= timezone.now():
        raise ApplicationError(_("A booking that has ended cannot be cancelled."))
    if not user_can_cancel(user=user, booking=booking):
        raise PermissionDeniedError(_("Only the person who booked, or office staff, can cancel a booking."))
    was_tentative = booking.status == Booking.Status.TENTATIVE
    booking.status = Booking.Status.CANCELLED
    booking._history_user = user
    booking.save(update_fields=["status", "updated_at"])
    if note:
        update_change_reason(booking, note[:100])
    if was_tentative:
        _approval_settled(booking)
    return booking


#
# Recurring bookings
#


@dataclass(frozen=True, slots=True)
class Occurrence:
    day: date
    starts_at: datetime
    ends_at: datetime


def _parse_rule(text: str, dtstart: datetime) -> RRule:
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    parts = {}
    for part in body.split(";"):
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise ApplicationError(_("The recurrence rule is not valid."), extra={"fields": ["rrule"]})
        parts[name.strip().upper()] = value.strip()
    if parts.get("FREQ", "").upper() not in ALLOWED_FREQUENCIES:
        raise ApplicationError(
            _("The recurrence must repeat daily, weekly, monthly or yearly."), extra={"fields": ["rrule"]}
        )
    if FORBIDDEN_RULE_PARTS & parts.keys():
        raise ApplicationError(
            _("The time of day comes from the start and end time, not from the rule."), extra={"fields": ["rrule"]}
        )
    try:
        rule = rrulestr(body, dtstart=dtstart)
    except (ValueError, TypeError) as exc:
        raise ApplicationError(
            _("The recurrence rule is not valid: %(error)s") % {"error": exc}, extra={"fields": ["rrule"]}
        ) from exc
    if not isinstance(rule, RRule):
        raise ApplicationError(_("Give one recurrence rule."), extra={"fields": ["rrule"]})
    return rule


def series_occurrences(*, rrule: str, first_date: date, start_time: time, end_time: time) -> list[Occurrence]:
    """
    Expand a rule in local wall-clock time and turn every date into aware instants: a briefing at
    07:30 stays at 07:30 local on every date, whatever the UTC offset on that date.
    """
    if end_time <= start_time:
        raise ApplicationError(_("A booking must end after it starts."), extra={"fields": ["end_time"]})
    limit: int = settings.BOOKING_SERIES_MAX_OCCURRENCES
    dtstart = datetime.combine(first_date, start_time)
    rule = _parse_rule(rrule, dtstart)
    tz = timezone.get_default_timezone()
    horizon = dtstart + SERIES_HORIZON
    occurrences: list[Occurrence] = []
    for start in rule.xafter(dtstart, inc=True):
        if len(occurrences) >= limit or start > horizon:
            raise ApplicationError(
                _("The recurrence would create more than %(max)d bookings; end it sooner (UNTIL or COUNT).")
                % {"max": limit},
                extra={"fields": ["rrule"], "max_occurrences": limit},
            )
        day = start.date()
        occurrences.append(
            Occurrence(
                day=day,
                starts_at=timezone.make_aware(start, tz),
                ends_at=timezone.make_aware(datetime.combine(day, end_time), tz),
            )
        )
    return occurrences


def _first_clash(busy: list[Booking], starts: list[datetime], reach: list[datetime], occ: Occurrence) -> Booking | None:
    """The first of `busy` (sorted by start, `reach[i]` = latest end among busy[:i+1]) that overlaps."""
    i = bisect.bisect_left(starts, occ.ends_at)
    while i > 0 and reach[i - 1] > occ.starts_at:
        i -= 1
        if busy[i].ends_at > occ.starts_at:
            return busy[i]
    return None


@transaction.atomic
def booking_series_create(
    *,
    room: Room,
    title: str,
    rrule: str,
    first_date: date,
    start_time: time,
    end_time: time,
    booked_by: User,
    skip_holidays: bool = True,
    notes: str = "",
) -> BookingSeries:
    """
    Book every date of a rule. Dates on a public holiday (when `skip_holidays`) or already taken in
    that room are skipped and recorded with the reason; the others are booked, each confirmed or
    tentative by the room's policy.
    """
    _ensure_bookable(room)
    occurrences = series_occurrences(rrule=rrule, first_date=first_date, start_time=start_time, end_time=end_time)
    if not occurrences:
        raise ApplicationError(_("The recurrence gives no dates."), extra={"fields": ["rrule"]})
    if occurrences[0].starts_at < timezone.now():
        raise ApplicationError(_("A recurring booking cannot start in the past."), extra={"fields": ["first_date"]})
    series = BookingSeries(
        room=room,
        title=title,
        rrule=rrule.strip().removeprefix("RRULE:"),
        first_date=first_date,
        start_time=start_time,
        end_time=end_time,
        skip_holidays=skip_holidays,
        booked_by=booked_by,
        notes=notes,
    )
    series._history_user = booked_by
    series.save()
    # The record keeps the name in the portal's language whoever booked; pages and the API show the
    # name in the reader's language (SkippedDate.holiday_label).
    day_off = (
        public_holidays((o.day.year for o in occurrences), language=settings.LANGUAGE_CODE) if skip_holidays else {}
    )
    busy = list(
        booking_overlaps(room_id=room.pk, starts_at=occurrences[0].starts_at, ends_at=occurrences[-1].ends_at).order_by(
            "starts_at"
        )
    )
    busy_starts = [b.starts_at for b in busy]
    busy_reach = list(accumulate((b.ends_at for b in busy), max))
    policy = policy_for(room)
    bookings, skipped = [], []
    for occ in occurrences:
        if occ.day in day_off:
            skipped.append(
                SkippedDate(
                    series=series,
                    date=occ.day,
                    starts_at=occ.starts_at,
                    ends_at=occ.ends_at,
                    reason=SkippedDate.Reason.HOLIDAY,
                    holiday_name=day_off[occ.day][:120],
                )
            )
        elif clash := _first_clash(busy, busy_starts, busy_reach, occ):
            skipped.append(
                SkippedDate(
                    series=series,
                    date=occ.day,
                    starts_at=occ.starts_at,
                    ends_at=occ.ends_at,
                    reason=SkippedDate.Reason.CONFLICT,
                    conflicting_booking=clash,
                )
            )
        else:
            bookings.append(
                Booking(
                    room=room,
                    title=title,
                    starts_at=occ.starts_at,
                    ends_at=occ.ends_at,
                    booked_by=booked_by,
                    notes=notes,
                    series=series,
                    status=_status_for(policy, occ.starts_at, occ.ends_at),
                )
            )
    try:
        with transaction.atomic():
            created = bulk_create_with_history(bookings, Booking, default_user=booked_by)
    except IntegrityError as exc:
        if not _is_overlap_violation(exc):
            raise
        raise ConflictError(_("Another booking of this room was made at the same moment; please try again.")) from exc
    bulk_create_with_history(skipped, SkippedDate, default_user=booked_by)
    _notify_approvers([b for b in created if b.status == Booking.Status.TENTATIVE], booked_by=booked_by)
    return series


@transaction.atomic
def skipped_date_readd(*, skipped: SkippedDate, user: User) -> Booking:
    """Book a date that a recurring booking skipped, if the room is free now."""
    skipped = SkippedDate.objects.select_for_update().select_related("series", "series__room").get(pk=skipped.pk)
    if skipped.readded_booking_id is not None:
        raise ApplicationError(_("This date has already been added back."))
    series = skipped.series
    booking = booking_create(
        room=series.room,
        title=series.title,
        starts_at=skipped.starts_at,
        ends_at=skipped.ends_at,
        booked_by=user,
        notes=series.notes,
        series=series,
    )
    skipped.readded_booking = booking
    skipped._history_user = user
    skipped.save(update_fields=["readded_booking"])
    return booking


@transaction.atomic
def booking_series_cancel(*, series: BookingSeries, user: User) -> int:
    """Cancel every booking of the series that has not started yet; returns how many."""
    if not (series.booked_by_id == user.pk or user.has_perm("meetings.change_booking")):
        raise PermissionDeniedError(_("Only the person who booked, or office staff, can cancel a booking."))
    upcoming = list(
        series.bookings.select_for_update().filter(status__in=Booking.ACTIVE_STATUSES, starts_at__gt=timezone.now())
    )
    for booking in upcoming:
        booking.status = Booking.Status.CANCELLED
        booking._history_user = user
        booking.save(update_fields=["status", "updated_at"])
    if not series.bookings.filter(status=Booking.Status.TENTATIVE).exists():
        notification_mark_done(kind=NotificationKind.BOOKING_TO_APPROVE, url=series.get_absolute_url())
    return len(upcoming)


@transaction.atomic
def booking_series_approve(*, series: BookingSeries, user: User) -> int:
    """The room's approver confirms every tentative booking of a series at once; returns how many."""
    if not user_can_decide(user=user, room=series.room):
        raise PermissionDeniedError(
            _("Only the approvers of %(room)s decide on its bookings.") % {"room": series.room.name}
        )
    waiting = list(series.bookings.select_for_update().filter(status=Booking.Status.TENTATIVE))
    for booking in waiting:
        booking.status = Booking.Status.CONFIRMED
        booking._history_user = user
        booking.save(update_fields=["status", "updated_at"])
    notification_mark_done(kind=NotificationKind.BOOKING_TO_APPROVE, url=series.get_absolute_url())
    return len(waiting)


#
# Calendar feeds
#


def calendar_token_get_or_create(*, user: User) -> CalendarFeedToken:
    token, _created = CalendarFeedToken.objects.get_or_create(user=user, defaults={"key": secrets.token_urlsafe(32)})
    return token


@transaction.atomic
def calendar_token_reset(*, user: User) -> CalendarFeedToken:
    """A new key: every calendar app that used the old links stops receiving updates."""
    token = calendar_token_get_or_create(user=user)
    token.key = secrets.token_urlsafe(32)
    token.save(update_fields=["key"])
    return token
