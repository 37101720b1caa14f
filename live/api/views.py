"""
The live API: Janus's event input, the board snapshot, the host's actions, readiness and the join
configuration of a bridge point. One API per operation; each calls a service or a selector.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common import parsers as json_parsers
from live import events, selectors, services
from live.api import serializers as schemas
from meetings.models import Meeting

logger = logging.getLogger("live.api")


#
# Janus → portal
#


def _basic_auth_ok(header: str) -> bool:
    """An Authorization header of HTTP basic auth for JANUS_EVENTS_USER/PASSWORD, compared in constant time."""
    scheme, _sep, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return False
    try:
        user, _colon, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    expected_user = settings.JANUS_EVENTS_USER.encode()
    expected_password = settings.JANUS_EVENTS_PASSWORD.encode()
    user_ok = hmac.compare_digest(user.encode(), expected_user)
    password_ok = hmac.compare_digest(password.encode(), expected_password)
    return user_ok and password_ok and bool(expected_password)


def janus_events_answer(*, authorization: str, body: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
    """
    What the event endpoint answers to a POST: (status, JSON body, extra headers). Shared by the
    Django view and the ASGI route that serves the path in production (live/asgi.py).
    """
    if not _basic_auth_ok(authorization):
        return 401, {"message": "authentication required"}, {"WWW-Authenticate": 'Basic realm="janus-events"'}
    try:
        payload = json_parsers.loads(body)
    except json_parsers.JSONTooDeepError:
        logger.warning("Janus event body is nested too deeply (%d bytes)", len(body))
        return 400, {"message": "body is nested too deeply"}, {}
    except (ValueError, UnicodeDecodeError):
        logger.warning("Janus event body is not JSON (%d bytes)", len(body))
        return 400, {"message": "body is not JSON"}, {}
    if not isinstance(payload, list | dict):
        return 400, {"message": "expected an event or an array of events"}, {}
    return 200, vars(events.ingest(payload)), {}


@csrf_exempt
@require_POST
def janus_events(request: HttpRequest) -> HttpResponse:
    """
    Janus's sample event handler posts here (an array when grouping is on). Answers at once: Janus
    counts any HTTP answer as delivered and stalls its queue on a slow one (JANUS.md §11.1).
    """
    status_code, body, headers = janus_events_answer(
        authorization=request.headers.get("Authorization", ""), body=request.body
    )
    return JsonResponse(body, status=status_code, headers=headers)


#
# Board, host actions
#


class MeetingMixin:
    """Finds the meeting from the URL; a meeting the user may not see is 404 (its existence does not leak)."""

    permission_classes = [permissions.IsAuthenticated]
    required_perm = "live.view_videoroom"

    def get_meeting(self, request: Request, meeting_id: int) -> Meeting:
        if not request.user.has_perm(self.required_perm):
            self.permission_denied(request)  # type: ignore[attr-defined]
        meeting = get_object_or_404(Meeting.objects.select_related("host_bridge_point__room__site"), pk=meeting_id)
        if not selectors.meeting_visible_to(user=request.user, meeting=meeting):
            raise Http404
        return meeting


class BoardSnapshotApi(MeetingMixin, APIView):
    """GET the full live state of a meeting (the websocket sends the same on connect)."""

    @extend_schema(responses=schemas.SnapshotSerializer)
    def get(self, request: Request, meeting_id: int) -> Response:
        self.get_meeting(request, meeting_id)
        return Response(selectors.board_snapshot(meeting_id=meeting_id))


class MeetingStartApi(MeetingMixin, APIView):
    required_perm = "live.operate_room"

    @extend_schema(request=None, responses=schemas.MeetingRowSerializer)
    def post(self, request: Request, meeting_id: int) -> Response:
        meeting = services.meeting_start(
            meeting=self.get_meeting(request, meeting_id),
            user=request.user,
            confirm_unapproved_booking=bool(request.data.get("confirm_unapproved_booking")),
            confirm_without_recording=bool(request.data.get("confirm_without_recording")),
        )
        return Response(selectors.meeting_row(meeting))


class MeetingRecordApi(MeetingMixin, APIView):
    """POST {"record": true|false}: the host turns the recording on or off before the start."""

    required_perm = "live.operate_room"

    @extend_schema(request=None, responses=schemas.MeetingRowSerializer)
    def post(self, request: Request, meeting_id: int) -> Response:
        meeting = services.meeting_record_set(
            meeting=self.get_meeting(request, meeting_id), user=request.user, record=bool(request.data.get("record"))
        )
        return Response(selectors.meeting_row(meeting))


class MeetingEndApi(MeetingMixin, APIView):
    required_perm = "live.operate_room"

    @extend_schema(request=None, responses=schemas.MeetingRowSerializer)
    def post(self, request: Request, meeting_id: int) -> Response:
        meeting = services.meeting_end(meeting=self.get_meeting(request, meeting_id), user=request.user)
        return Response(selectors.meeting_row(meeting))


class ParticipantMuteApi(MeetingMixin, APIView):
    required_perm = "live.operate_room"

    @extend_schema(request=schemas.MuteInputSerializer, responses=schemas.ParticipantRowSerializer)
    def post(self, request: Request, meeting_id: int, state_id: int) -> Response:
        meeting = self.get_meeting(request, meeting_id)
        data = schemas.MuteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        state = services.participant_mute(
            meeting=meeting, state_id=state_id, user=request.user, mute=data.validated_data["mute"]
        )
        return Response(selectors.participant_row(state))


class ParticipantDropApi(MeetingMixin, APIView):
    required_perm = "live.operate_room"

    @extend_schema(request=None, responses=schemas.ParticipantRowSerializer)
    def post(self, request: Request, meeting_id: int, state_id: int) -> Response:
        meeting = self.get_meeting(request, meeting_id)
        state = services.participant_drop(meeting=meeting, state_id=state_id, user=request.user)
        return Response(selectors.participant_row(state))


#
# A bridge point: join configuration and readiness
#


def join_config(state: Any) -> dict[str, Any]:
    """What a bridge point's browser needs to join: its own token and the pin, never a secret."""
    room = state.video_room
    return {
        "server": room.server.browser_url,
        "server_id": room.server_id,
        "room": room.room_id,
        "pin": room.pin,
        "token": state.join_token,
        "id": state.janus_id,
        "share_id": state.share_janus_id,
        "display": state.bridge_point.janus_display,
        "bitrate": services.site_bitrate(state.bridge_point_id),
        "layer": selectors.site_layer(state.bridge_point_id),
        "role": "site" if state.invitation_id else "host",
        "bridge_point_id": state.bridge_point_id,
        # coturn with credentials that expire (TURN REST): pages behind NAT relay their media through it.
        "ice_servers": services.ice_servers(name=f"bp{state.bridge_point_id}"),
    }


