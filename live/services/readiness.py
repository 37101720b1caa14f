"""Readiness of the invited sites before a meeting: their checklist and what their test call showed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import ApplicationError
from live.broadcast import readiness_on_commit
from live.constants import READINESS_WINDOW
from live.models import ParticipantState, ReadinessCheck, VideoRoom
from meetings.models import Meeting, MeetingInvitation
from sites.choices import TestCallResult
from sites.models import BridgePoint

if TYPE_CHECKING:
    from accounts.models import User

State = ParticipantState.State


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
    readiness_on_commit(meeting=invitation.meeting, bridge_point_ids=[invitation.bridge_point_id])
    return check


def readiness_from_state(*, state: ParticipantState) -> None:
    """A test call before the start: remember that it published and that Janus received its media."""
    meeting = state.video_room.meeting
    if meeting.status != Meeting.Status.SCHEDULED or state.bridge_point_id is None:
        return
    published = state.state == State.PUBLISHING
    if not (published or state.media_received):
        return
    if state.invitation_id is None:  # the host's hall: no checklist, but its bridge point's last test call
        if state.media_received:
            before = BridgePoint.objects.values_list("last_test_at", "last_test_result").get(pk=state.bridge_point_id)
            now = timezone.now()
            BridgePoint.objects.filter(pk=state.bridge_point_id).update(
                last_test_at=now, last_test_result=TestCallResult.OK
            )
            if before[1] != TestCallResult.OK or _minute(before[0]) != _minute(now):
                readiness_on_commit(meeting=meeting, bridge_point_ids=[state.bridge_point_id])
        elif published:
            readiness_on_commit(meeting=meeting, bridge_point_ids=[state.bridge_point_id])  # amber: publishing
        return
    check, _created = ReadinessCheck.objects.get_or_create(invitation_id=state.invitation_id)
    before = (check.test_call_published, check.test_call_media_received)
    shown_before = (*before, _minute(check.test_call_at))
    now = timezone.now()
    check.test_call_at = now
    check.test_call_published = check.test_call_published or published
    check.test_call_media_received = check.test_call_media_received or state.media_received
    check.save(update_fields=["test_call_at", "test_call_published", "test_call_media_received", "updated_at"])
    if (check.test_call_published, check.test_call_media_received) != before and state.bridge_point_id:
        # The bridge point's own "last test call" (its page, the readiness board) follows the result.
        result = TestCallResult.OK if check.test_call_media_received else TestCallResult.DEGRADED
        BridgePoint.objects.filter(pk=state.bridge_point_id).update(last_test_at=now, last_test_result=result)
    if (check.test_call_published, check.test_call_media_received, _minute(now)) != shown_before:
        # What the readiness board shows of this site changed (its colour, its test call's time).
        readiness_on_commit(meeting=meeting, bridge_point_ids=[state.bridge_point_id])


def _minute(value: datetime | None) -> datetime | None:
    return value.replace(second=0, microsecond=0) if value else None


def test_calls_request(*, now: datetime | None = None) -> dict[int, list[int]]:
    """
    From T-60 minutes until the start (b8), ask the room pages left open at bridge points that have not
    yet made a test call whose media Janus received to make one now: a message on each meeting's
    websocket naming those bridge points (the host's hall too). Returns {meeting id: bridge point ids}.
    Two queries for any number of meetings; run every minute by beat.
    """
    from live.broadcast import groups_send

    now = now or timezone.now()
    meetings = dict(
        Meeting.objects.filter(
            status=Meeting.Status.SCHEDULED,
            starts_at__gt=now,
            starts_at__lte=now + timedelta(seconds=READINESS_WINDOW),
            video_room__status=VideoRoom.Status.ACTIVE,
        ).values_list("pk", "host_bridge_point_id")
    )
    if not meetings:
        return {}
    wanted: dict[int, list[int]] = {pk: [] for pk in meetings}
    for meeting_id, bridge_point_id, received in MeetingInvitation.objects.filter(
        meeting_id__in=list(meetings)
    ).values_list("meeting_id", "bridge_point_id", "readiness__test_call_media_received"):
        if not received:
            wanted[meeting_id].append(bridge_point_id)
    hosts = dict(BridgePoint.objects.filter(pk__in=set(meetings.values())).values_list("pk", "last_test_at"))
    for meeting_id, host_id in meetings.items():
        tested = hosts.get(host_id)
        if tested is None or tested < now - timedelta(seconds=READINESS_WINDOW):
            wanted[meeting_id].append(host_id)
    wanted = {pk: ids for pk, ids in wanted.items() if ids}
    groups_send([(pk, {"type": "live.test_call", "data": {"bridge_points": ids}}) for pk, ids in wanted.items()])
    return wanted
