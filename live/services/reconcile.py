"""
Reconcile: make the portal agree with Janus (events can be lost: JANUS.md §9, §11.1). Per server
(`server_reconcile`): health, rooms recreated after a restart, orphan rooms destroyed, rooms of ended
meetings closed, participants aligned; `reconcile_all` also provisions rooms the start dispatch missed.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from integrations.janus import JanusError, Participant
from integrations.janus.errors import JanusUnavailableError, RoomNotFoundError, VideoRoomUnauthorizedError
from live import constants
from live.broadcast import rooms_changed_on_commit
from live.models import MediaServer, ParticipantState, VideoRoom
from live.selectors import rooms_to_keep
from live.services.janus import janus_client, room_secret, tokens_sync
from live.services.lifecycle import room_close
from live.services.participants import (
    GONE,
    IN_MEDIA,
    participant_for_janus_id,
    participant_update,
    participants_all_gone,
)
from live.services.placement import PreparedRoom, _rooms_prepare, rooms_janus_create, rooms_provision
from meetings.models import Meeting

logger = logging.getLogger("live.services")

State = ParticipantState.State


@dataclass
class ReconcileReport:
    servers_down: int = 0
    rooms_created: int = 0
    rooms_destroyed: int = 0
    rooms_closed: int = 0
    participants_fixed: int = 0
    rooms_provisioned: int = 0  # never created (missed by the start dispatch), created by reconcile_all
    rooms_moved: int = 0  # of live meetings, off a server that is down, to a healthy one


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
            # Found in media though no event said so (lost): its media is seen now, where it starts.
            seen = {"media_seen_at": now} if target in IN_MEDIA and state.state not in IN_MEDIA else {}
            fixed += participant_update(
                row=state, at=now, state=target, talking=participant.talking and not state.audio_muted, **seen
            )
        for state in room.participants.select_for_update().exclude(state=State.NOT_CONNECTED).order_by("pk"):
            if state.janus_id not in present:
                fixed += participant_update(row=state, at=now, **GONE)
    return fixed


def _live_rooms(server: MediaServer) -> list[VideoRoom]:
    return list(rooms_to_keep(server=server).select_related("meeting", "server"))


def _live_tokens(server: MediaServer) -> set[str]:
    """The join tokens of the rooms that should exist on `server` (one query)."""
    return set(
        ParticipantState.objects.filter(video_room__in=rooms_to_keep(server=server))
        .exclude(join_token="")
        .values_list("join_token", flat=True)
    )


def _being_provisioned(room: VideoRoom) -> bool:
    """A room never created that the dispatch (`provision_enqueue`) is still expected to create."""
    grace = timezone.now() - timedelta(seconds=constants.PROVISION_GRACE)
    return room.status == VideoRoom.Status.PENDING and room.provisioned_at is None and room.created_at > grace


def server_health_record(*, server: MediaServer, healthy: bool, error: str = "", **fields: Any) -> bool:
    """
    Store what the last look at `server` found; returns whether its health changed. A change is logged
    once, by whoever made it (the UPDATE that flips `is_healthy`), not at every pass while it lasts.
    """
    values = {"is_healthy": healthy, "last_checked_at": timezone.now(), "last_error": error[:255], **fields}
    if healthy:
        values["failed_probes"] = 0
    changed = bool(MediaServer.objects.filter(pk=server.pk).exclude(is_healthy=healthy).update(**values))
    if not changed:
        MediaServer.objects.filter(pk=server.pk).update(**values)
    elif healthy:
        logger.warning("media server %s (%s) is healthy again", server.name, server.api_url)
    else:
        logger.error("media server %s (%s) is down: %s", server.name, server.api_url, error)
    server.is_healthy = healthy
    return changed


def server_mark_down(*, server: MediaServer, error: str) -> None:
    """A server stopped answering (or shut down): its rooms' participants are gone."""
    with transaction.atomic():
        server_health_record(server=server, healthy=False, error=error)
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
    errors = rooms_janus_create(
        server=server, prepared=[PreparedRoom(room=room, tokens=tuple(tokens[room.pk])) for room in rooms]
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
            server_health_record(server=server, healthy=True)
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
        from live.services.failover import server_failed

        # Down now; after LIVE_FAILOVER_PROBES failed looks its live meetings move to a healthy server.
        report.rooms_moved += server_failed(server=server, error=str(exc), probe=False)
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
        rooms_to_keep(
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
