"""
Write-side logic of live briefings: start and end a meeting, create and close its Janus room, the
host's mute and drop, attendance from media, and reconciling the portal with what Janus really has.

Janus calls happen outside long transactions; everything a browser must see is broadcast after
commit (`live.broadcast`). Services that tasks run are idempotent, so a task may run twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import ApplicationError, ConflictError
from integrations.janus import JanusAdminClient, JanusClient, JanusError, Participant, RoomSpec
from integrations.janus.errors import (
    JanusUnavailableError,
    ParticipantNotFoundError,
    RoomExistsError,
    RoomNotFoundError,
    VideoRoomUnauthorizedError,
)
from live import constants
from live.broadcast import delta_on_commit
from live.models import LiveAction, MediaServer, ParticipantState, ReadinessCheck, VideoRoom
from live.selectors import media_server_pick
from meetings.models import AttendanceInterval, Meeting, MeetingInvitation
from sites.choices import LinkRole
from sites.live import site_section_changed

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger("live.services")

State = ParticipantState.State
IN_MEDIA = (State.CONNECTED, State.PUBLISHING)


#
# Janus access
#


def room_secret(room_id: int) -> str:
    """The room's secret, derived from SECRET_KEY so it is never stored and never leaves the server."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"live-room:{room_id}".encode(), hashlib.sha256).hexdigest()[:40]


def janus_client(server: MediaServer) -> JanusClient:
    return JanusClient(
        server.api_url,
        api_secret=server.secret("api_secret"),
        admin_key=server.secret("admin_key"),
        timeout=settings.JANUS_TIMEOUT_SECONDS,
    )


def janus_admin_client(server: MediaServer) -> JanusAdminClient:
    return JanusAdminClient(
        server.admin_url, admin_secret=server.secret("admin_secret"), timeout=settings.JANUS_TIMEOUT_SECONDS
    )


def tokens_sync(*, server: MediaServer, wanted: set[str], prune: bool = False, known_absent: bool = False) -> None:
    """
    Make Janus's stored tokens (token_auth) include `wanted`, the join tokens that browsers use instead
    of the API secret; with `prune`, remove every other token; with `known_absent` (fresh tokens), skip
    listing them first. Skipped for a server without admin URL.
    """
    if not server.admin_url:
        return
    with janus_admin_client(server) as admin:
        present = set() if known_absent and not prune else set(admin.token_list())
        for token in wanted - present:
            admin.token_add(token)
        if prune:
            for token in present - wanted:
                admin.token_remove(token)


def _room_tokens(room: VideoRoom) -> set[str]:
    return set(room.participants.exclude(join_token="").values_list("join_token", flat=True))


def _new_janus_id(taken: set[int]) -> int:
    while True:
        value = secrets.randbelow(2**52) + 1  # below 2**53: exact in JavaScript numbers
        if value not in taken:
            taken.add(value)
            return value


def _bitrate_for(bandwidth_mbps: int | None) -> int:
    if not bandwidth_mbps:
        return constants.MAX_BITRATE
    cap = int(bandwidth_mbps * 1_000_000 * constants.LINK_SHARE)
    return max(constants.MIN_BITRATE, min(constants.MAX_BITRATE, cap))


def site_bitrates(bridge_point_ids: Iterable[int]) -> dict[int, int]:
    """Per-publisher bitrate cap of each bridge point, from its primary link (one query)."""
    from sites.models import NetworkLink

    ids = list(bridge_point_ids)
    bandwidth = dict(
        NetworkLink.objects.filter(bridge_point_id__in=ids, role=LinkRole.PRIMARY).values_list(
            "bridge_point_id", "bandwidth_mbps"
        )
    )
    return {pk: _bitrate_for(bandwidth.get(pk)) for pk in ids}


def site_bitrate(bridge_point_id: int) -> int:
    """Per-publisher bitrate cap for one bridge point."""
    return site_bitrates([bridge_point_id])[bridge_point_id]


