"""The host's moderation in a live meeting: mute (or unmute) and drop a site, each audited."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from common.exceptions import ApplicationError, ConflictError
from integrations.janus import JanusError
from integrations.janus.errors import ParticipantNotFoundError
from live.models import LiveAction, ParticipantState
from live.services.janus import janus_client, moderate_audio, room_secret
from live.services.participants import GONE, participant_update
from meetings.models import Meeting

if TYPE_CHECKING:
    from accounts.models import User


def _live_state(*, meeting: Meeting, state_id: int) -> ParticipantState:
    meeting.refresh_from_db(fields=["status"])
    if meeting.status != Meeting.Status.LIVE:
        raise ConflictError(_("The meeting is not live."))
    state = (
        ParticipantState.objects.select_related("video_room__server", "bridge_point")
        .filter(pk=state_id, video_room__meeting=meeting)
        .first()
    )
    if state is None or state.janus_id is None or not state.in_room:
        raise ConflictError(_("This site is not in the room."))
    return state


def participant_mute(*, meeting: Meeting, state_id: int, user: User, mute: bool = True) -> ParticipantState:
    """Mute (or unmute) a site's microphone in Janus (`moderate` on its audio stream); audited."""
    state = _live_state(meeting=meeting, state_id=state_id)
    room = state.video_room
    try:
        with janus_client(room.server) as janus:
            moderate_audio(janus, room, state, mute=mute)
    except ParticipantNotFoundError as exc:
        raise ConflictError(_("This site is not in the room.")) from exc
    except JanusError as exc:
        raise ApplicationError(_("The media server did not accept the request."), extra={"code": exc.code}) from exc
    with transaction.atomic():
        LiveAction.objects.create(
            meeting=meeting,
            action=LiveAction.Action.MUTE if mute else LiveAction.Action.UNMUTE,
            bridge_point=state.bridge_point,
            target=state.display,
            user=user,
        )
        state = ParticipantState.objects.select_for_update().get(pk=state.pk)
        participant_update(row=state, audio_muted=mute, talking=False if mute else state.talking)
    return state


def participant_drop(*, meeting: Meeting, state_id: int, user: User) -> ParticipantState:
    """Drop a site from the room (Janus `kick`); its attendance interval closes now; audited."""
    state = _live_state(meeting=meeting, state_id=state_id)
    room = state.video_room
    try:
        with janus_client(room.server) as janus:
            janus.room_kick(room.room_id, secret=room_secret(room.room_id), participant_id=state.janus_id)
    except ParticipantNotFoundError:
        pass  # already gone: mark it so
    except JanusError as exc:
        raise ApplicationError(_("The media server did not accept the request."), extra={"code": exc.code}) from exc
    with transaction.atomic():
        LiveAction.objects.create(
            meeting=meeting,
            action=LiveAction.Action.DROP,
            bridge_point=state.bridge_point,
            target=state.display,
            user=user,
        )
        state = ParticipantState.objects.select_for_update().get(pk=state.pk)
        participant_update(row=state, **GONE)
    return state
