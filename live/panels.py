"""
Live readiness on the home dashboards and the district map:
- technicians and commune officers: the coming week's briefings their bridge points are invited to,
  each bridge point green / amber / red, with the link to its console (checklist and test call);
- map: a bridge point that is red (danger) or amber (warning) for a briefing starting within the hour
  or in progress.
A fixed number of queries whatever the number of meetings and sites.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import Role
from common.scoping import scope_queryset
from dashboards.registry import register_panel
from dashboards.status import Level, register_status_provider
from live.constants import READINESS_WINDOW
from live.selectors import readiness_of_invitations
from meetings.models import Meeting, MeetingInvitation

UPCOMING_DAYS = 7
PANEL_MEETINGS = 6
ACTIVE = (Meeting.Status.SCHEDULED, Meeting.Status.LIVE)


@register_panel(
    key="live.readiness",
    title=gettext_lazy("Readiness for the coming briefings"),
    template="live/panels/readiness.html",
    roles=[Role.TECHNICIAN, Role.COMMUNE_OFFICER],
    permission="live.change_readinesscheck",
    order=25,
)
def readiness(request: HttpRequest) -> dict[str, Any]:
    """
    Two queries: how many coming briefings invite one of the user's bridge points, and the readiness
    of those bridge points in the first few (with their meetings).
    """
    now = timezone.now()
    mine = scope_queryset(MeetingInvitation.objects.all(), request.user)
    coming = Meeting.objects.filter(
        status__in=ACTIVE,
        ends_at__gte=now,
        starts_at__lte=now + timedelta(days=UPCOMING_DAYS),
        pk__in=mine.values("meeting_id"),
    )
    total = coming.count()
    shown = coming.order_by("starts_at", "pk")[:PANEL_MEETINGS]
    invitations = mine.filter(meeting__in=shown.values("pk")).order_by(
        "meeting__starts_at", "meeting_id", "bridge_point__janus_display"
    )
    by_meeting: dict[int, dict[str, Any]] = {}
    for invitation, colour in readiness_of_invitations(invitations):
        row = by_meeting.setdefault(invitation.meeting_id, {"meeting": invitation.meeting, "sites": []})
        row["sites"].append({"bridge_point": invitation.bridge_point, "colour": colour})
    return {
        "meetings": list(by_meeting.values()),
        "more": max(0, total - PANEL_MEETINGS),
        # A commune's people open their own bridge point's console; district staff the readiness board.
        "console": request.user.unit_id is not None,
    }


# Not ParticipantState: it changes with every Janus event of a briefing; a site's joining shows within
# STATUS_CACHE_SECONDS.
@register_status_provider(
    "live.readiness", depends_on=["meetings.Meeting", "meetings.MeetingInvitation", "live.ReadinessCheck"]
)
def not_ready(site_ids: list[int]) -> dict[int, tuple[int, str]]:
    """Invited sites that are not ready for a briefing starting within the hour or in progress."""
    now = timezone.now()
    invitations = MeetingInvitation.objects.filter(
        bridge_point__room__site_id__in=site_ids,
        meeting__status__in=ACTIVE,
        meeting__ends_at__gte=now,
        meeting__starts_at__lte=now + timedelta(seconds=READINESS_WINDOW),
    ).select_related("bridge_point__room")
    found: dict[int, tuple[int, str]] = {}
    worst: dict[int, int] = defaultdict(int)
    for invitation, colour in readiness_of_invitations(invitations):
        if colour == "green":
            continue
        site_id = invitation.bridge_point.room.site_id
        level = Level.DANGER if colour == "red" else Level.WARNING
        if level <= worst[site_id]:
            continue
        worst[site_id] = level
        reason = _("not ready for %(meeting)s") if colour == "red" else _("partly ready for %(meeting)s")
        found[site_id] = (level, reason % {"meeting": invitation.meeting.title})
    return found


@register_panel(
    key="live.recordings",
    title=gettext_lazy("Recordings: storage used"),
    template="live/panels/recordings.html",
    roles=[Role.ADMINISTRATOR],
    permission="live.view_recording",
    order=60,
)
def recordings_storage(request: HttpRequest) -> dict[str, Any]:
    """One query: the recordings on disk per month of the meetings; and the disk's free space."""
    from django.conf import settings

    from live.archive import storage_by_month
    from live.services.recording import disk_free_bytes

    months = storage_by_month(months=12)
    free = disk_free_bytes()
    return {
        "months": months,
        "total": sum(m["size"] or 0 for m in months),
        "free": free,
        "low": free < settings.RECORDING_MIN_FREE_BYTES,
        "minimum": settings.RECORDING_MIN_FREE_BYTES,
        "keep_years": round(settings.RECORDING_KEEP_DAYS / 365, 1),
        "draft_days": settings.RECORDING_UNAPPROVED_KEEP_DAYS,
    }