def meeting_sites_changed(*, meeting: Meeting) -> None:
    """After commit, refresh the meetings section of the site page of the host and every invited site."""
    from sites.models import Site

    at_meeting = Q(rooms__bridge_point__invitations__meeting=meeting) | Q(
        rooms__bridge_point=meeting.host_bridge_point_id
    )
    for site_id in Site.objects.filter(at_meeting).values_list("pk", flat=True).distinct():
        site_section_changed(site_id=site_id, section="meetings.meetings")


#
# Room preparation and provisioning
#


@transaction.atomic
def room_prepare(*, meeting: Meeting) -> VideoRoom:
    """
    Make sure the meeting has a VideoRoom row on the least-loaded healthy server and a participant row
    (join token, participant id) for the host and every invited bridge point. Idempotent; adds rows
    for invitations made since the last call.
    """
    room = VideoRoom.objects.select_for_update().filter(meeting=meeting).first()
    if room is None:
        server = media_server_pick()
        if server is None:
            raise ApplicationError(_("No media server is available."))
        room_id = secrets.randbelow(2**52) + 1
        while VideoRoom.objects.filter(room_id=room_id).exists():  # pragma: no cover - 1 in 2**52
            room_id = secrets.randbelow(2**52) + 1
        room = VideoRoom.objects.create(
            meeting=meeting, server=server, room_id=room_id, pin=f"{secrets.randbelow(10**6):06d}"
        )
    rows = list(room.participants.values_list("bridge_point_id", "janus_id"))
    existing = {bp_id for bp_id, _janus_id in rows if bp_id is not None}
    taken = {janus_id for _bp_id, janus_id in rows if janus_id}
    expected = [(None, meeting.host_bridge_point)] + [
        (inv, inv.bridge_point) for inv in meeting.invitations.select_related("bridge_point")
    ]
    ParticipantState.objects.bulk_create(
        [
            ParticipantState(
                video_room=room,
                invitation=invitation,
                bridge_point=bridge_point,
                display=bridge_point.janus_display,
                join_token=secrets.token_urlsafe(24),
                janus_id=_new_janus_id(taken),
            )
            for invitation, bridge_point in expected
            if bridge_point.pk not in existing
        ]
    )
    links = list(site_bitrates(bp.pk for _inv, bp in expected).values())
    room.bitrate = min(links) if links else constants.MAX_BITRATE
    room.publishers = len(expected) + constants.SPARE_PUBLISHERS
    room.save(update_fields=["bitrate", "publishers", "updated_at"])
    return room


def _room_spec(room: VideoRoom) -> RoomSpec:
    tokens = tuple(room.participants.exclude(join_token="").values_list("join_token", flat=True))
    return RoomSpec(
        room_id=room.room_id,
        secret=room_secret(room.room_id),
        description=room.meeting.title[:100],
        pin=room.pin,
        allowed=tokens,
        publishers=room.publishers,
        bitrate=room.bitrate,
    )


def room_provision(*, meeting_id: int) -> VideoRoom | None:
    """
    Create the meeting's room in Janus unless it exists, then make its allowed list match the join
    tokens. Idempotent: a room that already exists (427) is ours, since ids are random and the secret
    is derived. Does nothing for a meeting that ended. Raises JanusUnavailableError to be retried.
    """
    meeting = Meeting.objects.get(pk=meeting_id)
    if meeting.status in (Meeting.Status.ENDED, Meeting.Status.CANCELLED):
        return None
    room = room_prepare(meeting=meeting)
    if room.status == VideoRoom.Status.CLOSED:
        return room
    spec = _room_spec(room)
    try:
        with janus_client(room.server) as janus:
            try:
                janus.room_create(spec)  # create first: one request in the usual case
                created = True
            except RoomExistsError:
                created = False  # an earlier attempt got through before timing out; ours (derived secret)
            if not created and spec.allowed:
                janus.room_allowed(room.room_id, secret=spec.secret, action="add", tokens=spec.allowed)
        tokens_sync(server=room.server, wanted=set(spec.allowed), known_absent=created)
    except JanusUnavailableError as exc:
        VideoRoom.objects.filter(pk=room.pk).update(last_error=str(exc)[:255])
        raise
    except JanusError as exc:
        VideoRoom.objects.filter(pk=room.pk).update(status=VideoRoom.Status.FAILED, last_error=str(exc)[:255])
        raise
    with transaction.atomic():
        room = VideoRoom.objects.select_for_update().get(pk=room.pk)
        was = room.status
        room.status = VideoRoom.Status.ACTIVE
        room.provisioned_at = timezone.now()
        room.last_error = ""
        room.save(update_fields=["status", "provisioned_at", "last_error", "updated_at"])
        if was != room.status:
            delta_on_commit(meeting=meeting, room=room, meeting_changed=True)
    return room


