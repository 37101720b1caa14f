"""
Pages of live briefings: the list of meetings a user may watch, the host's live room board, the
organiser's readiness board and each bridge point's join page (checklist, test call, join).
Each page checks the role permission (403) and whether the user may see the meeting (404).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import generic

from live import selectors
from live.api.views import join_config
from meetings.models import Meeting
from sites.models import BridgePoint

# Texts the pages' scripts show, translated here and handed over as JSON.
BOARD_LABELS = {
    "not_connected": _("Not connected"),
    "connecting": _("Connecting"),
    "connected": _("Connected"),
    "publishing": _("Publishing"),
    "muted": _("Muted"),
    "talking": _("Talking"),
    "silent": _("Silent"),
    "not_invited": _("Not invited"),
    "host": _("Host"),
    "good": _("Good"),
    "fair": _("Fair"),
    "poor": _("Poor"),
    "mute": _("Mute"),
    "unmute": _("Unmute"),
    "drop": _("Drop"),
    "confirm_drop": _("Drop this site from the meeting?"),
    "confirm_end": _("End the meeting for every site?"),
    "online": _("Live updates"),
    "reconnecting": _("Reconnecting…"),
    "status_scheduled": _("Scheduled"),
    "status_live": _("Live"),
    "status_ended": _("Ended"),
    "status_cancelled": _("Cancelled"),
    "kbps": _("kbit/s"),
    "loss": _("loss"),
}

JOIN_LABELS = {
    "connecting": _("Connecting…"),
    "joined": _("In the room"),
    "publishing": _("Sending camera and microphone"),
    "muted": _("Your microphone was muted by the host"),
    "unmuted": _("Your microphone was unmuted"),
    "kicked": _("The host removed this site from the meeting"),
    "left": _("Left the room"),
    "error": _("Could not connect"),
    "closed": _("The meeting has ended"),
}


def _labels(labels: dict[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in labels.items()}


class LiveMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "live.view_videoroom"
    raise_exception = True

    def handle_no_permission(self) -> Any:
        if not self.request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(self.request.get_full_path())
        return super().handle_no_permission()

    def get_meeting(self) -> Meeting:
        meeting = get_object_or_404(
            Meeting.objects.select_related("host_bridge_point__room__site", "organiser"), pk=self.kwargs["pk"]
        )
        if not selectors.meeting_visible_to(user=self.request.user, meeting=meeting):
            raise Http404
        return meeting


class MeetingListView(LiveMixin, generic.TemplateView):
    """Meetings of the coming days that the user may watch, with links to their live pages."""

    template_name = "live/meeting_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        since = timezone.now() - timezone.timedelta(hours=12)
        meetings = selectors.meetings_visible_to(user=self.request.user).filter(ends_at__gte=since)
        user = self.request.user
        # The same rule as selectors.may_join_from, computed once for the whole list.
        can_join = user.has_perm("live.join_room")
        own = set(BridgePoint.objects.visible_to(user).values_list("pk", flat=True)) if user.unit_id else None
        rows = []
        for meeting in meetings.prefetch_related("invitations__bridge_point")[:50]:
            sites = [meeting.host_bridge_point] + [inv.bridge_point for inv in meeting.invitations.all()]
            if not can_join:
                join_sites = []
            elif own is None:
                join_sites = [meeting.host_bridge_point]
            else:
                join_sites = [bp for bp in sites if bp.pk in own]
            rows.append({"meeting": meeting, "join_sites": join_sites})
        return {**super().get_context_data(**kwargs), "rows": rows}


class BoardView(LiveMixin, generic.TemplateView):
    """The host's live room board: every invited site's state, pushed over a websocket."""

    template_name = "live/board.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        meeting = self.get_meeting()
        return {
            **super().get_context_data(**kwargs),
            "meeting": meeting,
            "can_operate": self.request.user.has_perm("live.operate_room"),
            "labels": _labels(BOARD_LABELS),
            "board": {
                "meeting": meeting.pk,
                "ws": f"/ws/live/meetings/{meeting.pk}/",
                "api": f"/api/live/meetings/{meeting.pk}/",
                "operate": self.request.user.has_perm("live.operate_room"),
            },
        }


class ReadinessBoardView(LiveMixin, generic.TemplateView):
    """The organiser's readiness board: each invited site green / amber / red from T-60 minutes."""

    template_name = "live/readiness.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        meeting = self.get_meeting()
        return {
            **super().get_context_data(**kwargs),
            "meeting": meeting,
            "rows": selectors.readiness_board(meeting=meeting),
            "window_open": selectors.readiness_window_open(meeting=meeting),
        }


class JoinView(LiveMixin, generic.TemplateView):
    """
    A bridge point's console: readiness checklist, test call and joining the meeting with camera and
    microphone. Only a user of the bridge point's unit gets it, with that site's token and the pin.
    """

    permission_required = "live.join_room"
    template_name = "live/join.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        meeting = self.get_meeting()
        state = selectors.participant_for_join(
            user=self.request.user, meeting=meeting, bridge_point_id=self.kwargs["bridge_point_id"]
        )
        if not selectors.may_join_from(
            user=self.request.user, meeting=meeting, bridge_point_id=self.kwargs["bridge_point_id"]
        ):
            raise Http404
        bridge_point = get_object_or_404(BridgePoint, pk=self.kwargs["bridge_point_id"])
        invitation = meeting.invitations.filter(bridge_point=bridge_point).first()
        if invitation is None and meeting.host_bridge_point_id != bridge_point.pk:
            raise Http404
        check = getattr(invitation, "readiness", None) if invitation else None
        return {
            **super().get_context_data(**kwargs),
            "meeting": meeting,
            "bridge_point": bridge_point,
            "invitation": invitation,
            "check": check,
            "can_check": invitation is not None and self.request.user.has_perm("live.change_readinesscheck"),
            "colour": selectors.readiness_colour(check=check, state=state),
            "join": join_config(state) if state is not None else None,
            "labels": _labels(JOIN_LABELS),
            "readiness_url": reverse("live-readiness", args=[meeting.pk, bridge_point.pk]),
            "join_config_url": reverse("live-join-config", args=[meeting.pk, bridge_point.pk]),
        }
