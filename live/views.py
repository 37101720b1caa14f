"""
Pages of live briefings: the list of meetings a user may watch, the host's live room board, the
organiser's readiness board and each bridge point's join page (checklist, test call, join).
Each page checks the role permission (403) and whether the user may see the meeting (404).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import generic

from live import selectors, services
from live.api.views import join_config
from meetings.models import Meeting
from meetings.selectors import bookings as booking_selectors
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
    "stale": _("Not up to date: live updates stopped"),
    "status_scheduled": _("Scheduled"),
    "status_live": _("Live"),
    "status_ended": _("Ended"),
    "status_cancelled": _("Cancelled"),
    "kbps": _("kbit/s"),
    "loss": _("loss"),
    "impostor": _("Refused an impostor: %(name)s"),
    "moved": _("The media server stopped answering: the meeting moved to %(name)s"),
}

ROOM_LABELS = {
    "connecting": _("Connecting…"),
    "joined": _("In the room"),
    "publishing": _("Sending camera and microphone"),
    "muted": _("Muted"),
    "unmuted": _("Your microphone is on"),
    "kicked": _("The host removed this site from the meeting"),
    "left": _("Left the room"),
    "error": _("Could not connect"),
    "ended": _("The meeting has ended"),
    "forbidden": _("This account may not join from this bridge point"),
    "reconnecting": _("Connection lost (%(reason)s): joining again in %(seconds)s s…"),
    "server_moved": _("The meeting moved to another media server: joining again…"),
    "room_not_open": _("the video room is not open"),
    "room_restarting": _("the video room is being opened again"),
    "offline": _("the portal does not answer"),
    "ice_failed": _("the network path failed"),
    "hangup": _("the media server closed the connection"),
    "no_media": _("no media after 25 s"),
    "no_camera": _("Camera or microphone not available"),
    "click_for_sound": _("Click anywhere on the page to hear the meeting"),
    "no_agenda_item": _("No agenda item yet"),
    "floor_holder": _("Speaking: %(name)s"),
    "speaking": _("Speaking: %(name)s"),
    "shared_by": _("Shared screen · %(name)s"),
    "chair": _("Chair"),
    "no_video": _("No picture"),
    "not_connected": _("Not connected"),
    "connected": _("Connected"),
    "good": _("Good"),
    "fair": _("Fair"),
    "poor": _("Poor"),
    "request_floor": _("Request the floor"),
    "withdraw": _("Withdraw the request"),
    "request_waiting": _("Request sent at %(time)s: waiting for the chair"),
    "you_have_floor": _("You have the floor: everyone hears you"),
    "share": _("Share screen"),
    "stop_share": _("Stop sharing"),
    "share_failed": _("The screen could not be shared"),
    "give_floor": _("Give the floor"),
    "take_floor": _("Take the floor back"),
    "decline": _("Decline"),
    "has_floor": _("has the floor"),
    "nobody_has_floor": _("The chair has the floor."),
    "no_requests": _("No requests."),
    "mode_moderated": _("Moderated"),
    "mode_open": _("Open floor"),
    "impostor": _("Refused an impostor: %(name)s"),
    "confirm_end": _("End the meeting for every site?"),
    "mute": _("Mute"),
    "unmute": _("Unmute"),
    "drop": _("Drop"),
    "confirm_drop": _("Drop this site from the meeting?"),
    "connecting_short": _("Connecting"),
    "auto_test": _("Automatic test call, asked by the portal before the meeting…"),
    "auto_test_done": _("Automatic test call done."),
    "mic_muted": _("Microphone off: ask for the floor to speak"),
    "stale": _("Not up to date: live updates stopped"),
}


def _labels(labels: dict[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in labels.items()}


def media_server_origins() -> list[str]:
    """The origins (scheme://host:port) browsers reach the media servers at; relative URLs are 'self'."""
    from urllib.parse import urlsplit

    from live.models import MediaServer

    origins = set()
    for server in MediaServer.objects.all():
        url = urlsplit(server.browser_url)
        if url.scheme in ("http", "https") and url.netloc:
            origins.add(f"{url.scheme}://{url.netloc}")
    return sorted(origins) or ["'self'"]


class LiveMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "live.view_videoroom"
    raise_exception = True

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # Browsers talk to Janus directly: its addresses join the page's connect-src (CSP).
        response = super().dispatch(request, *args, **kwargs)
        response._csp_update = {"connect-src": media_server_origins()}
        return response

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
            "room_booking": booking_selectors.meeting_booking(user=self.request.user, meeting=meeting)
            if meeting.status == Meeting.Status.SCHEDULED
            else None,
            "labels": _labels(BOARD_LABELS),
            "board": {
                "meeting": meeting.pk,
                "ws": f"/ws/live/meetings/{meeting.pk}/",
                "api": f"/api/live/meetings/{meeting.pk}/",
                "operate": self.request.user.has_perm("live.operate_room"),
                "time_zone": settings.TIME_ZONE,
                "heartbeat_ms": int(settings.LIVE_BOARD_HEARTBEAT_SECONDS * 1000),
            },
        }


