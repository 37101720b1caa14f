"""
Room placement and provisioning: bitrate caps from the sites' links, preparing the room rows on the
least-loaded server (`room_prepare`, batched `_rooms_prepare`), creating the rooms in Janus in batches
(`rooms_provision`, `room_provision`), and the Redis queue that gathers starts into batches
(`provision_enqueue`, `provision_pending_take`, `provision_drain_reset`).
"""

from __future__ import annotations

import contextlib
import functools
import heapq
import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import redis
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import ApplicationError
from integrations.janus import JanusError, RoomSpec
from integrations.janus.errors import JanusUnavailableError, RoomExistsError
from live import constants
from live.broadcast import rooms_changed_on_commit
from live.models import MediaServer, ParticipantState, VideoRoom
from live.selectors import media_servers_by_load
from live.services.janus import janus_admin_client, janus_client, room_secret
from live.services.recording import room_record_options
from meetings.models import Meeting, MeetingInvitation
from sites.choices import LinkRole

logger = logging.getLogger("live.services")


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
class PreparedRoom:
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


def _rooms_prepare(*, meetings: Sequence[Meeting]) -> dict[int, PreparedRoom]:
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
    for room_pk, bp_id, janus_id, share_id, token in ParticipantState.objects.filter(video_room__in=older).values_list(
        "video_room_id", "bridge_point_id", "janus_id", "share_janus_id", "join_token"
    ):
        if bp_id is not None:
            existing[room_pk].add(bp_id)
        if janus_id:
            taken[room_pk].add(janus_id)
        if share_id:
            taken[room_pk].add(share_id)
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
                share_janus_id=_new_janus_id(taken[room.pk]),
            )
            new_rows.append(row)
            tokens[room.pk].append(row.join_token)
        if (room.bitrate, room.publishers) != sizes[meeting_pk]:
            room.bitrate, room.publishers = sizes[meeting_pk]
            resized[sizes[meeting_pk]].append(room.pk)
    ParticipantState.objects.bulk_create(new_rows)
    for (bitrate, publishers), pks in resized.items():  # invitations changed: rare, and few distinct sizes
        VideoRoom.objects.filter(pk__in=pks).update(bitrate=bitrate, publishers=publishers, updated_at=timezone.now())
    return {pk: PreparedRoom(room=room, tokens=tuple(tokens[room.pk]), fresh=pk in fresh) for pk, room in rooms.items()}


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
        extra=room_record_options(room),
    )


def rooms_janus_create(*, server: MediaServer, prepared: Sequence[PreparedRoom]) -> dict[int, JanusError]:
    """
    Create the rooms of `prepared` (all on `server`) in Janus over one session, then add their join
    tokens to Janus's token store over one admin connection; both pipelined. A room that already
    exists (427) is ours (random id, derived secret): its allowed list gets the tokens. Returns the
    error of each room (by pk) that failed: JanusUnavailableError when the server did not answer for
    it (it may exist: the retry finds it), another JanusError when Janus refused it.
    """
    errors: dict[int, JanusError] = {}
    existed: list[tuple[PreparedRoom, RoomSpec]] = []
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
    by_server: dict[int, list[PreparedRoom]] = defaultdict(list)
    for item in prepared.values():
        item.room.provision_error = None
        if item.room.status != VideoRoom.Status.CLOSED:
            by_server[item.room.server_id].append(item)
    errors: dict[int, JanusError] = {}
    for items in by_server.values():
        errors |= rooms_janus_create(server=items[0].room.server, prepared=items)
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