def room_close(*, meeting_id: int) -> None:
    """Kick everyone out, then destroy the room (kick first: JANUS.md §12). Idempotent."""
    room = VideoRoom.objects.select_related("server", "meeting").filter(meeting_id=meeting_id).first()
    if room is None:
        return
    secret = room_secret(room.room_id)
    try:
        with janus_client(room.server) as janus:
            try:
                for participant in janus.room_participants(room.room_id):
                    with contextlib.suppress(ParticipantNotFoundError):  # left meanwhile
                        janus.room_kick(room.room_id, secret=secret, participant_id=participant.id)
                janus.room_destroy(room.room_id, secret=secret)
            except RoomNotFoundError:
                pass  # already gone (destroyed before, or Janus restarted)
        if room.server.admin_url:
            with janus_admin_client(room.server) as admin:
                present = set(admin.token_list())
                for token in _room_tokens(room) & present:
                    admin.token_remove(token)
    except JanusUnavailableError:
        if room.server.is_healthy:
            raise
        # A dead server has no room to close; reconcile destroys it if the server comes back with it.
    with transaction.atomic():
        now = timezone.now()
        VideoRoom.objects.filter(pk=room.pk).update(status=VideoRoom.Status.CLOSED, closed_at=now)
        participants_all_gone(room=room, at=now, meeting=room.meeting)


#
# Meeting start and end (host actions)
#


@transaction.atomic
def meeting_start(*, meeting: Meeting, user: User) -> Meeting:
    """The host opens the live room: the meeting goes live and its room is created after commit."""
    from live.tasks import room_provision as room_provision_task

    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ConflictError(_("Only a scheduled meeting can start."), extra={"status": meeting.status})
    meeting.status = Meeting.Status.LIVE
    meeting.save(update_fields=["status", "updated_at"])
    LiveAction.objects.create(meeting=meeting, action=LiveAction.Action.START, user=user)
    meeting_sites_changed(meeting=meeting)
    room = room_prepare(meeting=meeting)
    # Sites already in the room for their test call count as attending from now on.
    now = timezone.now()
    for state in room.participants.filter(state__in=IN_MEDIA, bridge_point__isnull=False):
        _attendance_sync(state=state, meeting=meeting, at=now)
    delta_on_commit(meeting=meeting, room=room, meeting_changed=True)
    meeting_id = meeting.pk
    transaction.on_commit(lambda: room_provision_task.delay(meeting_id=meeting_id))
    return meeting


@transaction.atomic
def meeting_end(*, meeting: Meeting, user: User) -> Meeting:
    """The host ends the meeting: attendance closes now; the room is kicked and destroyed after commit."""
    from live.tasks import room_close as room_close_task

    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.LIVE:
        raise ConflictError(_("Only a live meeting can end."), extra={"status": meeting.status})
    meeting.status = Meeting.Status.ENDED
    meeting.save(update_fields=["status", "updated_at"])
    LiveAction.objects.create(meeting=meeting, action=LiveAction.Action.END, user=user)
    meeting_sites_changed(meeting=meeting)
    now = timezone.now()
    AttendanceInterval.objects.filter(
        meeting=meeting, source=AttendanceInterval.Source.MEDIA, left_at__isnull=True
    ).update(left_at=now)
    room = VideoRoom.objects.filter(meeting=meeting).first()
    delta_on_commit(meeting=meeting, room=room, meeting_changed=True)
    meeting_id = meeting.pk
    transaction.on_commit(lambda: room_close_task.delay(meeting_id=meeting_id))
    return meeting


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
            janus.room_moderate(
                room.room_id,
                secret=room_secret(room.room_id),
                participant_id=state.janus_id,
                mid=state.audio_mid,
                mute=mute,
            )
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