def _gone(meeting: Meeting) -> Response | None:
    """410 for a meeting that is over: the room page stops and says so instead of retrying."""
    if meeting.status in (Meeting.Status.ENDED, Meeting.Status.CANCELLED):
        return Response({"status": meeting.status, "message": _("The meeting has ended.")}, status=status.HTTP_410_GONE)
    return None


class JoinConfigApi(MeetingMixin, APIView):
    """GET the join configuration of one bridge point (only for a user of that bridge point's unit)."""

    required_perm = "live.join_room"

    @extend_schema(responses={200: schemas.JoinConfigSerializer, 410: schemas.GoneSerializer})
    def get(self, request: Request, meeting_id: int, bridge_point_id: int) -> Response:
        meeting = self.get_meeting(request, meeting_id)
        if not selectors.may_join_from(user=request.user, meeting=meeting, bridge_point_id=bridge_point_id):
            raise Http404
        if gone := _gone(meeting):
            return gone
        state = selectors.participant_for_join(user=request.user, meeting=meeting, bridge_point_id=bridge_point_id)
        if state is None:
            raise Http404
        return Response(join_config(state))


class SiteMixin(MeetingMixin):
    """A bridge point's own request: only its users (the join rule), only while the meeting runs."""

    required_perm = "live.join_room"

    def get_site(self, request: Request, meeting_id: int, bridge_point_id: int) -> tuple[Meeting, Any]:
        from sites.models import BridgePoint

        meeting = self.get_meeting(request, meeting_id)
        if not selectors.may_join_from(user=request.user, meeting=meeting, bridge_point_id=bridge_point_id):
            raise Http404
        return meeting, get_object_or_404(BridgePoint, pk=bridge_point_id)


