"""
Bookings on the home dashboards:
- office staff and hosts: today's bookings of the rooms they see, and today's briefings with how many
  invited sites are ready (green / amber / red);
- approvers: the tentative bookings that wait for their decision (hidden when there are none).
A fixed number of queries whatever the number of bookings, meetings and sites.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from dashboards.registry import register_panel
from live.selectors import readiness_of_invitations
from meetings.models import Booking, Meeting, MeetingInvitation
from meetings.selectors.bookings import booking_list, bookings_awaiting_decision
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
    user = request.user
    day = timezone.localdate()
    bookings = list(
        booking_list(user=user)
        .filter(starts_at__date=day, status__in=Booking.ACTIVE_STATUSES)
        .order_by("starts_at", "room__name")[: PANEL_ROWS + 1]
    )
    meetings = list(
        meeting_list_for_user(user=user)
        .filter(starts_at__date=day)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at")[:PANEL_ROWS]
    )
    colours: dict[int, Counter[str]] = {m.pk: Counter() for m in meetings}
    invitations = MeetingInvitation.objects.filter(meeting__in=[m.pk for m in meetings])
    for invitation, colour in readiness_of_invitations(invitations):
        colours[invitation.meeting_id][colour] += 1
    for meeting in meetings:
        meeting.readiness = colours[meeting.pk]
    return {"bookings": bookings[:PANEL_ROWS], "more": len(bookings) > PANEL_ROWS, "meetings": meetings, "day": day}


@register_panel(
    key="meetings.bookings_to_approve",
    title=_("Bookings waiting for your approval"),
    template="meetings/panels/bookings_to_approve.html",
    roles=[Role.OFFICE_STAFF, Role.LEADER, Role.ADMINISTRATOR, Role.HOST],
    permission="meetings.view_booking",
    order=8,
)
def bookings_to_approve(request: HttpRequest) -> dict[str, Any] | None:
    waiting = list(bookings_awaiting_decision(user=request.user)[: PANEL_ROWS + 1])
    if not waiting:
        return None
    return {"items": waiting[:PANEL_ROWS], "more": len(waiting) > PANEL_ROWS}
