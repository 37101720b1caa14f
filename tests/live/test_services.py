"""Starting and ending a meeting, placement, mute/drop errors and reconcile, against a real Janus."""

import pytest
from django.utils import timezone

from common.exceptions import ApplicationError, ConflictError
from integrations.janus import JanusAdminClient, JanusClient
from live import services
from live.models import LiveAction, MediaServer, ParticipantState, VideoRoom
from live.selectors import media_server_pick
from meetings.models import AttendanceInterval, Meeting
from tests.janus_server import ADMIN_KEY, ADMIN_SECRET, API_SECRET
from tests.live.conftest import media_server_for

pytestmark = pytest.mark.janus


def janus_rooms(server) -> set[int]:
    with JanusClient(server.url, api_secret=API_SECRET, admin_key=ADMIN_KEY) as janus:
        return {r.room_id for r in janus.room_list()}


def test_start_creates_room_with_tokens_pin_and_bitrate(
    janus, briefing, eager_tasks, django_capture_on_commit_callbacks
):
    """meeting_start → after commit the task creates the private room with one token per site."""
    media_server_for(janus)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_start(meeting=briefing.meeting, user=briefing.organiser)
    room = VideoRoom.objects.get(meeting=briefing.meeting)
    assert room.status == VideoRoom.Status.ACTIVE
    assert briefing.refresh().status == Meeting.Status.LIVE
    assert room.room_id in janus_rooms(janus)
    states = list(room.participants.all())
    assert len(states) == 4  # host + 3 invited
    assert len({s.join_token for s in states}) == 4 and all(len(s.join_token) >= 24 for s in states)
    assert len({s.janus_id for s in states}) == 4
    assert room.publishers == 4 + 2
    assert room.bitrate == 1_000_000  # half of the slowest primary link (2 Mbit/s)
    with JanusClient(janus.url, api_secret=API_SECRET, admin_key=ADMIN_KEY) as client:
        listed = {r.room_id: r for r in client.room_list()}[room.room_id]
        assert listed.pin_required and listed.is_private and listed.audiolevel_event
        # The derived secret works, so the portal owns the room; the allowed list has the 4 tokens.
        tokens = client.room_allowed(room.room_id, secret=services.room_secret(room.room_id), action="add")
        assert sorted(tokens) == sorted(s.join_token for s in states)
    assert LiveAction.objects.filter(meeting=briefing.meeting, action="start").count() == 1
    # Each site's token also opens Janus sessions (token_auth), so browsers never need the API secret.
    with JanusAdminClient(janus.admin_url, admin_secret=ADMIN_SECRET) as admin:
        assert {s.join_token for s in states} <= set(admin.token_list())


def test_provision_is_idempotent(janus, briefing, eager_tasks):
    media_server_for(janus)
    room1 = services.room_provision(meeting_id=briefing.meeting.pk)
    room2 = services.room_provision(meeting_id=briefing.meeting.pk)
    assert room1.pk == room2.pk and room2.status == VideoRoom.Status.ACTIVE
    assert VideoRoom.objects.count() == 1 and ParticipantState.objects.count() == 4


def test_start_twice_is_a_conflict(janus, briefing, eager_tasks, django_capture_on_commit_callbacks):
    media_server_for(janus)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_start(meeting=briefing.meeting, user=briefing.organiser)
    with pytest.raises(ConflictError):
        services.meeting_start(meeting=briefing.meeting, user=briefing.organiser)


def test_no_media_server(briefing):
    with pytest.raises(ApplicationError):
        services.meeting_start(meeting=briefing.meeting, user=briefing.organiser)


