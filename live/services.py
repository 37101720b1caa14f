"""
Write-side logic of live briefings: start and end a meeting, create and close its Janus room, the
host's mute and drop, attendance from media, and reconciling the portal with what Janus really has.

Janus calls happen outside long transactions; everything a browser must see is broadcast after
commit (`live.broadcast`). Services that tasks run are idempotent, so a task may run twice.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import heapq
import hmac
import logging
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import redis
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
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
from live.broadcast import delta_on_commit, rooms_changed_on_commit
from live.models import LiveAction, MediaServer, ParticipantState, ReadinessCheck, VideoRoom
from live.selectors import media_servers_by_load, media_servers_usable
from meetings.models import AttendanceInterval, Meeting, MeetingInvitation
from sites.choices import LinkRole
from sites.live import sites_section_changed

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


def tokens_sync(*, server: MediaServer, wanted: Callable[[], set[str]]) -> None:
    """
    Make Janus's stored tokens (token_auth), the join tokens that browsers use instead of the API
    secret, exactly `wanted()`. It is called after listing what Janus has: a token Janus has was added
    after its row committed, so a room being provisioned meanwhile keeps its tokens. Skipped for a
    server without admin URL.
    """
    if not server.admin_url:
        return
    with janus_admin_client(server) as admin:
        present = set(admin.token_list())
        tokens = wanted()
        errors = admin.tokens_add(sorted(tokens - present))
        if errors:
            raise next(iter(errors.values()))
        for token in present - tokens:
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
    site_ids = Site.objects.filter(at_meeting).values_list("pk", flat=True).distinct()
    sites_section_changed(site_ids=site_ids, section="meetings.meetings")


#
# Room preparation and provisioning
#
# `meeting_start` prepares the room's rows in its transaction and leaves the Janus room for after
# commit. Starts that arrive together are provisioned together: each start adds its meeting to a Redis
# set after commit (`provision_enqueue`), and one `rooms_provision_pending` task drains the set in
# batches (`rooms_provision`): a fixed number of queries per batch, and per media server one Janus
# session and one admin connection whose requests are pipelined. Nothing depends on the set: a start
# whose entry is lost (Redis flushed, a worker killed after taking it) leaves a PENDING room of a live
# meeting, which the periodic reconcile provisions once it is older than PROVISION_GRACE
# (`reconcile_all`).
#

PROVISION_PENDING_KEY = "live:provision:pending"  # meeting ids waiting for their room in Janus
PROVISION_SCHEDULED_KEY = "live:provision:scheduled"  # set while a drain task is queued or running


@dataclass
class _Prepared:
    """
    A prepared room, the join tokens of all its participant rows (Janus's allowed list), and whether
    this call created it (so no one has been in it yet).
    """

    room: VideoRoom
    tokens: tuple[str, ...]
    fresh: bool = False


def _new_room_ids(count: int) -> list[int]:
    """`count` random room ids that no room uses (below 2**53: exact in JavaScript numbers)."""
    ids: set[int] = set()
    while len(ids) < count:
        candidates = {secrets.randbelow(2**52) + 1 for _ in range(count - len(ids))} - ids
        taken = set(VideoRoom.objects.filter(room_id__in=candidates).values_list("room_id", flat=True))
        ids |= candidates - taken  # a clash (1 in 2**52) is drawn again
    return list(ids)


def _rooms_place(meetings: Sequence[Meeting], sizes: dict[int, tuple[int, int]]) -> dict[int, VideoRoom]:
    """
    Create the room rows of `meetings`, each on the least-loaded healthy server at that point, with
    its (bitrate, publishers) from `sizes`; returns the rows tried, by meeting id (without pk).
    """
    servers = [(server.load, server.pk, server) for server in media_servers_by_load()]
    if not servers:
        return {}
    heapq.heapify(servers)
    rooms = []
    for meeting, room_id in zip(meetings, _new_room_ids(len(meetings)), strict=True):
        load, pk, server = heapq.heappop(servers)
        heapq.heappush(servers, (load + 1, pk, server))
        bitrate, publishers = sizes[meeting.pk]
        rooms.append(
            VideoRoom(
                meeting=meeting,
                server=server,
                room_id=room_id,
                pin=f"{secrets.randbelow(10**6):06d}",
                bitrate=bitrate,
                publishers=publishers,
            )
        )
    # A concurrent prepare of the same meeting may have won: its row stays, ours is dropped.
    VideoRoom.objects.bulk_create(rooms, ignore_conflicts=True)
    return {room.meeting_id: room for room in rooms}


def _rooms_prepare(*, meetings: Sequence[Meeting]) -> dict[int, _Prepared]:
    """
    Batched `room_prepare` (inside the caller's transaction), by meeting id: rooms are placed, and
    participant rows added, for all `meetings` with a fixed number of queries (about ten). A meeting
    missing from the result could not be placed (no healthy server).
    """
    by_id = {meeting.pk: meeting for meeting in meetings}
    if not by_id:
        return {}
    # Who is expected in each room: (invitation id, bridge point id, display), the host first.
    expected: dict[int, list[tuple[int | None, int, str]]] = {
        meeting.pk: [(None, meeting.host_bridge_point_id, meeting.host_bridge_point.janus_display)]
        for meeting in meetings
    }
    for meeting_id, invitation_id, bp_id, display in MeetingInvitation.objects.filter(
        meeting_id__in=list(by_id)
    ).values_list("meeting_id", "pk", "bridge_point_id", "bridge_point__janus_display"):
        expected[meeting_id].append((invitation_id, bp_id, display))
    bitrates = site_bitrates({bp_id for rows in expected.values() for _inv, bp_id, _display in rows})
    sizes = {
        pk: (min(bitrates[bp_id] for _inv, bp_id, _display in rows), len(rows) + constants.SPARE_PUBLISHERS)
        for pk, rows in expected.items()
    }

    def locked_rooms(ids: Iterable[int]) -> dict[int, VideoRoom]:
        rows = VideoRoom.objects.select_for_update().filter(meeting_id__in=list(ids))
        return {room.meeting_id: room for room in rows}

    rooms = locked_rooms(by_id)
    missing = [meeting for pk, meeting in by_id.items() if pk not in rooms]
    placed = _rooms_place(missing, sizes) if missing else {}
    if placed:
        rooms.update(locked_rooms(placed))
    if not rooms:
        return {}
    fresh = {pk for pk, room in rooms.items() if pk in placed and placed[pk].room_id == room.room_id}
    servers = {room.server_id: room.server for pk, room in placed.items() if pk in fresh}
    if unknown := {room.server_id for room in rooms.values()} - set(servers):
        servers |= MediaServer.objects.in_bulk(unknown)
    existing: dict[int, set[int]] = defaultdict(set)  # room pk → bridge points with a row
    taken: dict[int, set[int]] = defaultdict(set)  # room pk → participant ids in use
    tokens: dict[int, list[str]] = defaultdict(list)
    older = [room.pk for pk, room in rooms.items() if pk not in fresh]  # fresh rooms have no rows yet
    for room_pk, bp_id, janus_id, token in ParticipantState.objects.filter(video_room__in=older).values_list(
        "video_room_id", "bridge_point_id", "janus_id", "join_token"
    ):
        if bp_id is not None:
            existing[room_pk].add(bp_id)
        if janus_id:
            taken[room_pk].add(janus_id)
        if token:
            tokens[room_pk].append(token)
    new_rows: list[ParticipantState] = []
    resized: dict[tuple[int, int], list[int]] = defaultdict(list)
    for meeting_pk, room in rooms.items():
        room.meeting, room.server = by_id[meeting_pk], servers[room.server_id]
        for invitation_id, bp_id, display in expected[meeting_pk]:
            if bp_id in existing[room.pk]:
                continue
            existing[room.pk].add(bp_id)
            row = ParticipantState(
                video_room=room,
                invitation_id=invitation_id,
                bridge_point_id=bp_id,
                display=display,
                join_token=secrets.token_urlsafe(24),
                janus_id=_new_janus_id(taken[room.pk]),
            )
            new_rows.append(row)
            tokens[room.pk].append(row.join_token)
        if (room.bitrate, room.publishers) != sizes[meeting_pk]:
            room.bitrate, room.publishers = sizes[meeting_pk]
            resized[sizes[meeting_pk]].append(room.pk)
    ParticipantState.objects.bulk_create(new_rows)
    for (bitrate, publishers), pks in resized.items():  # invitations changed: rare, and few distinct sizes
        VideoRoom.objects.filter(pk__in=pks).update(bitrate=bitrate, publishers=publishers, updated_at=timezone.now())
    return {pk: _Prepared(room=room, tokens=tuple(tokens[room.pk]), fresh=pk in fresh) for pk, room in rooms.items()}


@transaction.atomic
def room_prepare(*, meeting: Meeting) -> VideoRoom:
    """
    Make sure the meeting has a VideoRoom row on the least-loaded healthy server and a participant row
    (join token, participant id) for the host and every invited bridge point. Idempotent; adds rows
    for invitations made since the last call.
    """
    prepared = _rooms_prepare(meetings=[meeting]).get(meeting.pk)
    if prepared is None:
        raise ApplicationError(_("No media server is available."))
    return prepared.room


def _room_spec(room: VideoRoom, tokens: Iterable[str] | None = None) -> RoomSpec:
    if tokens is None:
        tokens = room.participants.exclude(join_token="").values_list("join_token", flat=True)
    return RoomSpec(
        room_id=room.room_id,
        secret=room_secret(room.room_id),
        description=room.meeting.title[:100],
        pin=room.pin,
        allowed=tuple(tokens),
        publishers=room.publishers,
        bitrate=room.bitrate,
    )


def _rooms_janus_create(*, server: MediaServer, prepared: Sequence[_Prepared]) -> dict[int, JanusError]:
    """
    Create the rooms of `prepared` (all on `server`) in Janus over one session, then add their join
    tokens to Janus's token store over one admin connection; both pipelined. A room that already
    exists (427) is ours (random id, derived secret): its allowed list gets the tokens. Returns the
    error of each room (by pk) that failed: JanusUnavailableError when the server did not answer for
    it (it may exist: the retry finds it), another JanusError when Janus refused it.
    """
    errors: dict[int, JanusError] = {}
    existed: list[tuple[_Prepared, RoomSpec]] = []
    specs = [_room_spec(item.room, item.tokens) for item in prepared]
    with janus_client(server) as janus:
        for item, spec, error in zip(prepared, specs, janus.rooms_create(specs), strict=True):
            if isinstance(error, RoomExistsError):  # ours: an earlier attempt, or reconcile ahead of the start
                existed.append((item, spec))
            elif error is not None:
                errors[item.room.pk] = error
        allow = [(item, spec) for item, spec in existed if spec.allowed]
        for (item, _spec), error in zip(allow, janus.rooms_allow([spec for _item, spec in allow]), strict=True):
            if error is not None:
                errors[item.room.pk] = error
    created = [item for item in prepared if item.room.pk not in errors]
    if not server.admin_url or not created:
        return errors
    try:
        with janus_admin_client(server) as admin:
            # Fresh rooms have fresh tokens; list what Janus has only when a room existed before.
            present = set(admin.token_list()) if existed else set()
            owner = {token: item.room.pk for item in created for token in item.tokens if token not in present}
            for token, exc in admin.tokens_add(list(owner)).items():
                errors.setdefault(owner[token], exc)
    except JanusError as exc:
        for item in created:
            errors[item.room.pk] = exc
    return errors


def rooms_provision(*, meeting_ids: Sequence[int]) -> list[VideoRoom]:
    """
    Create the rooms of many meetings in Janus (unless they exist), with their join tokens; the batched
    form of `room_provision`. Rows are prepared for all meetings at once (`_rooms_prepare`), each media
    server gets one Janus session and one admin connection for its share, the rooms that made it turn
    ACTIVE in one UPDATE and their boards get one delta each after commit.

    One room's failure does not stop the others: a room Janus refused (a JanusError) turns FAILED; a
    room whose server did not answer keeps its status and gets `last_error`, for a retry. Each returned
    room carries `provision_error` (None, or the error). Meetings that ended, were cancelled, do not
    exist or could not be placed (no healthy server) are left out. Idempotent.
    """
    meetings = list(
        Meeting.objects.select_related("host_bridge_point")
        .filter(pk__in=list(meeting_ids))
        .exclude(status__in=[Meeting.Status.ENDED, Meeting.Status.CANCELLED])
    )
    with transaction.atomic():
        prepared = _rooms_prepare(meetings=meetings)
    by_server: dict[int, list[_Prepared]] = defaultdict(list)
    for item in prepared.values():
        item.room.provision_error = None
        if item.room.status != VideoRoom.Status.CLOSED:
            by_server[item.room.server_id].append(item)
    errors: dict[int, JanusError] = {}
    for items in by_server.values():
        errors |= _rooms_janus_create(server=items[0].room.server, prepared=items)
    with transaction.atomic():
        ok = [item.room for items in by_server.values() for item in items if item.room.pk not in errors]
        # Closed meanwhile (the meeting ended): room_close owns it now.
        was = dict(
            VideoRoom.objects.select_for_update()
            .filter(pk__in=[room.pk for room in ok])
            .exclude(status=VideoRoom.Status.CLOSED)
            .values_list("pk", "status")
        )
        now = timezone.now()
        VideoRoom.objects.filter(pk__in=list(was)).update(
            status=VideoRoom.Status.ACTIVE, provisioned_at=now, last_error="", updated_at=now
        )
        changed = []
        for room in ok:
            if room.pk in was:
                room.status, room.provisioned_at, room.last_error = VideoRoom.Status.ACTIVE, now, ""
                if was[room.pk] != VideoRoom.Status.ACTIVE:
                    changed.append(room)
        rooms_changed_on_commit(rooms=changed)
        # Refused rooms turn FAILED; rooms whose server did not answer keep their status, for a retry.
        failures: dict[tuple[bool, str], list[int]] = defaultdict(list)
        for item in prepared.values():
            exc = errors.get(item.room.pk)
            if exc is not None:
                room = item.room
                room.provision_error, room.last_error = exc, str(exc)[:255]
                refused = not isinstance(exc, JanusUnavailableError)
                if refused:
                    room.status = VideoRoom.Status.FAILED
                failures[refused, room.last_error].append(room.pk)
        for (refused, message), pks in failures.items():
            fields: dict[str, Any] = {"last_error": message}
            if refused:
                fields |= {"status": VideoRoom.Status.FAILED, "updated_at": now}
            VideoRoom.objects.filter(pk__in=pks).exclude(status=VideoRoom.Status.CLOSED).update(**fields)
    if errors:
        logger.warning("provisioning: %d of %d rooms failed", len(errors), len(prepared))
    return [prepared[pk].room for pk in meeting_ids if pk in prepared]


def room_provision(*, meeting_id: int) -> VideoRoom | None:
    """
    Create the meeting's room in Janus unless it exists, then make its allowed list match the join
    tokens (`rooms_provision` for one meeting). Idempotent: a room that already exists (427) is ours,
    since ids are random and the secret is derived. Does nothing for a meeting that ended. Raises
    JanusUnavailableError to be retried, and any other JanusError after marking the room FAILED.
    """
    rooms = rooms_provision(meeting_ids=[meeting_id])
    if not rooms:
        if (
            Meeting.objects.filter(pk=meeting_id)
            .exclude(status__in=[Meeting.Status.ENDED, Meeting.Status.CANCELLED])
            .exists()
        ):
            raise ApplicationError(_("No media server is available."))
        return None
    room = rooms[0]
    if room.provision_error is not None:
        raise room.provision_error
    return room


def _redis() -> redis.Redis:
    return _redis_for(settings.REDIS_URL)


@functools.cache
def _redis_for(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)


def provision_enqueue(*, meeting_id: int) -> None:
    """
    Ask for the meeting's room to be created in Janus (call after commit): its id joins the pending
    set, and a drain task is queued unless one is already queued or running. Starts that arrive while
    a drain runs are taken by that drain's next round, so a burst becomes a few batches.
    """
    from live.tasks import rooms_provision_pending

    for attempt in (1, 2):  # once more after a timeout (redis-py may report one as a ValueError)
        pipe = _redis().pipeline(transaction=False)
        pipe.sadd(PROVISION_PENDING_KEY, meeting_id)
        # Expires in case the drain task is lost; the next start then queues another.
        pipe.set(PROVISION_SCHEDULED_KEY, 1, nx=True, ex=constants.PROVISION_DRAIN_TTL)
        try:
            _added, scheduled = pipe.execute()
            break
        except (redis.RedisError, ValueError):
            if attempt == 2:
                raise
            logger.warning("provisioning: Redis failed, once more", exc_info=True)
    if scheduled:
        try:
            rooms_provision_pending.delay()
        except Exception:
            provision_drain_reset()  # no drain is queued: let the next start try again
            raise


def provision_pending_take(*, count: int = constants.PROVISION_BATCH) -> list[int]:
    """
    Take up to `count` meeting ids from the pending set (for the drain task). An empty answer also
    clears the drain's flag, so the next start queues a new drain; ids added in between are taken.
    """
    client = _redis()
    ids = client.spop(PROVISION_PENDING_KEY, count)
    if not ids:
        client.delete(PROVISION_SCHEDULED_KEY)
        ids = client.spop(PROVISION_PENDING_KEY, count)  # added after our first look, before the delete
        if ids:
            client.set(PROVISION_SCHEDULED_KEY, 1, ex=constants.PROVISION_DRAIN_TTL)
    else:
        client.expire(PROVISION_SCHEDULED_KEY, constants.PROVISION_DRAIN_TTL)
    return sorted(int(pk) for pk in ids or ())


def provision_drain_reset() -> None:
    """A drain failed: clear its flag so that the next start queues a new one (best effort)."""
    with contextlib.suppress(redis.RedisError):
        _redis().delete(PROVISION_SCHEDULED_KEY)


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
    """
    The host opens the live room: the meeting goes live now, and its room is prepared and created in
    Janus after commit, batched with other starts (`provision_enqueue`). The start itself stays a short
    write: a room is usually there already (reconcile prepares it an hour ahead, for the test calls),
    and otherwise its rows are made by the batch, so a burst of starts does not queue behind them.
    """
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("host_bridge_point").get(pk=meeting.pk)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ConflictError(_("Only a scheduled meeting can start."), extra={"status": meeting.status})
    room = VideoRoom.objects.filter(meeting=meeting).exclude(status=VideoRoom.Status.CLOSED).first()
    if room is None and not media_servers_usable().exists():
        raise ApplicationError(_("No media server is available."))
    meeting.status = Meeting.Status.LIVE
    meeting.save(update_fields=["status", "updated_at"])
    LiveAction.objects.create(meeting=meeting, action=LiveAction.Action.START, user=user)
    meeting_sites_changed(meeting=meeting)
    if room is not None:
        # Sites already in the room for their test call count as attending from now on.
        now = timezone.now()
        for state in room.participants.filter(state__in=IN_MEDIA, bridge_point__isnull=False):
            _attendance_sync(state=state, meeting=meeting, at=now)
    delta_on_commit(meeting=meeting, room=room, meeting_changed=True)
    meeting_id = meeting.pk
    # Robust: the meeting has started whatever happens to Redis; reconcile creates a room left behind.
    transaction.on_commit(lambda: provision_enqueue(meeting_id=meeting_id), robust=True)
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
    # The board's row shows the bridge point's name: fetched with it, one query less per event.
    state = (
        room.participants.select_for_update(of=("self",))
        .select_related("bridge_point")
        .filter(janus_id=janus_id)
        .first()
    )
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
    rooms_provisioned: int = 0  # never created (missed by the start dispatch), created by reconcile_all


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


def _live_rooms_query(**filters: Any) -> QuerySet[VideoRoom]:
    """Rooms that should exist in Janus: not closed, of live meetings or meetings starting soon."""
    horizon = timezone.now() + timedelta(seconds=constants.PROVISION_AHEAD)
    return VideoRoom.objects.filter(
        Q(meeting__status=Meeting.Status.LIVE)
        | Q(meeting__status=Meeting.Status.SCHEDULED, meeting__starts_at__lte=horizon),
        status__in=[VideoRoom.Status.PENDING, VideoRoom.Status.ACTIVE, VideoRoom.Status.FAILED],
        **filters,
    )


def _live_rooms(server: MediaServer) -> list[VideoRoom]:
    return list(_live_rooms_query(server=server).select_related("meeting", "server"))


def _live_tokens(server: MediaServer) -> set[str]:
    """The join tokens of the rooms that should exist on `server` (one query)."""
    return set(
        ParticipantState.objects.filter(video_room__in=_live_rooms_query(server=server))
        .exclude(join_token="")
        .values_list("join_token", flat=True)
    )


def _being_provisioned(room: VideoRoom) -> bool:
    """A room never created that the dispatch (`provision_enqueue`) is still expected to create."""
    grace = timezone.now() - timedelta(seconds=constants.PROVISION_GRACE)
    return room.status == VideoRoom.Status.PENDING and room.provisioned_at is None and room.created_at > grace


def server_mark_down(*, server: MediaServer, error: str) -> None:
    """A server stopped answering (or shut down): its rooms' participants are gone."""
    with transaction.atomic():
        MediaServer.objects.filter(pk=server.pk).update(
            is_healthy=False, last_checked_at=timezone.now(), last_error=error[:255]
        )
        now = timezone.now()
        for room in VideoRoom.objects.select_related("meeting").filter(server=server, status=VideoRoom.Status.ACTIVE):
            participants_all_gone(room=room, at=now, meeting=room.meeting)


def _rooms_recreate(*, server: MediaServer, rooms: Sequence[VideoRoom]) -> int:
    """
    Create again, in one batch, rooms that should exist on `server` and do not (Janus restarted, or lost
    them): whoever was in a room that existed is gone, and each room gets its join tokens back. Each
    `room.meeting` must be loaded. Returns how many rooms are back; a room Janus refused is logged and
    left for the next pass; raises JanusUnavailableError when the server stopped answering.
    """
    if not rooms:
        return 0
    if vanished := [room for room in rooms if room.provisioned_at is not None]:
        with transaction.atomic():
            now = timezone.now()
            for room in vanished:
                participants_all_gone(room=room, at=now, meeting=room.meeting)
    tokens: dict[int, list[str]] = defaultdict(list)
    for room_pk, token in (
        ParticipantState.objects.filter(video_room__in=rooms)
        .exclude(join_token="")
        .values_list("video_room_id", "join_token")
    ):
        tokens[room_pk].append(token)
    errors = _rooms_janus_create(
        server=server, prepared=[_Prepared(room=room, tokens=tuple(tokens[room.pk])) for room in rooms]
    )
    back = [room for room in rooms if room.pk not in errors]
    with transaction.atomic():
        now = timezone.now()
        VideoRoom.objects.filter(pk__in=[room.pk for room in back]).update(
            status=VideoRoom.Status.ACTIVE, provisioned_at=now, last_error="", updated_at=now
        )
        for room in back:
            room.status, room.provisioned_at, room.last_error = VideoRoom.Status.ACTIVE, now, ""
        rooms_changed_on_commit(rooms=back)
    for room_pk, exc in errors.items():
        if isinstance(exc, JanusUnavailableError):
            raise exc
        logger.warning("reconcile: room %s could not be created again: %s", room_pk, exc)
    return len(back)


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
            # A batch is creating a never-provisioned room; reconcile_all takes it if that was lost.
            missing = [room for room in wanted if room.room_id not in janus_rooms and not _being_provisioned(room)]
            report.rooms_created += _rooms_recreate(server=server, rooms=missing)
            if participants:
                live = [
                    room
                    for room in wanted
                    if room.room_id in janus_rooms and room.meeting.status == Meeting.Status.LIVE
                ]
                for room, listed in zip(live, janus.rooms_participants([room.room_id for room in live]), strict=True):
                    if isinstance(listed, JanusUnavailableError):
                        raise listed
                    if isinstance(listed, RoomNotFoundError):
                        continue  # destroyed meanwhile (the meeting ended)
                    if isinstance(listed, JanusError):
                        logger.warning("reconcile: participants of room %s: %s", room.room_id, listed)
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
        tokens_sync(server=server, wanted=lambda: _live_tokens(server))
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
    """
    Reconcile every enabled server, after two batches: rooms are prepared for live meetings and
    meetings that start within the hour, and created in Janus when they never were, whether just
    prepared here or left behind by the start dispatch (a lost pending entry or drain task: a room
    still PENDING after `PROVISION_GRACE`). Then each server's pass (`server_reconcile`).
    """
    total = ReconcileReport()
    horizon = timezone.now() + timedelta(seconds=constants.PROVISION_AHEAD)
    grace = timezone.now() - timedelta(seconds=constants.PROVISION_GRACE)
    meetings = list(
        Meeting.objects.select_related("host_bridge_point").filter(
            # A meeting that has just started is the start dispatch's to provision; one still without a
            # room after the grace period lost its pending entry or its drain.
            Q(status=Meeting.Status.LIVE, updated_at__lte=grace)
            | Q(status=Meeting.Status.SCHEDULED, starts_at__lte=horizon),
            video_room__isnull=True,
            ends_at__gt=timezone.now(),
        )
    )
    if meetings:
        with transaction.atomic():
            _rooms_prepare(meetings=meetings)  # without a healthy server nothing is placed; next time
    missed = list(
        _live_rooms_query(
            status=VideoRoom.Status.PENDING,
            provisioned_at__isnull=True,
            server__is_enabled=True,
            server__is_healthy=True,
        )
        .filter(Q(created_at__lte=grace) | Q(meeting__in=[meeting.pk for meeting in meetings]))
        .values_list("meeting_id", flat=True)
    )
    if missed:
        try:
            rooms = rooms_provision(meeting_ids=missed)
            total.rooms_provisioned += sum(room.status == VideoRoom.Status.ACTIVE for room in rooms)
        except Exception:  # one bad batch must not stop the servers' passes
            logger.exception("reconcile: provisioning %d missed rooms failed", len(missed))
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