class SessionClaimApi(SiteMixin, APIView):
    """
    POST the Janus session a bridge point's room page opened, before it joins: Janus's `joined` event
    with this site's participant id from any other session is refused as an impostor.
    """

    @extend_schema(request=schemas.SessionClaimSerializer, responses={204: None, 410: schemas.GoneSerializer})
    def post(self, request: Request, meeting_id: int, bridge_point_id: int) -> Response:
        meeting, _site = self.get_site(request, meeting_id, bridge_point_id)
        if gone := _gone(meeting):
            return gone
        data = schemas.SessionClaimSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        state = selectors.participant_for_join(user=request.user, meeting=meeting, bridge_point_id=bridge_point_id)
        if state is None:
            raise Http404
        services.participant_claim(state=state, session_id=data.validated_data["session_id"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class FloorRequestApi(SiteMixin, APIView):
    """POST: this site asks for the floor ("Xin phát biểu"); DELETE: it withdraws its request."""

    @extend_schema(request=None, responses=schemas.RoomStateSerializer)
    def post(self, request: Request, meeting_id: int, bridge_point_id: int) -> Response:
        meeting, site = self.get_site(request, meeting_id, bridge_point_id)
        services.floor_request(meeting=meeting, bridge_point=site, user=request.user)
        return Response(selectors.room_state(room=meeting.video_room, meeting=meeting))

    @extend_schema(request=None, responses=schemas.RoomStateSerializer)
    def delete(self, request: Request, meeting_id: int, bridge_point_id: int) -> Response:
        meeting, site = self.get_site(request, meeting_id, bridge_point_id)
        services.floor_withdraw(meeting=meeting, bridge_point=site, user=request.user)
        return Response(selectors.room_state(room=meeting.video_room, meeting=meeting))


class ChairActionApi(MeetingMixin, APIView):
    """
    A chair's action on the floor or the agenda: POST `input_serializer`'s fields, validated; the
    `service(meeting=, user=, **fields)` runs; the answer is the room state every page gets.
    """

    required_perm = "live.operate_room"
    input_serializer: type[serializers.Serializer] | None = None
    service: Callable[..., Any]

    def post(self, request: Request, meeting_id: int) -> Response:
        meeting = self.get_meeting(request, meeting_id)
        fields: dict[str, Any] = {}
        if self.input_serializer is not None:
            data = self.input_serializer(data=request.data)
            data.is_valid(raise_exception=True)
            fields = data.validated_data
        type(self).service(meeting=meeting, user=request.user, **fields)
        return Response(selectors.room_state(room=getattr(meeting, "video_room", None), meeting=meeting))


def _chair_schema(input_serializer: type[serializers.Serializer] | None) -> Any:
    return extend_schema_view(post=extend_schema(request=input_serializer, responses=schemas.RoomStateSerializer))


@_chair_schema(schemas.FloorGiveSerializer)
class FloorGiveApi(ChairActionApi):
    """The chair gives the floor to an invited site (its waiting request, or unasked)."""

    input_serializer = schemas.FloorGiveSerializer
    service = staticmethod(services.floor_give)


@_chair_schema(None)
class FloorTakeApi(ChairActionApi):
    """The chair takes the floor back."""

    service = staticmethod(services.floor_take)


@_chair_schema(schemas.FloorDeclineSerializer)
class FloorDeclineApi(ChairActionApi):
    """The chair declines a waiting request."""

    input_serializer = schemas.FloorDeclineSerializer
    service = staticmethod(services.floor_decline)


@_chair_schema(schemas.FloorModeSerializer)
class FloorModeApi(ChairActionApi):
    """Moderated (only the chair and the floor holder heard, enforced in Janus) or open."""

    input_serializer = schemas.FloorModeSerializer
    service = staticmethod(services.floor_mode_set)


@_chair_schema(schemas.AgendaSetSerializer)
class AgendaSetApi(ChairActionApi):
    """The chair moves to an agenda item; every room page shows it."""

    input_serializer = schemas.AgendaSetSerializer
    service = staticmethod(services.agenda_set)


class ReadinessApi(MeetingMixin, APIView):
    """POST a bridge point's checklist (camera, microphone, display, link)."""

    required_perm = "live.change_readinesscheck"

    @extend_schema(request=schemas.ReadinessInputSerializer, responses=schemas.ReadinessOutputSerializer)
    def post(self, request: Request, meeting_id: int, bridge_point_id: int) -> Response:
        from sites.models import BridgePoint

        meeting = self.get_meeting(request, meeting_id)
        get_object_or_404(BridgePoint.objects.visible_to(request.user), pk=bridge_point_id)
        invitation = get_object_or_404(meeting.invitations, bridge_point_id=bridge_point_id)
        data = schemas.ReadinessInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check = services.readiness_record(invitation=invitation, user=request.user, **data.validated_data)
        state = getattr(invitation, "participant_state", None)
        return Response(
            {
                "camera_ok": check.camera_ok,
                "microphone_ok": check.microphone_ok,
                "display_ok": check.display_ok,
                "link_ok": check.link_ok,
                "colour": selectors.readiness_colour(check=check, state=state),
            }
        )
