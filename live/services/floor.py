"""
The floor of a live briefing (b18, b19): communes ask for the floor ("Xin phát biểu"), the chair gives
it and takes it back, moves through the agenda and chooses whether the room is moderated (only the
chair's hall and the floor holder are heard: every other site's microphone is muted *in Janus*) or
open. Each turn is a `FloorTurn` row; every room page hears the change as a numbered delta.

Janus is told synchronously from the chair's request (a few ms per site on one connection); a site
that publishes later is brought in line by `floor_enforce` (a task queued by its `published` event).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import ApplicationError, ConflictError
from integrations.janus import JanusError
from integrations.janus.errors import JanusUnavailableError, ParticipantNotFoundError, RoomNotFoundError
from live.broadcast import room_state_on_commit
from live.models import FloorMode, LiveAction, ParticipantState, VideoRoom
from live.services.janus import janus_client, moderate_audio, room_secret
from live.services.participants import participant_update
from meetings.models import AgendaItem, FloorTurn, Meeting

if TYPE_CHECKING:
    from accounts.models import User
    from sites.models import BridgePoint

logger = logging.getLogger("live.floor")

State = ParticipantState.State
Status = FloorTurn.Status


def _live_room(meeting: Meeting) -> VideoRoom:
    """
    The room of a live meeting, or a 409. Floor changes of one meeting are serialised on the meeting
    row, not the room row: Janus events lock a participant and then the room (its delta number), and
    a floor change touches participants before the room, in the same order, so the two never deadlock.
    """
    status = Meeting.objects.select_for_update().filter(pk=meeting.pk).values_list("status", flat=True).first()
    if status != Meeting.Status.LIVE:
        raise ConflictError(_("The meeting is not live."))
    meeting.status = status
    room = (
        VideoRoom.objects.select_related("server", "meeting")
        .exclude(status=VideoRoom.Status.CLOSED)
        .filter(meeting=meeting)
        .first()
    )
    if room is None:
        raise ConflictError(_("The video room is not open yet."))
    return room


def _speaking(meeting: Meeting) -> FloorTurn | None:
    return FloorTurn.objects.select_for_update().filter(meeting=meeting, status=Status.SPEAKING).first()


def heard(*, room: VideoRoom, state: ParticipantState, holder_id: int | None) -> bool:
    """Should this site's microphone reach the others? Always in an open room; else chair and floor holder."""
    if room.floor_mode == FloorMode.OPEN:
        return True
    if state.bridge_point_id is None:
        return False  # not invited: never heard in a moderated room
    is_host = state.invitation_id is None
    return is_host or state.bridge_point_id == holder_id


def _moderate(room: VideoRoom, changes: Iterable[tuple[ParticipantState, bool]]) -> list[ParticipantState]:
    """
    Mute or unmute each (state, mute) in Janus on one connection; returns the states Janus changed.
    A site that left meanwhile is skipped; a server that does not answer is a clear error.
    """
    done = []
    changes = [(state, mute) for state, mute in changes if state.janus_id and state.in_room]
    if not changes:
        return done
    try:
        with janus_client(room.server) as janus:
            for state, mute in changes:
                try:
                    moderate_audio(janus, room, state, mute=mute)
                except (ParticipantNotFoundError, RoomNotFoundError):
                    continue  # not publishing (yet): `floor_enforce` runs when it publishes
                done.append(state)
    except JanusUnavailableError as exc:
        raise ApplicationError(_("The media server does not answer; try again in a moment.")) from exc
    except JanusError as exc:
        raise ApplicationError(_("The media server did not accept the request."), extra={"code": exc.code}) from exc
    return done


def _apply_floor(room: VideoRoom, holder_id: int | None) -> None:
    """
    Make Janus match the floor: who should be heard is unmuted, everyone else muted; a screen that
    may no longer be shared (the holder lost the floor, or the chair stopped sharing by the floor)
    is stopped in Janus after commit by `floor_enforce`, whatever the site's page does.
    """
    from live.tasks import floor_enforce

    states = list(room.participants.select_related("bridge_point").filter(state=State.PUBLISHING).order_by("pk"))
    wanted = [(state, not heard(room=room, state=state, holder_id=holder_id)) for state in states]
    changed = _moderate(room, [(state, mute) for state, mute in wanted if state.audio_muted != mute])
    for state in changed:
        participant_update(row=state, audio_muted=not state.audio_muted, talking=False)
    for state in room.participants.select_related("bridge_point").filter(sharing=True):
        if not share_allowed(room=room, state=state, holder_id=holder_id):
            transaction.on_commit(partial(floor_enforce.delay, state_id=state.pk), robust=True)


def _audit(meeting: Meeting, action: str, user: User | None, bridge_point: BridgePoint | None = None, target=""):
    LiveAction.objects.create(
        meeting=meeting, action=action, user=user, bridge_point=bridge_point, target=str(target)[:120]
    )