#
# Participant state and attendance
#

GONE: dict[str, Any] = {
    "state": State.NOT_CONNECTED,
    "talking": False,
    "media_received": False,
    "bitrate_kbps": 0,
    "loss_pct": 0.0,
    "session_id": None,
    "handle_id": None,
}


def _attendance_sync(*, state: ParticipantState, meeting: Meeting, at: datetime) -> None:
    """Open a media interval while a known site has media in a live meeting; close it otherwise."""
    if state.bridge_point_id is None:
        return
    open_intervals = AttendanceInterval.objects.filter(
        meeting=meeting, bridge_point_id=state.bridge_point_id, source=AttendanceInterval.Source.MEDIA
    ).filter(left_at__isnull=True)
    if state.state in IN_MEDIA and meeting.status == Meeting.Status.LIVE:
        if not open_intervals.exists():
            AttendanceInterval.objects.create(
                meeting=meeting,
                bridge_point_id=state.bridge_point_id,
                source=AttendanceInterval.Source.MEDIA,
                joined_at=at,
            )
    elif state.state == State.NOT_CONNECTED:
        open_intervals.update(left_at=at)


def participant_update(
    *, row: ParticipantState, at: datetime | None = None, broadcast: bool = True, **changes: Any
) -> bool:
    """
    Apply `changes` to a participant row; when anything the board shows changed, stamp the change time,
    keep attendance in step and queue a numbered delta. Returns whether anything changed. Runs inside
    the caller's transaction.
    """
    state = row
    changed = [name for name, value in changes.items() if getattr(state, name) != value]
    if not changed:
        return False
    for name in changed:
        setattr(state, name, changes[name])
    at = at or timezone.now()
    visible = set(changed) - {"session_id", "handle_id", "counters", "janus_id", "audio_mid"}
    if visible:
        state.changed_at = at
        changed.append("changed_at")
    state.save(update_fields=changed)  # only what changed: a stale copy must not undo other updates
    if "state" in changed:
        meeting = state.video_room.meeting
        _attendance_sync(state=state, meeting=meeting, at=at)
    if visible and broadcast:
        delta_on_commit(meeting=state.video_room.meeting, room=state.video_room, states=[state])
    return bool(visible)


def participants_all_gone(*, room: VideoRoom, at: datetime, meeting: Meeting) -> list[ParticipantState]:
    """Everyone left (room destroyed, server down): states reset, media intervals closed."""
    changed = []
    for state in room.participants.select_for_update().exclude(state=State.NOT_CONNECTED):
        for name, value in GONE.items():
            setattr(state, name, value)
        state.changed_at = at
        state.save()
        changed.append(state)
    AttendanceInterval.objects.filter(
        meeting=meeting, source=AttendanceInterval.Source.MEDIA, left_at__isnull=True
    ).update(left_at=at)
    delta_on_commit(meeting=meeting, room=room, states=changed)
    return changed


def participant_for_janus_id(
    *, room: VideoRoom, janus_id: int, display: str = "", create: bool = True
) -> ParticipantState | None:
    """
    The row of participant `janus_id`: the portal assigns each site its id, so this usually finds it;
    otherwise a site not in the room with the same display adopts the id; otherwise (if `create`) a new
    row with no bridge point, which the board flags as not invited.
    """
    state = room.participants.select_for_update().filter(janus_id=janus_id).first()
    if state is not None or not create:
        return state
    if display:
        state = (
            room.participants.select_for_update()
            .filter(display=display, state=State.NOT_CONNECTED, bridge_point__isnull=False)
            .first()
        )
        if state is not None:
            state.janus_id = janus_id
            state.save(update_fields=["janus_id"])
            return state
    return ParticipantState.objects.create(video_room=room, janus_id=janus_id, display=display[:120])


