"""
Pushes to the browsers watching a meeting: one Channels group per meeting, numbered deltas.

Every change to a room's live state takes the next number from `VideoRoom.seq` inside the same
transaction, and the delta is sent only after that transaction commits. A board that sees a number
jump (a lost message, a reconnect) asks for a fresh snapshot.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import F

from common import push
from live.models import ParticipantState, VideoRoom
from live.selectors import meeting_row, participant_row, readiness_board, room_state
from meetings.models import Meeting

logger = logging.getLogger("live.broadcast")


def meeting_group(meeting_id: int) -> str:
    return f"live-meeting-{meeting_id}"


def room_next_seq(*, room_id: int) -> int:
    """
    Take the next delta number of a room (locks the room row until the transaction ends): one
    UPDATE … RETURNING (PostgreSQL, SQLite 3.35+), as it is taken for every event that changes a board.
    """
    if connection.vendor == "postgresql" or (connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 35)):
        quote = connection.ops.quote_name
        table, seq, pk = quote(VideoRoom._meta.db_table), quote("seq"), quote(VideoRoom._meta.pk.column)
        with connection.cursor() as cursor:
            sql = f"UPDATE {table} SET {seq} = {seq} + 1 WHERE {pk} = %s RETURNING {seq}"  # noqa: S608 (quoted names)
            cursor.execute(sql, [room_id])
            row = cursor.fetchone()
        if row is None:
            raise VideoRoom.DoesNotExist(room_id)
        return row[0]
    VideoRoom.objects.filter(pk=room_id).update(seq=F("seq") + 1)
    return VideoRoom.objects.values_list("seq", flat=True).get(pk=room_id)


def delta_message(data: dict[str, Any]) -> dict[str, Any]:
    """
    A numbered delta as the channel layer carries it: the page's JSON, encoded once here rather than
    once per watching socket (a talking event watched by 200 boards was 200 encodings of one row).
    """
    return {"type": "live.delta", "text": json.dumps({"type": "delta", "data": data})}


def group_send(meeting_id: int, message: dict[str, Any]) -> None:
    """Send now; a failing channel layer (Redis down) loses the push, never the request."""
    try:
        push.group_send(meeting_group(meeting_id), message)
    except Exception:  # Redis down: boards resync on reconnect, so a lost push only delays them
        logger.warning("live push to meeting %s failed", meeting_id, exc_info=True)


def groups_send(messages: Sequence[tuple[int, dict[str, Any]]]) -> None:
    """`group_send` for many meetings at once."""
    try:
        push.groups_send([(meeting_group(meeting_id), message) for meeting_id, message in messages])
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
    transaction.on_commit(lambda: group_send(meeting_id, delta_message(data)))


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
        messages.append((meeting.pk, delta_message(data)))
    transaction.on_commit(lambda: groups_send(messages))


def room_state_on_commit(*, room: VideoRoom) -> None:
    """
    The floor, the agenda item on screen or the floor mode changed: number a delta carrying the whole
    room state (small: the holder, the waiting requests, the item) and send it after commit.
    """
    seq = room_next_seq(room_id=room.pk)
    data: dict[str, Any] = {"seq": seq, "participants": [], "room": room_state(room=room)}
    meeting_id = room.meeting_id
    transaction.on_commit(lambda: group_send(meeting_id, delta_message(data)))


def readiness_on_commit(*, meeting: Meeting, bridge_point_ids: Sequence[int]) -> None:
    """
    A site's checklist or test call changed: after commit, send the new rows (colour, checklist, test
    call) to the meeting's group as `live.readiness`, which the readiness board redraws. Unnumbered: each
    message carries the whole row, so a lost one only waits for the next (or the page's reload on
    reconnect). Read now, inside the transaction that made the change.
    """
    rows = [row["data"] for row in readiness_board(meeting=meeting, bridge_point_ids=bridge_point_ids)]
    if not rows:
        return
    meeting_id = meeting.pk
    transaction.on_commit(lambda: group_send(meeting_id, {"type": "live.readiness", "data": {"rows": rows}}))