#
# A commune asks
#


@transaction.atomic
def floor_request(*, meeting: Meeting, bridge_point: BridgePoint, user: User) -> FloorTurn:
    """A site asks for the floor ("Xin phát biểu"); the request waits in order on the chair's page."""
    room = _live_room(meeting)
    if bridge_point.pk == meeting.host_bridge_point_id:
        raise ApplicationError(_("The chair's hall does not need to ask for the floor."))
    if not meeting.invitations.filter(bridge_point=bridge_point).exists():
        raise ApplicationError(_("This site is not invited to the meeting."))
    if FloorTurn.objects.filter(meeting=meeting, bridge_point=bridge_point, status=Status.SPEAKING).exists():
        raise ConflictError(_("This site already has the floor."))
    try:
        with transaction.atomic():
            turn = FloorTurn.objects.create(
                meeting=meeting,
                bridge_point=bridge_point,
                agenda_item_id=room.current_agenda_item_id,
                requested_at=timezone.now(),
                requested_by=user,
            )
    except IntegrityError as exc:
        raise ConflictError(_("This site has already asked for the floor.")) from exc
    room_state_on_commit(room=room)
    return turn


def _close_request(meeting: Meeting, status: str, missing: str, **lookup) -> None:
    """A waiting request leaves the queue (withdrawn by its site or declined by the chair)."""
    room = _live_room(meeting)
    count = FloorTurn.objects.filter(meeting=meeting, status=Status.REQUESTED, **lookup).update(
        status=status, ended_at=timezone.now()
    )
    if not count:
        raise ConflictError(missing)
    room_state_on_commit(room=room)


@transaction.atomic
def floor_withdraw(*, meeting: Meeting, bridge_point: BridgePoint, user: User) -> None:
    """A site takes back its request before it was given the floor."""
    _close_request(
        meeting,
        Status.WITHDRAWN,
        _("This site has no request waiting."),
        bridge_point=bridge_point,
    )


#
# The chair decides
#


def _end_turn(turn: FloorTurn, now) -> None:
    turn.status, turn.ended_at = Status.DONE, now
    turn.save(update_fields=["status", "ended_at"])


@transaction.atomic
def floor_give(*, meeting: Meeting, user: User, bridge_point_id: int) -> FloorTurn:
    """
    The chair gives the floor to a site (its waiting request, or unasked): the previous holder's turn
    ends, and in a moderated room the new holder is unmuted and the previous one muted, in Janus.
    """
    room = _live_room(meeting)
    invitation = meeting.invitations.select_related("bridge_point").filter(bridge_point_id=bridge_point_id).first()
    if invitation is None:
        raise ApplicationError(_("This site is not invited to the meeting."))
    now = timezone.now()
    current = _speaking(meeting)
    if current is not None and current.bridge_point_id == bridge_point_id:
        return current
    if current is not None:
        _end_turn(current, now)
    turn = FloorTurn.objects.select_for_update().filter(
        meeting=meeting, bridge_point_id=bridge_point_id, status=Status.REQUESTED
    ).first() or FloorTurn(meeting=meeting, bridge_point_id=bridge_point_id)
    turn.status, turn.started_at, turn.given_by = Status.SPEAKING, now, user
    turn.agenda_item_id = room.current_agenda_item_id or turn.agenda_item_id
    turn.save()
    _audit(meeting, LiveAction.Action.FLOOR_GIVE, user, invitation.bridge_point, invitation.bridge_point.janus_display)
    _apply_floor(room, bridge_point_id)
    room_state_on_commit(room=room)
    return turn


@transaction.atomic
def floor_take(*, meeting: Meeting, user: User) -> FloorTurn | None:
    """The chair takes the floor back; in a moderated room the holder is muted again."""
    room = _live_room(meeting)
    current = _speaking(meeting)
    if current is None:
        return None
    _end_turn(current, timezone.now())
    _audit(meeting, LiveAction.Action.FLOOR_TAKE, user, current.bridge_point, current.bridge_point.janus_display)
    _apply_floor(room, None)
    room_state_on_commit(room=room)
    return current


@transaction.atomic
def floor_decline(*, meeting: Meeting, user: User, turn_id: int) -> None:
    """The chair declines a waiting request (e.g. already answered); it leaves the queue."""
    _close_request(meeting, Status.DECLINED, _("This request is no longer waiting."), pk=turn_id)