def test_end_destroys_room_and_closes_attendance(janus, briefing, eager_tasks, django_capture_on_commit_callbacks):
    media_server_for(janus)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_start(meeting=briefing.meeting, user=briefing.organiser)
    room = VideoRoom.objects.get(meeting=briefing.meeting)
    state = room.participants.filter(invitation__isnull=False).first()
    services.participant_update(row=state, state=ParticipantState.State.PUBLISHING)
    assert AttendanceInterval.objects.filter(bridge_point=state.bridge_point, left_at__isnull=True).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_end(meeting=briefing.meeting, user=briefing.organiser)
    room.refresh_from_db()
    assert room.status == VideoRoom.Status.CLOSED
    assert room.room_id not in janus_rooms(janus)
    with JanusAdminClient(janus.admin_url, admin_secret=ADMIN_SECRET) as admin:
        assert not {s.join_token for s in room.participants.all()} & set(admin.token_list())
    assert not AttendanceInterval.objects.filter(left_at__isnull=True).exists()
    assert set(room.participants.values_list("state", flat=True)) == {"not_connected"}


def test_least_loaded_healthy_server(janus, janus_factory, make_briefing, eager_tasks):
    first = media_server_for(janus, "a")
    second_janus = janus_factory()
    second = media_server_for(second_janus, "b")
    MediaServer.objects.filter(pk=second.pk).update(is_healthy=False)
    assert media_server_pick() == first
    MediaServer.objects.filter(pk=second.pk).update(is_healthy=True)
    rooms = [services.room_provision(meeting_id=make_briefing(n=1).meeting.pk) for _ in range(4)]
    assert sorted(r.server_id for r in rooms) == sorted([first.pk, first.pk, second.pk, second.pk])


def test_mute_and_drop_need_a_participant_in_the_room(janus, briefing, eager_tasks, django_capture_on_commit_callbacks):
    media_server_for(janus)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_start(meeting=briefing.meeting, user=briefing.organiser)
    state = ParticipantState.objects.filter(invitation__isnull=False).first()
    with pytest.raises(ConflictError):
        services.participant_mute(meeting=briefing.meeting, state_id=state.pk, user=briefing.organiser)
    # Janus says the participant is unknown (428): a conflict, not a crash.
    services.participant_update(row=state, state=ParticipantState.State.PUBLISHING)
    with pytest.raises(ConflictError):
        services.participant_mute(meeting=briefing.meeting, state_id=state.pk, user=briefing.organiser)
    dropped = services.participant_drop(meeting=briefing.meeting, state_id=state.pk, user=briefing.organiser)
    assert dropped.state == "not_connected"
    assert LiveAction.objects.filter(action="drop").count() == 1


def test_reconcile_after_restart_and_orphans(janus_factory, briefing, eager_tasks, django_capture_on_commit_callbacks):
    """A restarted Janus has no rooms: reconcile recreates the live one and destroys rooms nobody owns."""
    server = janus_factory()
    media_server_for(server)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_start(meeting=briefing.meeting, user=briefing.organiser)
    room = VideoRoom.objects.get()
    state = room.participants.filter(invitation__isnull=False).first()
    services.participant_update(row=state, state=ParticipantState.State.PUBLISHING)
    server.restart()
    assert room.room_id not in janus_rooms(server)
    orphan = 4_242_424
    with JanusClient(server.url, api_secret=API_SECRET, admin_key=ADMIN_KEY) as client:
        from integrations.janus import RoomSpec

        client.room_create(RoomSpec(room_id=orphan, secret=services.room_secret(orphan)))
    report = services.reconcile_all()
    assert report.rooms_created == 1 and report.rooms_destroyed == 1
    assert janus_rooms(server) == {room.room_id}
    state.refresh_from_db()
    assert state.state == "not_connected"
    interval = AttendanceInterval.objects.get(bridge_point=state.bridge_point)
    assert interval.left_at is not None and interval.left_at <= timezone.now()


def test_reconcile_marks_a_dead_server_down(janus_factory, briefing, eager_tasks, django_capture_on_commit_callbacks):
    server = janus_factory()
    ms = media_server_for(server)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_start(meeting=briefing.meeting, user=briefing.organiser)
    state = ParticipantState.objects.filter(invitation__isnull=False).first()
    services.participant_update(row=state, state=ParticipantState.State.PUBLISHING)
    server.stop()
    report = services.reconcile_all()
    assert report.servers_down == 1
    ms.refresh_from_db()
    assert not ms.is_healthy and ms.last_error
    assert not AttendanceInterval.objects.filter(left_at__isnull=True).exists()
    server.start()
    services.reconcile_all()
    ms.refresh_from_db()
    assert ms.is_healthy
    assert VideoRoom.objects.get().room_id in janus_rooms(server)


