"""
Janus event handler input (sampleevh, JANUS.md §5, §11): validate each event and turn the ones that
matter into participant state, attendance and numbered deltas.

One bad event never breaks the stream: each event is handled in its own savepoint, malformed ones are
counted and logged, unknown ones ignored. Mapping rules:
- VideoRoom plugin events (type 64) carry the room and participant id; `joined` records the session
  and handle ids, which is how later WebRTC (16) and media (32) events, which carry only those, find
  the participant. `kicked`, `leaving`, `unpublished` and `moderated` carry no session ids: they are
  mapped by room + participant id.
- Core events (256) mark a server started (→ reconcile) or shut down (→ everyone gone).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from live.models import MediaServer, ParticipantState, VideoRoom
from live.services import (
    GONE,
    participant_for_janus_id,
    participant_update,
    participants_all_gone,
    readiness_from_state,
    server_health_record,
    server_mark_down,
)

logger = logging.getLogger("live.events")

M = TypeVar("M", bound=models.Model)

State = ParticipantState.State

TYPE_SESSION, TYPE_HANDLE, TYPE_WEBRTC, TYPE_MEDIA, TYPE_PLUGIN, TYPE_CORE = 1, 2, 16, 32, 64, 256
VIDEOROOM = "janus.plugin.videoroom"


class MalformedEvent(ValueError):
    """The event does not have the shape Janus documents."""


@dataclass
class IngestResult:
    received: int = 0
    applied: int = 0
    ignored: int = 0
    malformed: int = 0  # not the shape Janus documents
    failed: int = 0  # well formed, but the portal could not store it (its database failed, a bug)


@dataclass(frozen=True)
class Event:
    emitter: str
    type: int
    subtype: int | None
    at: datetime
    session_id: int | None
    handle_id: int | None
    body: dict[str, Any]


def _int_or_none(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedEvent("id must be an integer")
    return value


def parse_event(raw: Any) -> Event:
    """Check the envelope `{"emitter","type","timestamp","event",…}`; raise MalformedEvent if wrong."""
    if not isinstance(raw, dict):
        raise MalformedEvent("event is not an object")
    kind = raw.get("type")
    body = raw.get("event")
    if isinstance(kind, bool) or not isinstance(kind, int) or not isinstance(body, dict):
        raise MalformedEvent("type or event missing")
    stamp = raw.get("timestamp")
    if isinstance(stamp, int) and not isinstance(stamp, bool) and stamp > 0:
        at = datetime.fromtimestamp(stamp / 1_000_000, tz=UTC)
        now = timezone.now()
        at = min(at, now)  # a server clock ahead of ours must not stamp the future
    else:
        at = timezone.now()
    subtype = raw.get("subtype")
    return Event(
        emitter=str(raw.get("emitter", ""))[:100],
        type=kind,
        subtype=subtype if isinstance(subtype, int) and not isinstance(subtype, bool) else None,
        at=at,
        session_id=_int_or_none(raw.get("session_id")),
        handle_id=_int_or_none(raw.get("handle_id")),
        body=body,
    )


def ingest(payload: Any) -> IngestResult:
    """Handle one POST body: an array of events (grouping on) or a single event."""
    raws = payload if isinstance(payload, list) else [payload]
    result = IngestResult(received=len(raws))
    events: list[Event] = []
    for raw in raws:
        try:
            events.append(parse_event(raw))
        except MalformedEvent as exc:
            result.malformed += 1
            logger.warning("malformed Janus event ignored: %s", exc)
    emitters = {event.emitter for event in events}
    servers = {emitter: _only(MediaServer.objects.filter(server_name=emitter)) for emitter in emitters}
    site_handles = _site_handles(servers, events)
    for event in events:
        server = servers[event.emitter]
        if server is None:
            logger.debug("event from unknown Janus %r ignored", event.emitter)
            result.ignored += 1
            continue
        if event.type == TYPE_MEDIA and event.handle_id not in site_handles:
            result.ignored += 1  # a subscriber's statistics: most of a briefing's events, and none of ours
            continue
        try:
            with transaction.atomic():
                applied = handle(server, event)
        except MalformedEvent as exc:
            result.malformed += 1
            logger.warning("malformed Janus event ignored: %s", exc)
            continue
        except Exception:  # one event must never break the stream; the reconcile repairs its effect
            result.failed += 1
            logger.exception("Janus event could not be applied")
            continue
        if applied:
            result.applied += 1
        else:
            result.ignored += 1
    return result


def _site_handles(servers: dict[str, MediaServer | None], events: list[Event]) -> set[int]:
    """
    The handles of this batch's media events (32) that may be a site's publishing handle, found in one
    query. Media statistics come every second for every m-line of every handle: in an 18-site briefing
    about 380 a second, nine in ten from subscribers (each site takes the chair's, the holder's and
    every site's audio), which no site row has. A handle named by another event of the batch (a
    `joined` that records it) is kept too, so that its media events are not dropped before it is known.
    """
    wanted: set[int] = set()
    named: set[int] = set()
    server_ids: set[int] = set()
    for event in events:
        server = servers.get(event.emitter)
        if server is None or event.handle_id is None:
            continue
        if event.type == TYPE_MEDIA:
            wanted.add(event.handle_id)
            server_ids.add(server.pk)
        else:
            named.add(event.handle_id)
    if not wanted - named:
        return wanted
    known = set(
        ParticipantState.objects.filter(video_room__server_id__in=server_ids, handle_id__in=wanted - named)
        .exclude(video_room__status=VideoRoom.Status.CLOSED)
        .values_list("handle_id", flat=True)
    )
    return known | (wanted & named)


def _only(queryset: QuerySet[M]) -> M | None:
    """
    The row a unique lookup finds, or None. Not `first()`, which orders by the primary key: building
    that ORDER BY was a tenth of a talking event's time (these lookups run for every event).
    """
    return next(iter(queryset[:1]), None)


def handle(server: MediaServer, event: Event) -> bool:
    handler = HANDLERS.get(event.type)
    return handler(server, event) if handler else False


#
# Handlers by event type
#


def _room_id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedEvent("room must be an integer")
    return value


def _room(server: MediaServer, room_id: Any) -> VideoRoom | None:
    room_id = _room_id(room_id)
    return (
        VideoRoom.objects.select_related("meeting")
        .filter(server=server, room_id=room_id)
        .exclude(status=VideoRoom.Status.CLOSED)
        .first()
    )


def _participant_id(data: dict[str, Any], key: str = "id") -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedEvent(f"{key} must be an integer")
    return value


def on_plugin(server: MediaServer, event: Event) -> bool:
    if event.body.get("plugin") != VIDEOROOM:
        return False
    data = event.body.get("data")
    if not isinstance(data, dict):
        raise MalformedEvent("plugin event without data")
    # Most events use "event"; talking events use "videoroom" (JANUS.md §11.5).
    name = data.get("event") or data.get("videoroom")
    if name not in PLUGIN_HANDLERS:
        return False
    if name == "kicked" and "id" not in data and isinstance(data.get("kicked"), int):
        data = {**data, "id": data["kicked"]}
    janus_id = data.get("id")
    if name not in ("joined", "destroyed") and isinstance(janus_id, int) and not isinstance(janus_id, bool):
        # The common case (talking, publishing, leaving: most of a briefing's events): the site's row
        # with its room and meeting in one query, not the room's and then the row's.
        state = _room_participant(server, _room_id(data.get("room")), janus_id)
        if state is not None:
            return _on_participant(state, name, data, event)
    room = _room(server, data.get("room"))
    if room is None:
        return False
    if name == "destroyed":
        participants_all_gone(room=room, at=event.at, meeting=room.meeting)
        return True
    janus_id = _participant_id(data)
    if name == "joined":
        return _on_joined(room, janus_id, data, event)
    state = participant_for_janus_id(room=room, janus_id=janus_id, create=False)
    if state is None:
        state = _by_share_id(room, janus_id)
        if state is not None:
            return _on_share(state, name, event)
        return False
    return _on_participant(state, name, data, event)


def _on_participant(state: ParticipantState, name: str, data: dict[str, Any], event: Event) -> bool:
    if event.session_id is not None and event.session_id not in (state.session_id, state.claimed_session_id):
        return False  # from an impostor's session (refused at its join): never the site's state
    PLUGIN_HANDLERS[name](state, data, event)
    readiness_from_state(state=state)
    if name == "published":
        _enforce_floor_on_commit(state)
    return True


def _room_participant(server: MediaServer, room_id: int, janus_id: int) -> ParticipantState | None:
    """Participant `janus_id` of the server's open room `room_id`, locked, with its room and meeting."""
    return _only(
        ParticipantState.objects.select_for_update(of=("self",))  # not the joined room and meeting rows
        .select_related("video_room__meeting", "bridge_point")
        .filter(video_room__server=server, video_room__room_id=room_id, janus_id=janus_id)
        .exclude(video_room__status=VideoRoom.Status.CLOSED)
    )


