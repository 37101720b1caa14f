"""
Bookings on the home dashboards:
- office staff and hosts: today's bookings of the rooms they see, and today's briefings with how many
  invited sites are ready (green / amber / red);
- approvers (anyone a room names, whatever their role): the tentative bookings that wait for their
  decision, a recurring booking as one row, with approve / reject at hand (hidden when there are none).
A fixed number of queries whatever the number of bookings, meetings and sites.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from dashboards.registry import first_rows, register_panel
from live.selectors import readiness_of_invitations
from meetings.models import Booking, BookingSeries, Meeting, MeetingInvitation
from meetings.selectors.bookings import booking_list, bookings_awaiting_decision, series_awaiting_decision
from meetings.selectors.briefings import meeting_list_for_user

PANEL_ROWS = 10


@register_panel(
    key="meetings.today",
    title=_("Today's bookings and briefings"),
    template="meetings/panels/today.html",
    roles=[Role.OFFICE_STAFF, Role.HOST],
    permission="meetings.view_booking",
    order=10,
    wide=True,
)
def today(request: HttpRequest) -> dict[str, Any]:
    """Three queries: today's bookings, today's briefings, and the readiness of all their invitations."""
    user = request.user
    day = timezone.localdate()
    # What overlaps today, so that a booking or briefing that began before midnight still shows.
    day_start = timezone.make_aware(datetime.combine(day, time.min))
    day_end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    bookings, more = first_rows(
        booking_list(user=user)
        .filter(starts_at__lt=day_end, ends_at__gt=day_start, status__in=Booking.ACTIVE_STATUSES)
        .order_by("starts_at", "room__name", "pk"),
        PANEL_ROWS,
    )
    todays = (
        meeting_list_for_user(user=user)
        .filter(starts_at__lt=day_end, ends_at__gt=day_start)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at", "pk")[:PANEL_ROWS]
    )
    meetings = list(todays)
    colours: dict[int, Counter[str]] = {m.pk: Counter() for m in meetings}
    # The same meetings as a subquery: one query for their invitations, none or many.
    for invitation, colour in readiness_of_invitations(
        MeetingInvitation.objects.filter(meeting__in=todays.values("pk"))
    ):
        colours[invitation.meeting_id][colour] += 1
    for meeting in meetings:
        meeting.readiness = colours[meeting.pk]
        meeting.invited_count = sum(colours[meeting.pk].values())
    return {"bookings": bookings, "more": more, "meetings": meetings, "day": day}


@register_panel(
    key="meetings.bookings_to_approve",
    title=_("Bookings waiting for your approval"),
    template="meetings/panels/bookings_to_approve.html",
    # Approving is not a role: a room names its approvers, whoever they are.
    roles=[Role.OFFICE_STAFF, Role.LEADER, Role.ADMINISTRATOR, Role.HOST, Role.TECHNICIAN, Role.COMMUNE_OFFICER],
    permission="meetings.view_booking",
    order=8,
)
def bookings_to_approve(request: HttpRequest) -> dict[str, Any] | None:
    """
    Tentative bookings still to come of the rooms the user approves: one-off ones, and each recurring
    booking as one row with how many of its dates wait. Two queries.
    """
    now = timezone.now()
    singles = list(
        bookings_awaiting_decision(user=request.user).filter(series__isnull=True, ends_at__gt=now)[: PANEL_ROWS + 1]
    )
    series = list(series_awaiting_decision(user=request.user, now=now)[: PANEL_ROWS + 1])
    if not singles and not series:
        return None
    rows: list[Booking | BookingSeries] = sorted(
        [*singles, *series], key=lambda row: row.first_waiting if isinstance(row, BookingSeries) else row.starts_at
    )
    return {"items": rows[:PANEL_ROWS], "more": len(rows) > PANEL_ROWS, "next": request.get_full_path()}