def test_start_and_end_refresh_the_meetings_section_of_every_site(
    janus, briefing, eager_tasks, django_capture_on_commit_callbacks
):
    """The site pages of the host and of each invited site hear that their meetings section changed."""
    import asyncio
    import threading

    from channels.layers import get_channel_layer

    from sites.live import site_group
    from sites.models import Site

    media_server_for(janus)
    meeting = briefing.meeting
    site_ids = set(Site.objects.filter(rooms__bridge_point__invitations__meeting=meeting).values_list("pk", flat=True))
    site_ids.add(meeting.host_bridge_point.room.site_id)
    layer = get_channel_layer()

    def hear_while(action) -> list[dict]:
        """Listen to the sites' groups on another thread's event loop (the pub/sub layer keeps nothing
        for absent listeners) while `action` runs here, on the test's database connection."""
        subscribed, messages = threading.Event(), []

        async def listen() -> None:
            channel = await layer.new_channel()
            for site_id in site_ids:
                await layer.group_add(site_group(site_id), channel)
            subscribed.set()
            for _ in site_ids:
                messages.append(await asyncio.wait_for(layer.receive(channel), 5))

        listener = threading.Thread(target=asyncio.run, args=(listen(),))
        listener.start()
        assert subscribed.wait(5)
        action()
        listener.join(10)
        return messages

    def start():
        with django_capture_on_commit_callbacks(execute=True):
            services.meeting_start(meeting=meeting, user=briefing.organiser)

    def end():
        with django_capture_on_commit_callbacks(execute=True):
            services.meeting_end(meeting=briefing.refresh(), user=briefing.organiser)

    changed = {"type": "section.changed", "section": "meetings.meetings"}
    for action in (start, end):
        assert hear_while(action) == [changed] * len(site_ids)
    assert len(site_ids) == 4  # the host and three invited sites


def test_a_share_stops_in_janus_when_the_floor_no_longer_allows_it(
    janus, briefing, eager_tasks, django_capture_on_commit_callbacks
):
    """The holder shares (the chair allows it); when the chair takes the floor back the portal stops the share."""
    media_server_for(janus)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_start(meeting=briefing.meeting, user=briefing.organiser)
    services.floor_mode_set(meeting=briefing.meeting, user=briefing.organiser, mode="moderated", share_by_floor=True)
    holder, other = ParticipantState.objects.filter(invitation__isnull=False).order_by("pk")[:2]
    with django_capture_on_commit_callbacks(execute=True):
        services.floor_give(meeting=briefing.meeting, user=briefing.organiser, bridge_point_id=holder.bridge_point_id)
    # Both sites' share handles publish (the other one through a page that ignores the rules).
    ParticipantState.objects.filter(pk__in=[holder.pk, other.pk]).update(sharing=True)
    with django_capture_on_commit_callbacks(execute=True):  # any floor change checks every share
        services.floor_mode_set(meeting=briefing.meeting, user=briefing.organiser, mode="moderated")
    holder.refresh_from_db()
    other.refresh_from_db()
    assert holder.sharing is True, "the floor holder may share"
    assert other.sharing is False, "a site without the floor may not"

    with django_capture_on_commit_callbacks(execute=True):
        services.floor_take(meeting=briefing.meeting, user=briefing.organiser)
    holder.refresh_from_db()
    assert holder.sharing is False
    # The chair's hall may always share.
    chair = ParticipantState.objects.get(video_room__meeting=briefing.meeting, invitation__isnull=True)
    ParticipantState.objects.filter(pk=chair.pk).update(sharing=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.floor_give(meeting=briefing.meeting, user=briefing.organiser, bridge_point_id=other.bridge_point_id)
    chair.refresh_from_db()
    assert chair.sharing is True