def _by_share_id(room: VideoRoom, janus_id: int) -> ParticipantState | None:
    return (
        room.participants.select_for_update(of=("self",))
        .select_related("bridge_point")
        .filter(share_janus_id=janus_id)
        .first()
    )


def _is_itself(state: ParticipantState, *, display: str, session_id: int | None) -> bool:
    """
    A bridge point can only be itself (b20): the id is the one the portal gave it, the display its own,
    and the Janus session the one its room page claimed (through the portal, as that site's user).
    """
    if state.bridge_point_id is None:
        return False
    expected = state.bridge_point.janus_display if state.bridge_point_id else state.display
    return display == expected and state.claimed_session_id is not None and session_id == state.claimed_session_id


def _on_joined(room: VideoRoom, janus_id: int, data: dict[str, Any], event: Event) -> bool:
    display = str(data.get("display", ""))[:120]
    state = participant_for_janus_id(room=room, janus_id=janus_id, create=False) or _by_share_id(room, janus_id)
    if state is None or not _is_itself(state, display=display, session_id=event.session_id):
        _refuse(room, janus_id=janus_id, display=display, claimed=state, event=event)
        return True
    if janus_id == state.share_janus_id:
        return True  # the site's screen-share handle; it counts once it publishes
    _joined(state, data, event)
    readiness_from_state(state=state)
    return True


