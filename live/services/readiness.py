"""Readiness of the invited sites before a meeting: their checklist and what their test call showed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import ApplicationError
from live.models import ParticipantState, ReadinessCheck
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
    before = (check.test_call_published, check.test_call_media_received)
    now = timezone.now()
    check.test_call_at = now
    check.test_call_published = check.test_call_published or published
    check.test_call_media_received = check.test_call_media_received or state.media_received
    check.save(update_fields=["test_call_at", "test_call_published", "test_call_media_received", "updated_at"])
    if (check.test_call_published, check.test_call_media_received) != before and state.bridge_point_id:
        # The bridge point's own "last test call" (its page, the readiness board) follows the result.
        result = TestCallResult.OK if check.test_call_media_received else TestCallResult.DEGRADED
        BridgePoint.objects.filter(pk=state.bridge_point_id).update(last_test_at=now, last_test_result=result)
