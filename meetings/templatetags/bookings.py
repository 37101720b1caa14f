"""Template tags of the booking pages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from meetings.models import Booking
from meetings.selectors.bookings import CalendarCell, HourSlot
from sites.models import Room

register = template.Library()


def _booking_form_href(add_url: str, room: Room, starts_at: datetime, ends_at: datetime) -> SafeString:
    """The booking form's address with the room and the hour filled in (local time, as the form shows)."""
    starts_at, ends_at = timezone.localtime(starts_at), timezone.localtime(ends_at)
    # Numbers and dates only: nothing in the address needs escaping.
    query = f"room={room.pk}&starts_at={starts_at:%Y-%m-%dT%H:%M}&ends_at={ends_at:%Y-%m-%dT%H:%M}"
    return mark_safe(f"{add_url}?{query}")  # noqa: S308


@register.simple_tag
def day_slot_links(room: Room, slots: Sequence[HourSlot]) -> SafeString:
    """
    The day view's link on each hour of a room still to come, which opens the booking form for that
    hour. Made here, not in the template: 24 links a room and 25 rooms a page, each a dozen template
    nodes with four date filters, were most of the day view's time.
    """
    add_url = reverse("meetings:booking_add")
    book = gettext("Book")
    links = []
    for slot in slots:
        if not slot.bookable:
            continue
        starts_at, ends_at = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)
        href = _booking_form_href(add_url, room, starts_at, ends_at)
        label = format_html("{} {} {}–{}", book, room.name, f"{starts_at:%H:%M}", f"{ends_at:%H:%M}")
        links.append((f"{slot.hour * 100 / 24:.4f}", href, label, label, slot.hour))
    return format_html_join(
        "",
        '<a class="slot" style="left: {}%; width: 4.1667%" href="{}" title="{}" aria-label="{}" data-hour="{}"></a>',
        links,
    )


@register.simple_tag
def week_add_link(room: Room, cell: CalendarCell, add_url: str) -> SafeString:
    """
    The week view's "+" on a room's day that still has a free hour: it opens the booking form for that
    hour. Made here, like `day_slot_links`: its five date filters, on each of a page's 175 cells, were
    a tenth of the week view's time.
    """
    if cell.suggest is None:
        return mark_safe("")
    href = _booking_form_href(add_url, room, *cell.suggest)
    label = format_html("{} {} {}", gettext("Book"), room.name, f"{cell.day:%d/%m/%Y}")
    return format_html('<a class="add-slot" href="{}" title="{}" aria-label="{}">+</a>', href, label, label)


@register.simple_tag
def week_booking_links(bookings: Iterable[Booking]) -> SafeString:
    """
    A week cell's bookings, a link each, with the hours and status label the calendar selector made:
    a busy week shows a link for every hour of every room (1,900 on a page of 25 rooms).
    """
    return format_html_join(
        "",
        '<a class="bk {}" href="{}" title="{} {} ({})">{} {}</a>',
        ((b.status, b.get_absolute_url(), b.hours, b.title, b.status_label, b.hours, b.title) for b in bookings),
    )