def _refuse(room: VideoRoom, *, janus_id: int, display: str, claimed: ParticipantState | None, event: Event) -> None:
    """An impostor (unknown id, another site's id or name, an unclaimed session): audit, flag, kick."""
    from live.models import LiveAction
    from live.tasks import participant_refuse

    claimed_name = claimed.display if claimed is not None else ""
    target = display if not claimed_name or claimed_name == display else f"{display} → {claimed_name}"
    logger.warning("room %s: participant %s (%r) is not who it claims; kicked", room.room_id, janus_id, display)
    LiveAction.objects.create(
        meeting=room.meeting,
        action=LiveAction.Action.IMPOSTOR,
        bridge_point=claimed.bridge_point if claimed is not None else None,
        target=target[:120],
    )
    from live.broadcast import room_state_on_commit

    room_state_on_commit(room=room)
    room_pk = room.pk
    transaction.on_commit(lambda: participant_refuse.delay(room_pk=room_pk, janus_id=janus_id), robust=True)


def _on_share(state: ParticipantState, name: str, event: Event) -> bool:
    """Events of a site's screen-share publisher: it shares while published."""
    if name == "published":
        participant_update(row=state, at=event.at, sharing=True)
        _enforce_floor_on_commit(state)
    elif name in ("unpublished", "leaving", "kicked"):
        participant_update(row=state, at=event.at, sharing=False)
    else:
        return False
    return True


def _enforce_floor_on_commit(state: ParticipantState) -> None:
    """A site (or its share) published: mute or refuse it after commit if the floor says so."""
    from live.tasks import floor_enforce

    state_id = state.pk
    transaction.on_commit(lambda: floor_enforce.delay(state_id=state_id), robust=True)


def _joined(state: ParticipantState, data: dict[str, Any], event: Event) -> None:
    participant_update(
        row=state,
        at=event.at,
        state=State.CONNECTING,
        session_id=event.session_id,
        handle_id=event.handle_id,
        audio_muted=False,
        talking=False,
    )


def _published(state: ParticipantState, data: dict[str, Any], event: Event) -> None:
    changes: dict[str, Any] = {"state": State.PUBLISHING}
    for stream in data.get("streams") or []:
        if isinstance(stream, dict) and stream.get("type") == "audio" and isinstance(stream.get("mid"), str):
            changes["audio_mid"] = stream["mid"]
            break
    participant_update(row=state, at=event.at, **changes)


def _unpublished(state: ParticipantState, data: dict[str, Any], event: Event) -> None:
    if state.state != State.NOT_CONNECTED:
        participant_update(row=state, at=event.at, state=State.CONNECTING, talking=False, media_received=False)


def _left(state: ParticipantState, data: dict[str, Any], event: Event) -> None:
    participant_update(row=state, at=event.at, **GONE)


def _talking(state: ParticipantState, data: dict[str, Any], event: Event) -> None:
    participant_update(row=state, at=event.at, talking=not state.audio_muted)


def _stopped_talking(state: ParticipantState, data: dict[str, Any], event: Event) -> None:
    participant_update(row=state, at=event.at, talking=False)


def _moderated(state: ParticipantState, data: dict[str, Any], event: Event) -> None:
    if data.get("mid") != state.audio_mid:
        return
    muted = data.get("moderation") == "muted"
    participant_update(row=state, at=event.at, audio_muted=muted, talking=False if muted else state.talking)


PLUGIN_HANDLERS: dict[str, Callable[[ParticipantState, dict[str, Any], Event], None]] = {
    "joined": _joined,
    "published": _published,
    "unpublished": _unpublished,
    "leaving": _left,
    "kicked": _left,
    "talking": _talking,
    "stopped-talking": _stopped_talking,
    "moderated": _moderated,
    "destroyed": lambda *args: None,  # handled before a participant is looked up
}


