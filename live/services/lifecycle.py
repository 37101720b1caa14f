"""
Meeting start and end (host actions), closing a meeting's room in Janus (`room_close`), and refreshing
the site pages of the sites at a meeting (`meeting_sites_changed`).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import ApplicationError, ConflictError
from integrations.janus.errors import JanusUnavailableError, ParticipantNotFoundError, RoomNotFoundError
from live.broadcast import delta_on_commit
from live.models import LiveAction, VideoRoom
from live.selectors import media_servers_usable
from live.services.floor import floor_turns_end
from live.services.janus import janus_admin_client, janus_client, room_secret
from live.services.participants import IN_MEDIA, _attendance_sync, participants_all_gone
from live.services.placement import provision_enqueue
from live.services.recording import low_disk_message, recording_queue
from meetings.models import AttendanceInterval, Booking, Meeting
from sites.live import sites_section_changed

if TYPE_CHECKING:
    from accounts.models import User


def _room_tokens(room: VideoRoom) -> set[str]:
    return set(room.participants.exclude(join_token="").values_list("join_token", flat=True))


def meeting_sites_changed(*, meeting: Meeting) -> None:
    """After commit, refresh the meetings section of the site page of the host and every invited site."""
    from sites.models import Site

    at_meeting = Q(rooms__bridge_point__invitations__meeting=meeting) | Q(
        rooms__bridge_point=meeting.host_bridge_point_id
    )
    site_ids = Site.objects.filter(at_meeting).values_list("pk", flat=True).distinct()
    sites_section_changed(site_ids=site_ids, section="meetings.meetings")


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
        # Participant rows first, then the room row: the order every Janus event takes (its participant,
        # then the room's delta number), so the kicks' events cannot deadlock with this close.
        participants_all_gone(room=room, at=now, meeting=room.meeting)
        VideoRoom.objects.filter(pk=room.pk).update(status=VideoRoom.Status.CLOSED, closed_at=now)
        if room.meeting.status == Meeting.Status.ENDED:
            recording_queue(meeting_id=meeting_id)  # the recorders closed with the room


#
# Meeting start and end (host actions)
#


@transaction.atomic
def meeting_start(
    *, meeting: Meeting, user: User, confirm_unapproved_booking: bool = False, confirm_without_recording: bool = False
) -> Meeting:
    """
    The host opens the live room: the meeting goes live now, and its room is prepared and created in
    Janus after commit, batched with other starts (`provision_enqueue`). The start itself stays a short
    write: a room is usually there already (reconcile prepares it an hour ahead, for the test calls),
    and otherwise its rows are made by the batch, so a burst of starts does not queue behind them.

    A meeting whose host room booking is not confirmed (still waiting for the room's approver, or
    rejected or cancelled) starts only when the host says so (`confirm_unapproved_booking`): the
    refusal says why, and a briefing that must go ahead is not blocked by an absent approver.

    A meeting to be recorded whose recordings' disk is nearly full starts only when the host agrees to
    hold it without recording (`confirm_without_recording`): the recording is refused up front with a
    clear warning rather than failing mid-meeting, and the briefing still goes ahead.
    """
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("host_bridge_point", "booking", "booking__room")
        .get(pk=meeting.pk)
    )
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ConflictError(_("Only a scheduled meeting can start."), extra={"status": meeting.status})
    booking = meeting.booking
    if booking is not None and booking.status != Booking.Status.CONFIRMED and not confirm_unapproved_booking:
        if booking.status == Booking.Status.TENTATIVE:
            message = _(
                "The booking of %(room)s for this meeting is still tentative: it waits for the room's approver. "
                "Start the meeting anyway?"
            )
        else:
            message = _(
                "The booking of %(room)s for this meeting is %(status)s: the room is not held for it. "
                "Start the meeting anyway?"
            )
        raise ConflictError(
            message % {"room": booking.room.name, "status": booking.get_status_display()},
            extra={"booking_status": booking.status, "booking": booking.pk, "confirm": "confirm_unapproved_booking"},
        )
    room = VideoRoom.objects.filter(meeting=meeting).exclude(status=VideoRoom.Status.CLOSED).first()
    if room is None and not media_servers_usable().exists():
        raise ApplicationError(_("No media server is available."))
    low_disk = low_disk_message() if meeting.record else None
    if low_disk is not None:
        if not confirm_without_recording:
            raise ConflictError(low_disk, extra={"low_disk": True, "confirm": "confirm_without_recording"})
        meeting.record = False
        LiveAction.objects.create(meeting=meeting, action=LiveAction.Action.NO_RECORDING, user=user)
    meeting.status = Meeting.Status.LIVE
    meeting.save(update_fields=["status", "record", "updated_at"])
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
    if room is not None and meeting.record:
        # A room opened early (test calls) records from now on; a room created later is created recording.
        from live.tasks import recording_start

        transaction.on_commit(lambda: recording_start.delay(meeting_id=meeting_id), robust=True)
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
    floor_turns_end(meeting=meeting, at=now)
    # Every open interval closes now: media ones and the roll call's of sites called while live.
    AttendanceInterval.objects.filter(meeting=meeting, left_at__isnull=True).update(left_at=now)
    room = VideoRoom.objects.filter(meeting=meeting).first()
    delta_on_commit(meeting=meeting, room=room, meeting_changed=True)
    meeting_id = meeting.pk
    transaction.on_commit(lambda: room_close_task.delay(meeting_id=meeting_id))
    return meeting


@transaction.atomic
def meeting_record_set(*, meeting: Meeting, user: User, record: bool) -> Meeting:
    """The host turns the recording of a meeting on or off before it starts (b21); the boards follow."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ConflictError(
            _("Recording is turned on or off before the meeting starts."), extra={"status": meeting.status}
        )
    if meeting.record != record:
        meeting.record = record
        meeting.save(update_fields=["record", "updated_at"])
        delta_on_commit(meeting=meeting, room=VideoRoom.objects.filter(meeting=meeting).first(), meeting_changed=True)
    return meeting