@transaction.atomic
def floor_mode_set(*, meeting: Meeting, user: User, mode: str, share_by_floor: bool | None = None) -> VideoRoom:
    """Moderated or open, and whether the floor holder may share; Janus's mutes follow at once."""
    if mode not in FloorMode.values:
        raise ApplicationError(_("Unknown floor mode."), extra={"mode": mode})
    room = _live_room(meeting)
    room.floor_mode = mode
    if share_by_floor is not None:
        room.share_by_floor = share_by_floor
    _audit(meeting, LiveAction.Action.FLOOR_MODE, user, target=FloorMode(mode).label)
    current = _speaking(meeting)
    _apply_floor(room, current.bridge_point_id if current else None)
    room.save(update_fields=["floor_mode", "share_by_floor", "updated_at"])  # the room row last (see _live_room)
    room_state_on_commit(room=room)
    return room


@transaction.atomic
def agenda_set(*, meeting: Meeting, user: User, item_id: int | None) -> VideoRoom:
    """The chair moves to an agenda item (or none); every room page shows it."""
    room = _live_room(meeting)
    item = None
    if item_id is not None:
        item = AgendaItem.objects.filter(meeting=meeting, pk=item_id).first()
        if item is None:
            raise ApplicationError(_("This item is not on the meeting's agenda."))
    room.current_agenda_item = item
    room.save(update_fields=["current_agenda_item", "updated_at"])
    _audit(meeting, LiveAction.Action.AGENDA, user, target=item.title if item else "")
    # A turn in progress belongs to the item being discussed when it started; nothing to move.
    room_state_on_commit(room=room)
    return room


def floor_turns_end(*, meeting: Meeting, at) -> None:
    """The meeting ended: the turn in progress ends and waiting requests lapse (inside the caller's atomic)."""
    FloorTurn.objects.filter(meeting=meeting, status=Status.SPEAKING).update(status=Status.DONE, ended_at=at)
    FloorTurn.objects.filter(meeting=meeting, status=Status.REQUESTED).update(status=Status.WITHDRAWN, ended_at=at)


#
# Enforcement when a site (re)publishes
#


@transaction.atomic
def floor_enforce(*, state_id: int) -> None:
    """
    A site started publishing (joined, rejoined after a failure, or a new Janus): mute it in Janus when
    a moderated room should not hear it, and refuse a screen share it may not make. Idempotent.

    Decided under the meeting's lock, like every floor change (`_live_room`): read unlocked, the floor
    holder could be the one before a `floor_give` that was committing, and the new holder, published a
    moment earlier, was muted for its whole turn (a CI run: the chair gave the floor as the site's
    `published` event queued this task, and Janus never heard the site).
    """
    meeting_id = ParticipantState.objects.filter(pk=state_id).values_list("video_room__meeting_id", flat=True).first()
    status = Meeting.objects.select_for_update().filter(pk=meeting_id).values_list("status", flat=True).first()
    if status != Meeting.Status.LIVE:
        return
    state = (
        ParticipantState.objects.select_for_update(of=("self",))
        .select_related("video_room__server", "video_room__meeting", "bridge_point")
        .get(pk=state_id)
    )
    room = state.video_room
    if room.status == VideoRoom.Status.CLOSED:
        return
    holder_id = (
        FloorTurn.objects.filter(meeting_id=meeting_id, status=Status.SPEAKING)
        .values_list("bridge_point_id", flat=True)
        .first()
    )
    if state.sharing and state.share_janus_id and not share_allowed(room=room, state=state, holder_id=holder_id):
        try:
            with janus_client(room.server) as janus:
                janus.room_kick(room.room_id, secret=room_secret(room.room_id), participant_id=state.share_janus_id)
        except (ParticipantNotFoundError, RoomNotFoundError):
            pass
        participant_update(row=state, sharing=False)
    if state.state != State.PUBLISHING:
        return
    mute = not heard(room=room, state=state, holder_id=holder_id)
    if mute != state.audio_muted and _moderate(room, [(state, mute)]):
        participant_update(row=state, audio_muted=mute, talking=False)


def share_allowed(*, room: VideoRoom, state: ParticipantState, holder_id: int | None) -> bool:
    """The chair's hall may always share; the floor holder when the chair allows it."""
    if state.bridge_point_id is None:
        return False
    if state.invitation_id is None:
        return True
    return room.share_by_floor and state.bridge_point_id == holder_id


def participant_refuse(*, room_pk: int, janus_id: int) -> None:
    """Kick an impostor out of the room (it was audited and flagged when it joined). Idempotent."""
    room = VideoRoom.objects.select_related("server").filter(pk=room_pk).exclude(status=VideoRoom.Status.CLOSED).first()
    if room is None:
        return
    with janus_client(room.server) as janus, contextlib.suppress(ParticipantNotFoundError, RoomNotFoundError):
        janus.room_kick(room.room_id, secret=room_secret(room.room_id), participant_id=janus_id)


@transaction.atomic
def participant_claim(*, state: ParticipantState, session_id: int) -> None:
    """The site's room page opened Janus session `session_id` and is about to join from it."""
    ParticipantState.objects.filter(pk=state.pk).update(claimed_session_id=session_id)
