"""
Participant state and attendance: applying changes to a participant row (`participant_update`), the
media attendance intervals that follow it, everyone leaving at once (`participants_all_gone`), and
finding the row of a Janus participant id (`participant_for_janus_id`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from live.broadcast import delta_on_commit
from live.models import ParticipantState, VideoRoom
from meetings.models import AttendanceInterval, Meeting

State = ParticipantState.State
IN_MEDIA = (State.CONNECTED, State.PUBLISHING)


GONE: dict[str, Any] = {
    "state": State.NOT_CONNECTED,
    "talking": False,
    "media_received": False,
    "bitrate_kbps": 0,
    "loss_pct": 0.0,
    "session_id": None,
    "handle_id": None,
}


def _media_end(state: ParticipantState, at: datetime) -> datetime:
    """When the site's media really ended: the last moment Janus saw it, if that is known and earlier."""
    seen = state.media_seen_at
    return min(at, seen) if seen is not None else at


def _intervals_close(intervals: QuerySet[AttendanceInterval], *, end: datetime) -> None:
    """Close open intervals at `end` (never before they began)."""
    intervals.filter(left_at__isnull=True).update(left_at=Greatest(F("joined_at"), Value(end)))


def _attendance_sync(*, state: ParticipantState, meeting: Meeting, at: datetime) -> None:
    """
    A known site's media interval is open while it has media in a live meeting (connected or publishing)
    and closed otherwise, at the last moment its media was seen: a media connection that failed leaves
    the site "connecting", out of the interval. Back within LIVE_ATTENDANCE_MERGE_SECONDS (a Janus
    restart, a blip), the site continues its previous interval instead of starting a fragment.
    """
    if state.bridge_point_id is None:
        return
    media = AttendanceInterval.objects.filter(
        meeting=meeting, bridge_point_id=state.bridge_point_id, source=AttendanceInterval.Source.MEDIA
    )
    if state.state in IN_MEDIA and meeting.status == Meeting.Status.LIVE:
        if media.filter(left_at__isnull=True).exists():
            return
        recent = at - timedelta(seconds=settings.LIVE_ATTENDANCE_MERGE_SECONDS)
        previous = media.filter(left_at__gte=recent).order_by("-left_at").first()
        if previous is not None:
            AttendanceInterval.objects.filter(pk=previous.pk).update(left_at=None)
        else:
            AttendanceInterval.objects.create(
                meeting=meeting,
                bridge_point_id=state.bridge_point_id,
                source=AttendanceInterval.Source.MEDIA,
                joined_at=at,
            )
    else:
        _intervals_close(media, end=_media_end(state, at))


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
    visible = set(changed) - {"session_id", "handle_id", "counters", "janus_id", "audio_mid", "media_seen_at"}
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
    """
    Everyone left (room destroyed, server down or restarted): states reset, media intervals closed, each
    at the last moment its site's media was seen.
    """
    changed = []
    media = AttendanceInterval.objects.filter(meeting=meeting, source=AttendanceInterval.Source.MEDIA)
    for state in room.participants.select_for_update().exclude(state=State.NOT_CONNECTED).order_by("pk"):
        for name, value in GONE.items():
            setattr(state, name, value)
        state.changed_at = at
        state.save()
        changed.append(state)
        if state.bridge_point_id is not None:
            _intervals_close(media.filter(bridge_point_id=state.bridge_point_id), end=_media_end(state, at))
    _intervals_close(media, end=at)
    delta_on_commit(meeting=meeting, room=room, states=changed)
    return changed


def participant_for_janus_id(
    *, room: VideoRoom, janus_id: int, display: str = "", create: bool = True
) -> ParticipantState | None:
    """
    The row of participant `janus_id`. The portal assigns each site its id, and nothing else maps a
    participant to a site: a display name proves nothing (a site could take another's name, b20).
    Otherwise (if `create`) a new row with no bridge point, which the board flags as not invited.
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
    return ParticipantState.objects.create(video_room=room, janus_id=janus_id, display=display[:120])
