"""
Several media servers: a quick health probe of each (`media_servers_probe`, every LIVE_PROBE_SECONDS),
and moving the live meetings of a server that stopped answering to the least-loaded healthy ones
(`server_failover`).

A failed look at a server (a probe, or a reconcile pass) counts in `MediaServer.failed_probes`; any
answer resets it. At LIVE_FAILOVER_PROBES failures in a row the server is down: its participants are
gone (their attendance closes at the last moment Janus saw their media), and each room of a live or
soon-starting meeting is created again on a healthy server with the same id, PIN, limits and join
tokens, then its row names the new server. The board's snapshot lists the move (a FAILOVER action);
the room pages, which lost Janus, see the room's `server_id` change and rejoin at once with a fresh
join configuration, and a site back within LIVE_ATTENDANCE_MERGE_SECONDS continues its interval.
"""

from __future__ import annotations

import heapq
import logging
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from integrations.janus import JanusClient, JanusError
from live.broadcast import rooms_changed_on_commit
from live.models import LiveAction, MediaServer, ParticipantState, VideoRoom
from live.selectors import media_servers_by_load, rooms_to_keep
from live.services.participants import participants_all_gone
from live.services.placement import PreparedRoom, rooms_janus_create
from live.services.reconcile import server_mark_down

logger = logging.getLogger("live.services")


def _probe_error(server: MediaServer) -> str:
    """One quick look (GET /info, no retry, a short timeout): empty if the server answers, else why not."""
    try:
        with JanusClient(server.api_url, timeout=settings.LIVE_PROBE_TIMEOUT_SECONDS, retries=0) as janus:
            janus.info()
    except JanusError as exc:
        return str(exc)
    return ""


def media_servers_probe() -> dict[str, int]:
    """
    Probe every enabled server; an answer resets its failure count, a failure counts (`server_failed`).
    Returns, by name of each server that did not answer, how many meetings moved off it now.
    """
    moved: dict[str, int] = {}
    for server in MediaServer.objects.filter(is_enabled=True):
        if error := _probe_error(server):
            moved[server.name] = server_failed(server=server, error=error, probe=True)
        elif server.failed_probes:
            MediaServer.objects.filter(pk=server.pk).update(failed_probes=0)
    return moved


def server_failed(*, server: MediaServer, error: str, probe: bool) -> int:
    """
    A look at `server` failed: count it. A failed reconcile pass (the client retried already) marks the
    server down at once, probes after LIVE_FAILOVER_PROBES failures in a row; from then on its live
    meetings move (`server_failover`). Returns how many moved now.
    """
    MediaServer.objects.filter(pk=server.pk).update(failed_probes=F("failed_probes") + 1)
    server.failed_probes = MediaServer.objects.values_list("failed_probes", flat=True).get(pk=server.pk)
    down = server.failed_probes >= settings.LIVE_FAILOVER_PROBES
    if down or not probe:
        server_mark_down(server=server, error=error)  # logged once, when its health changes
    return server_failover(server=server) if down else 0


def server_failover(*, server: MediaServer) -> int:
    """
    Move the rooms of live (and soon-starting) meetings off `server`, each to the least-loaded healthy
    server at that point. The row is switched first (so the target's reconcile owns the room and never
    takes it for an orphan; it would also create it), then the room is created there with the same id,
    PIN, limits and join tokens, then the rooms that made it are ACTIVE, a FAILOVER action is recorded
    and the boards are told. Idempotent: only rooms still on `server` move; a room the target did not
    create now is left to the target's reconcile. Returns how many moved.
    """
    targets = [(target.load, target.pk, target) for target in media_servers_by_load().exclude(pk=server.pk)]
    heapq.heapify(targets)
    placed: dict[int, list[VideoRoom]] = defaultdict(list)
    servers = {pk: target for _load, pk, target in targets}
    with transaction.atomic():
        rooms = list(rooms_to_keep(server=server).select_for_update(of=("self",)).select_related("meeting"))
        if not rooms:
            return 0
        if not targets:
            logger.error("media server %s is down and no other is healthy: %d meetings wait", server.name, len(rooms))
            return 0
        now = timezone.now()
        for room in rooms:
            load, pk, target = heapq.heappop(targets)
            heapq.heappush(targets, (load + 1, pk, target))
            placed[pk].append(room)
            room.server = target
            participants_all_gone(room=room, at=now, meeting=room.meeting)  # if no probe said so yet
        for pk, batch in placed.items():
            VideoRoom.objects.filter(pk__in=[room.pk for room in batch]).update(server=pk, updated_at=now)
    tokens: dict[int, list[str]] = defaultdict(list)
    for room_pk, token in (
        ParticipantState.objects.filter(video_room__in=rooms)
        .exclude(join_token="")
        .values_list("video_room_id", "join_token")
    ):
        tokens[room_pk].append(token)
    created: list[VideoRoom] = []
    for pk, batch in placed.items():
        try:
            errors = rooms_janus_create(
                server=servers[pk], prepared=[PreparedRoom(room=room, tokens=tuple(tokens[room.pk])) for room in batch]
            )
        except JanusError as exc:  # the target stopped answering too: its reconcile (or failover) goes on
            errors = {room.pk: exc for room in batch}
        for room_pk, exc in errors.items():
            logger.warning("failover: room %s could not be created on %s: %s", room_pk, servers[pk].name, exc)
        created += [room for room in batch if room.pk not in errors]
    with transaction.atomic():
        now = timezone.now()
        VideoRoom.objects.filter(pk__in=[room.pk for room in created]).exclude(status=VideoRoom.Status.CLOSED).update(
            status=VideoRoom.Status.ACTIVE, provisioned_at=now, last_error="", updated_at=now
        )
        LiveAction.objects.bulk_create(
            LiveAction(meeting=room.meeting, action=LiveAction.Action.FAILOVER, target=room.server.name[:120])
            for room in rooms
        )
        for room in created:
            room.status, room.provisioned_at, room.last_error = VideoRoom.Status.ACTIVE, now, ""
        # A meeting delta: every board and room page takes a snapshot, with the move and the new server.
        rooms_changed_on_commit(rooms=rooms)
    for room in rooms:
        logger.warning(
            "meeting %s moved from media server %s to %s",
            room.meeting_id,
            server.name,
            room.server.name,
            extra={"meeting_id": room.meeting_id},
        )
    return len(rooms)