READINESS_LABELS = {
    "online": _("Live updates"),
    "reconnecting": _("Reconnecting…"),
    "stale": _("Not up to date: live updates stopped"),
    "green": _("Ready"),
    "amber": _("Partly ready"),
    "red": _("Not ready"),
}


class ReadinessBoardView(LiveMixin, generic.TemplateView):
    """
    The organiser's readiness board: the host's hall and each invited site green / amber / red from T-60
    minutes, kept up to date over the meeting's websocket (`readiness` messages, static/live/readiness.js).
    Each row leads to the site's room page where the viewer may open it, else to its checklist where the
    viewer may tick it (a district technician, without the site's token), else to the bridge point.
    """

    template_name = "live/readiness.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        meeting = self.get_meeting()
        user = self.request.user
        rows = selectors.readiness_board(meeting=meeting)
        ids = [row["bridge_point"].pk for row in rows]
        joinable = selectors.joinable_bridge_points(user=user, meeting=meeting, bridge_point_ids=ids)
        visible = set(BridgePoint.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
        may_check = user.has_perm("live.change_readinesscheck")
        may_view_site = user.has_perm("sites.view_bridgepoint")
        for row in rows:
            pk = row["bridge_point"].pk
            row["url"] = row["link"] = None
            if pk in joinable:
                row["url"], row["link"] = reverse("live:join", args=[meeting.pk, pk]), "room"
            elif may_check and pk in visible and not row["host"]:
                row["url"], row["link"] = reverse("live:checklist", args=[meeting.pk, pk]), "checklist"
            elif may_view_site and pk in visible:
                row["url"], row["link"] = row["bridge_point"].get_absolute_url(), "site"
        return {
            **super().get_context_data(**kwargs),
            "meeting": meeting,
            "rows": rows,
            "window_open": selectors.readiness_window_open(meeting=meeting),
            "labels": _labels(READINESS_LABELS),
            "readiness": {
                "ws": f"/ws/live/meetings/{meeting.pk}/",
                "heartbeat_ms": int(settings.LIVE_BOARD_HEARTBEAT_SECONDS * 1000),
            },
        }


class ChecklistView(LiveMixin, generic.TemplateView):
    """
    A bridge point's readiness checklist on its own (camera, microphone, display, link, and what its test
    call showed), for whoever may tick it at that bridge point: its commune's users, and district
    technicians, who may not open a commune's room page (its token is the commune's). Carries no token.
    """

    template_name = "live/checklist.html"
    permission_required = "live.view_readinesscheck"
    fields = ("camera_ok", "microphone_ok", "display_ok", "link_ok")

    def get_invitation(self) -> Any:
        meeting = self.get_meeting()
        sites = BridgePoint.objects.visible_to(self.request.user)
        bridge_point = get_object_or_404(sites, pk=self.kwargs["bridge_point_id"])
        invitations = meeting.invitations.select_related("meeting", "bridge_point", "readiness", "participant_state")
        return get_object_or_404(invitations, bridge_point=bridge_point)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        invitation = self.get_invitation()
        check = getattr(invitation, "readiness", None)
        state = getattr(invitation, "participant_state", None)
        return {
            **super().get_context_data(**kwargs),
            "meeting": invitation.meeting,
            "bridge_point": invitation.bridge_point,
            "check": check,
            "colour": selectors.readiness_colour(check=check, state=state),
            "can_check": self.request.user.has_perm("live.change_readinesscheck"),
            "window_open": selectors.readiness_window_open(meeting=invitation.meeting),
        }

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm("live.change_readinesscheck"):
            raise PermissionDenied
        invitation = self.get_invitation()
        services.readiness_record(
            invitation=invitation, user=request.user, **{field: field in request.POST for field in self.fields}
        )
        messages.success(request, _("Checklist saved."))
        return redirect(request.path)


class RoomView(LiveMixin, generic.TemplateView):
    """
    The briefing room of a bridge point (b17): a commune sees and hears the chair, the floor holder and
    any shared screen, asks for the floor and runs its checklist; the host bridge point's room is the
    chair's: every site in a grid, the floor queue and the agenda beside the board's controls. Only a
    user of the bridge point's unit gets it (district users: the host bridge point), with that site's
    token and the pin, never a secret.
    """

    permission_required = "live.join_room"
    template_name = "live/room.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        meeting = self.get_meeting()
        bridge_point_id = self.kwargs["bridge_point_id"]
        user = self.request.user
        if not selectors.may_join_from(user=user, meeting=meeting, bridge_point_id=bridge_point_id):
            raise Http404
        bridge_point = get_object_or_404(BridgePoint, pk=bridge_point_id)
        invitation = meeting.invitations.filter(bridge_point=bridge_point).first()
        is_host = meeting.host_bridge_point_id == bridge_point.pk
        if invitation is None and not is_host:
            raise Http404
        ended = meeting.status in (Meeting.Status.ENDED, Meeting.Status.CANCELLED)
        state = (
            None
            if ended
            else selectors.participant_for_join(user=user, meeting=meeting, bridge_point_id=bridge_point_id)
        )
        check = getattr(invitation, "readiness", None) if invitation else None
        join = join_config(state) if state is not None else None
        api = f"/api/live/meetings/{meeting.pk}/"
        return {
            **super().get_context_data(**kwargs),
            "meeting": meeting,
            "bridge_point": bridge_point,
            "invitation": invitation,
            "check": check,
            "is_host": is_host,
            "ended": ended,
            "can_operate": is_host and user.has_perm("live.operate_room"),
            "room_booking": booking_selectors.meeting_booking(user=user, meeting=meeting)
            if is_host and meeting.status == Meeting.Status.SCHEDULED
            else None,
            "can_check": invitation is not None and user.has_perm("live.change_readinesscheck"),
            "colour": selectors.readiness_colour(check=check, state=state),
            "join": join,
            "labels": _labels(ROOM_LABELS),
            "readiness_url": reverse("live-readiness", args=[meeting.pk, bridge_point.pk]),
            "page": {
                "role": "host" if is_host else "site",
                "bridge_point": bridge_point.pk,
                "join": join,
                "ended": ended,
                "auto_join": self.request.GET.get("auto") == "1",
                "time_zone": settings.TIME_ZONE,
                "operate": is_host and user.has_perm("live.operate_room"),
                "ws": f"/ws/live/meetings/{meeting.pk}/",
                "heartbeat_ms": int(settings.LIVE_BOARD_HEARTBEAT_SECONDS * 1000),
                "api": api,
                "config_url": reverse("live-join-config", args=[meeting.pk, bridge_point.pk]),
                "session_url": reverse("live-session-claim", args=[meeting.pk, bridge_point.pk]),
                "floor_url": reverse("live-floor-request", args=[meeting.pk, bridge_point.pk]),
            },
        }


#
# The meeting's archive (b21)
#


class ArchiveMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Whoever may see the meeting (its page's rule: 404 otherwise) may see its archive."""

    permission_required = "meetings.view_meeting"
    raise_exception = True

    def handle_no_permission(self) -> Any:
        if not self.request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(self.request.get_full_path())
        return super().handle_no_permission()

    def get_meeting(self) -> Meeting:
        from meetings.selectors.briefings import meeting_get_for_user

        return meeting_get_for_user(user=self.request.user, pk=self.kwargs["pk"])


class ArchiveView(ArchiveMixin, generic.TemplateView):
    """The programme with its chapters (a click seeks there), the sites' own files, the gaps, the expiry."""

    template_name = "live/archive.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from live.archive import archive_for

        meeting = self.get_meeting()
        minutes = meeting.minutes.order_by("-version").first()
        return super().get_context_data(
            meeting=meeting, archive=archive_for(user=self.request.user, meeting=meeting), minutes=minutes, **kwargs
        )


class RecordingFileView(ArchiveMixin, generic.View):
    """A recording's file, for the player (inline, with HTTP Range) or to download (?download=1)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from common.files import serve_ranged
        from live.archive import recording_for_user

        meeting = self.get_meeting()
        recording = recording_for_user(user=request.user, meeting=meeting, pk=kwargs["recording_pk"])
        if recording is None or not recording.file_path.is_file():
            raise Http404
        if recording.kind == recording.Kind.PROGRAMME:
            name = f"{meeting.starts_at:%Y-%m-%d} {meeting.title}.mp4"
        else:
            name = f"{meeting.starts_at:%Y-%m-%d} {meeting.title} - {recording.bridge_point.janus_display}.webm"
        return serve_ranged(
            request,
            recording.file_path,
            relative=recording.path,
            content_type="video/mp4" if recording.path.endswith(".mp4") else "video/webm",
            filename=name.replace("/", "-"),
            as_attachment="download" in request.GET,
        )