#
# Reconcile: make the portal agree with Janus (events can be lost: JANUS.md §9, §11.1)
#


@dataclass
class ReconcileReport:
    servers_down: int = 0
    rooms_created: int = 0
    rooms_destroyed: int = 0
    rooms_closed: int = 0
    participants_fixed: int = 0


def participants_reconcile(*, room: VideoRoom, participants: Iterable[Participant]) -> int:
    """Align the room's rows with `listparticipants`; returns how many rows changed."""
    now = timezone.now()
    fixed = 0
    with transaction.atomic():
        present: set[int] = set()
        for participant in participants:
            present.add(participant.id)
            state = participant_for_janus_id(room=room, janus_id=participant.id, display=participant.display)
            if state is None:  # pragma: no cover - create=True always returns a row
                continue
            target = State.PUBLISHING if participant.publisher else State.CONNECTING
            if state.state == State.CONNECTED and not participant.publisher:
                target = State.CONNECTED  # media up but not (yet) publishing
            fixed += participant_update(
                row=state, at=now, state=target, talking=participant.talking and not state.audio_muted
            )
        for state in room.participants.select_for_update().exclude(state=State.NOT_CONNECTED):
            if state.janus_id not in present:
                fixed += participant_update(row=state, at=now, **GONE)
    return fixed


def _live_rooms(server: MediaServer) -> list[VideoRoom]:
    horizon = timezone.now() + timedelta(seconds=constants.PROVISION_AHEAD)
    return list(
        VideoRoom.objects.select_related("meeting", "server")
        .filter(server=server, status__in=[VideoRoom.Status.PENDING, VideoRoom.Status.ACTIVE, VideoRoom.Status.FAILED])
        .filter(
            Q(meeting__status=Meeting.Status.LIVE)
            | Q(meeting__status=Meeting.Status.SCHEDULED, meeting__starts_at__lte=horizon)
        )
    )


def server_mark_down(*, server: MediaServer, error: str) -> None:
    """A server stopped answering (or shut down): its rooms' participants are gone."""
    with transaction.atomic():
        MediaServer.objects.filter(pk=server.pk).update(
            is_healthy=False, last_checked_at=timezone.now(), last_error=error[:255]
        )
        now = timezone.now()
        for room in VideoRoom.objects.select_related("meeting").filter(server=server, status=VideoRoom.Status.ACTIVE):
            participants_all_gone(room=room, at=now, meeting=room.meeting)