def _by_handle(server: MediaServer, event: Event) -> ParticipantState | None:
    if event.handle_id is None:
        return None
    return (
        ParticipantState.objects.select_for_update(of=("self",))  # not the joined room and meeting rows
        .select_related("video_room__meeting", "bridge_point")
        .filter(video_room__server=server, handle_id=event.handle_id)
        .exclude(video_room__status=VideoRoom.Status.CLOSED)
        .first()
    )


def on_webrtc(server: MediaServer, event: Event) -> bool:
    if event.subtype != 6:  # 6 = connection up / hangup; ICE and DTLS steps are not shown
        return False
    state = _by_handle(server, event)
    if state is None:
        return False
    connection = event.body.get("connection")
    if connection == "webrtcup":
        if state.state in (State.NOT_CONNECTED, State.CONNECTING):
            participant_update(row=state, at=event.at, state=State.CONNECTED, media_seen_at=event.at)
    elif connection == "hangup":
        if state.state != State.NOT_CONNECTED:
            participant_update(
                row=state, at=event.at, state=State.CONNECTING, talking=False, media_received=False, bitrate_kbps=0
            )
    else:
        return False
    readiness_from_state(state=state)
    return True


def on_media(server: MediaServer, event: Event) -> bool:
    state = _by_handle(server, event)
    if state is None:
        return False
    body = event.body
    if event.subtype == 1:  # receiving started/stopped
        receiving = body.get("receiving")
        if not isinstance(receiving, bool):
            raise MalformedEvent("receiving must be a boolean")
        seen = {"media_seen_at": max(event.at, state.media_seen_at or event.at)} if receiving else {}
        participant_update(row=state, at=event.at, media_received=receiving or state.media_received, **seen)
        readiness_from_state(state=state)
        return True
    if event.subtype != 3:  # 3 = statistics, one per m-line per second
        return False
    mid = str(body.get("mid", ""))
    try:
        received = int(body.get("packets-received", 0))
        lost = int(body.get("lost", 0))
        bytes_lastsec = int(body.get("bytes-received-lastsec", 0))
    except (TypeError, ValueError) as exc:
        raise MalformedEvent("media statistics must be numbers") from exc
    counters = dict(state.counters)
    previous = counters.get(mid, {})
    d_received = max(0, received - int(previous.get("received", 0)))
    d_lost = max(0, lost - int(previous.get("lost", 0)))
    counters[mid] = {"received": received, "lost": lost, "kbps": bytes_lastsec * 8 // 1000}
    total_kbps = sum(int(c.get("kbps", 0)) for c in counters.values())
    loss = round(100.0 * d_lost / (d_received + d_lost), 1) if previous and (d_received + d_lost) else state.loss_pct
    # Packets arrived since the last statistics: media was seen now (where a late-noticed end is put).
    seen = state.media_seen_at
    if (d_received or bytes_lastsec) and (seen is None or event.at > seen):
        seen = event.at
    # Small wobbles are not worth a push to every board: store them, broadcast real changes only.
    worth = abs(total_kbps - state.bitrate_kbps) > max(20, state.bitrate_kbps // 5) or abs(loss - state.loss_pct) >= 1
    if worth:
        participant_update(
            row=state,
            at=event.at,
            counters=counters,
            bitrate_kbps=total_kbps,
            loss_pct=loss,
            media_received=True,
            media_seen_at=seen,
        )
    else:
        state.counters, state.media_seen_at = counters, seen
        state.save(update_fields=["counters", "media_seen_at"])
    return True


def on_session(server: MediaServer, event: Event) -> bool:
    if event.body.get("name") not in ("destroyed", "timeout") or event.session_id is None:
        return False
    states = (
        ParticipantState.objects.select_for_update(of=("self",))  # not the joined room and meeting rows
        .select_related("video_room__meeting", "bridge_point")
        .filter(video_room__server=server, session_id=event.session_id)
        .exclude(state=State.NOT_CONNECTED)
    )
    touched = False
    for state in states:
        participant_update(row=state, at=event.at, **GONE)
        touched = True
    return touched


def on_core(server: MediaServer, event: Event) -> bool:
    status = event.body.get("status")
    if status == "started":
        from live.tasks import server_reconcile as server_reconcile_task

        server_health_record(server=server, healthy=True, last_started_at=event.at)
        server_id = server.pk
        transaction.on_commit(lambda: server_reconcile_task.delay(server_id=server_id))
        return True
    if status == "shutdown":
        server_mark_down(server=server, error="shutdown")
        return True
    return False


HANDLERS: dict[int, Callable[[MediaServer, Event], bool]] = {
    TYPE_SESSION: on_session,
    TYPE_WEBRTC: on_webrtc,
    TYPE_MEDIA: on_media,
    TYPE_PLUGIN: on_plugin,
    TYPE_CORE: on_core,
}
