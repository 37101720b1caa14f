"""
Pushes to the browsers watching a meeting: one Channels group per meeting, numbered deltas.

Every change to a room's live state takes the next number from `VideoRoom.seq` inside the same
transaction, and the delta is sent only after that transaction commits. A board that sees a number
jump (a lost message, a reconnect) asks for a fresh snapshot.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Sequence
from typing import Any

from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import F

from live.models import ParticipantState, VideoRoom
from live.selectors import meeting_row, participant_row
from meetings.models import Meeting

logger = logging.getLogger("live.broadcast")


def meeting_group(meeting_id: int) -> str:
    return f"live-meeting-{meeting_id}"


def room_next_seq(*, room_id: int) -> int:
    """Take the next delta number of a room (locks the room row until the transaction ends)."""
    VideoRoom.objects.filter(pk=room_id).update(seq=F("seq") + 1)
    return VideoRoom.objects.values_list("seq", flat=True).get(pk=room_id)


# A push waits this long at most: Redis hanging must not hold a request or a task.
PUSH_TIMEOUT = 5.0

_push_loop: asyncio.AbstractEventLoop | None = None
_push_loop_pid = 0
_push_loop_lock = threading.Lock()


def _loop_for_pushes() -> asyncio.AbstractEventLoop:
    """
    One event loop per process, run by a daemon thread, for pushes from sync code. The channel layer
    keeps its Redis connections per event loop: `async_to_sync` would run each push on a new loop and
    so open (and close) a connection every time, ~2-4 ms; on this loop a push takes ~0.4 ms.
    Created again in a forked child (a prefork worker), where the parent's thread does not run.
    """
    global _push_loop, _push_loop_pid
    with _push_loop_lock:
        if _push_loop is None or _push_loop_pid != os.getpid():
            _push_loop = asyncio.new_event_loop()
            _push_loop_pid = os.getpid()
            threading.Thread(target=_push_loop.run_forever, name="live-push", daemon=True).start()
        return _push_loop


def _forget_push_loop() -> None:
    """In a forked child: the parent's loop thread is not there, and its lock may have been held."""
    global _push_loop, _push_loop_lock
    _push_loop, _push_loop_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_push_loop)


def _push(messages: Sequence[tuple[int, dict[str, Any]]]) -> None:
    layer = get_channel_layer()

    async def send_all() -> None:
        for meeting_id, message in messages:
            await layer.group_send(meeting_group(meeting_id), message)

    future = asyncio.run_coroutine_threadsafe(send_all(), _loop_for_pushes())
    try:
        future.result(timeout=PUSH_TIMEOUT)
    except BaseException:
        future.cancel()
        raise


def group_send(meeting_id: int, message: dict[str, Any]) -> None:
    """Send now; a failing channel layer (Redis down) loses the push, never the request."""
    try:
        _push([(meeting_id, message)])
    except Exception:  # Redis down: boards resync on reconnect, so a lost push only delays them
        logger.warning("live push to meeting %s failed", meeting_id, exc_info=True)


def groups_send(messages: Sequence[tuple[int, dict[str, Any]]]) -> None:
    """`group_send` for many meetings at once."""
    try:
        _push(messages)
    except Exception:  # as in group_send: boards resync
        logger.warning("live push to %d meetings failed", len(messages), exc_info=True)


def delta_on_commit(
    *,
    meeting: Meeting,
    room: VideoRoom | None,
    states: Sequence[ParticipantState] = (),
    meeting_changed: bool = False,
) -> None:
    """Number a delta now and send it after commit: changed participants and/or the meeting row."""
    if not states and not meeting_changed:
        return
    seq = room_next_seq(room_id=room.pk) if room is not None else 0
    data: dict[str, Any] = {"seq": seq, "participants": [participant_row(s) for s in states]}
    if meeting_changed:
        meeting.refresh_from_db(fields=["status"])
        data["meeting"] = meeting_row(meeting)
    meeting_id = meeting.pk
    transaction.on_commit(lambda: group_send(meeting_id, {"type": "live.delta", "data": data}))


def rooms_changed_on_commit(*, rooms: Sequence[VideoRoom]) -> None:
    """
    `delta_on_commit(meeting_changed=True)` for many rooms at once (after a batch changed their status):
    the numbers are taken in one UPDATE, the meetings' statuses read in one query, and every delta is
    sent after commit in one trip. Each `room.meeting` must be loaded.
    """
    if not rooms:
        return
    ids = [room.pk for room in rooms]
    VideoRoom.objects.filter(pk__in=ids).update(seq=F("seq") + 1)
    seqs = dict(VideoRoom.objects.filter(pk__in=ids).values_list("pk", "seq"))
    statuses = dict(Meeting.objects.filter(video_room__in=ids).values_list("pk", "status"))
    messages = []
    for room in rooms:
        meeting = room.meeting
        meeting.status = statuses.get(meeting.pk, meeting.status)
        meeting.video_room = room  # meeting_row shows this room's (new) status
        room.seq = seqs[room.pk]
        data = {"seq": room.seq, "participants": [], "meeting": meeting_row(meeting)}
        messages.append((meeting.pk, {"type": "live.delta", "data": data}))
    transaction.on_commit(lambda: groups_send(messages))