def server_reconcile(*, server: MediaServer, participants: bool = True) -> ReconcileReport:
    """
    One pass for one server: health; recreate the rooms of live (and soon-starting) meetings that Janus
    lacks (after a restart); destroy rooms no meeting owns; close rooms of ended meetings; align
    participants with `listparticipants`.
    """
    report = ReconcileReport()
    try:
        with janus_client(server) as janus:
            janus_rooms = {r.room_id for r in janus.room_list()}
            MediaServer.objects.filter(pk=server.pk).update(
                is_healthy=True, last_checked_at=timezone.now(), last_error=""
            )
            wanted = _live_rooms(server)
            wanted_ids = {room.room_id for room in wanted}
            for room in wanted:
                if room.room_id not in janus_rooms:
                    if room.provisioned_at is not None:
                        # It existed and vanished: whoever was in it is gone.
                        with transaction.atomic():
                            participants_all_gone(room=room, at=timezone.now(), meeting=room.meeting)
                    with contextlib.suppress(RoomExistsError):
                        janus.room_create(_room_spec(room))
                    with transaction.atomic():
                        VideoRoom.objects.filter(pk=room.pk).update(
                            status=VideoRoom.Status.ACTIVE, provisioned_at=timezone.now(), last_error=""
                        )
                        room.status = VideoRoom.Status.ACTIVE
                        delta_on_commit(meeting=room.meeting, room=room, meeting_changed=True)
                    report.rooms_created += 1
                elif participants and room.meeting.status == Meeting.Status.LIVE:
                    try:
                        listed = janus.room_participants(room.room_id)
                    except RoomNotFoundError:
                        continue
                    report.participants_fixed += participants_reconcile(room=room, participants=listed)
            owned = set(
                VideoRoom.objects.filter(server=server)
                .exclude(status=VideoRoom.Status.CLOSED)
                .values_list("room_id", flat=True)
            )
            for room_id in janus_rooms - wanted_ids - owned:
                try:
                    janus.room_destroy(room_id, secret=room_secret(room_id))
                    report.rooms_destroyed += 1
                except VideoRoomUnauthorizedError:
                    logger.warning("room %s on %s is not the portal's; left alone", room_id, server)
                except RoomNotFoundError:
                    pass
        wanted_tokens: set[str] = set()
        for room in wanted:
            wanted_tokens |= _room_tokens(room)
        tokens_sync(server=server, wanted=wanted_tokens, prune=True)
    except JanusUnavailableError as exc:
        server_mark_down(server=server, error=str(exc))
        report.servers_down += 1
        return report
    # Rooms still open for meetings that ended or were cancelled (a lost room_close task).
    for room in VideoRoom.objects.filter(server=server, status=VideoRoom.Status.ACTIVE).filter(
        meeting__status__in=[Meeting.Status.ENDED, Meeting.Status.CANCELLED]
    ):
        room_close(meeting_id=room.meeting_id)
        report.rooms_closed += 1
    return report


def reconcile_all(*, participants: bool = True) -> ReconcileReport:
    """Reconcile every enabled server, and prepare rooms for meetings that start within the hour."""
    total = ReconcileReport()
    horizon = timezone.now() + timedelta(seconds=constants.PROVISION_AHEAD)
    for meeting in Meeting.objects.filter(
        Q(status=Meeting.Status.LIVE) | Q(status=Meeting.Status.SCHEDULED, starts_at__lte=horizon),
        video_room__isnull=True,
        ends_at__gt=timezone.now(),
    ):
        try:
            room_prepare(meeting=meeting)
        except ApplicationError:
            break  # no server: nothing else can be placed either
    for server in MediaServer.objects.filter(is_enabled=True):
        report = server_reconcile(server=server, participants=participants)
        for name in vars(total):
            setattr(total, name, getattr(total, name) + getattr(report, name))
    return total


#
# Readiness
#


@transaction.atomic
def readiness_record(*, invitation: MeetingInvitation, user: User, **checks: bool) -> ReadinessCheck:
    """Save a site's checklist (camera, microphone, display, link)."""
    allowed = {"camera_ok", "microphone_ok", "display_ok", "link_ok"}
    unknown = set(checks) - allowed
    if unknown:
        raise ApplicationError(_("Unknown checklist item."), extra={"items": sorted(unknown)})
    check, _created = ReadinessCheck.objects.get_or_create(invitation=invitation)
    for name, value in checks.items():
        setattr(check, name, bool(value))
    check.checked_by = user
    check.save()
    return check


def readiness_from_state(*, state: ParticipantState) -> None:
    """A test call before the start: remember that it published and that Janus received its media."""
    if state.invitation_id is None:
        return
    meeting = state.video_room.meeting
    if meeting.status != Meeting.Status.SCHEDULED:
        return
    published = state.state == State.PUBLISHING
    if not (published or state.media_received):
        return
    check, _created = ReadinessCheck.objects.get_or_create(invitation_id=state.invitation_id)
    check.test_call_at = timezone.now()
    check.test_call_published = check.test_call_published or published
    check.test_call_media_received = check.test_call_media_received or state.media_received
    check.save(update_fields=["test_call_at", "test_call_published", "test_call_media_received", "updated_at"])
