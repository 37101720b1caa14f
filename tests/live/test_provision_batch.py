"""
Batched provisioning against a real Janus and the real Redis: many rooms in one pass, idempotent, one
room's failure isolated, the pending-set dispatch of `meeting_start`, and reconcile as its safety net.
"""

import base64
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integrations.janus import JanusAdminClient, JanusClient, RoomSpec
from integrations.janus.errors import JanusUnavailableError, VideoRoomUnauthorizedError
from live import broadcast, constants, services
from live import tasks as live_tasks
from live.models import MediaServer, ParticipantState, VideoRoom
from live.services import placement
from meetings.models import Meeting
from tests.janus_server import ADMIN_KEY, ADMIN_SECRET, API_SECRET, free_port
from tests.live.conftest import media_server_for, wait_for
from tests.live.helpers import delta_data

pytestmark = pytest.mark.janus


def live_meetings(make_briefing, count: int, sites: int = 3) -> list[Meeting]:
    meetings = []
    for i in range(count):
        meeting = make_briefing(n=sites + i % 2).meeting
        Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.LIVE)
        meetings.append(meeting)
    return meetings


def janus_allowed(server, room: VideoRoom) -> set[str]:
    """The room's allowed list in Janus (an `allowed add` of nothing answers with the list)."""
    with JanusClient(server.url, api_secret=API_SECRET, admin_key=ADMIN_KEY) as client:
        return set(client.room_allowed(room.room_id, secret=services.room_secret(room.room_id), action="add"))


def janus_tokens(server) -> set[str]:
    with JanusAdminClient(server.admin_url, admin_secret=ADMIN_SECRET) as admin:
        return set(admin.token_list())


def tokens_of(room: VideoRoom) -> set[str]:
    return set(room.participants.values_list("join_token", flat=True))


@pytest.fixture
def sent(monkeypatch):
    """The board deltas sent after commit (recorded, then really sent)."""
    messages = []
    real = broadcast.groups_send

    def record(batch):
        messages.extend(batch)
        real(batch)

    monkeypatch.setattr(broadcast, "groups_send", record)
    return messages


def test_batch_creates_every_room_with_its_tokens(janus, make_briefing, django_capture_on_commit_callbacks, sent):
    media_server_for(janus)
    meetings = live_meetings(make_briefing, 4)
    with django_capture_on_commit_callbacks(execute=True):
        rooms = services.rooms_provision(meeting_ids=[m.pk for m in meetings])
    assert [room.meeting_id for room in rooms] == [m.pk for m in meetings]
    assert all(room.provision_error is None for room in rooms)
    tokens = janus_tokens(janus)
    for meeting, room in zip(meetings, rooms, strict=True):
        room.refresh_from_db()
        assert room.status == VideoRoom.Status.ACTIVE and room.provisioned_at and not room.last_error
        expected = 1 + meeting.invitations.count()
        assert room.participants.count() == expected
        assert room.publishers == expected + constants.SPARE_PUBLISHERS
        assert room.bitrate == 1_000_000  # half of the slowest primary link (2 Mbit/s)
        # Janus has the room, our derived secret opens it, and its allowed list is exactly the tokens.
        assert janus_allowed(janus, room) == tokens_of(room)
        assert tokens_of(room) <= tokens  # each token also opens Janus sessions (token_auth)
    # One delta per meeting, after commit, showing the room active.
    assert sorted(meeting_id for meeting_id, _message in sent) == sorted(m.pk for m in meetings)
    deltas = [delta_data(message) for _meeting_id, message in sent]
    assert all(delta["meeting"]["room_status"] == "active" for delta in deltas)
    assert all(delta["meeting"]["status"] == "live" for delta in deltas)
    assert {delta["seq"] for delta in deltas} == {1}


def test_batch_queries_do_not_grow_with_the_batch(janus, make_briefing):
    media_server_for(janus)
    counts = []
    for size in (2, 6):
        meetings = live_meetings(make_briefing, size)
        with CaptureQueriesContext(connection) as queries:
            services.rooms_provision(meeting_ids=[m.pk for m in meetings])
        counts.append(len(queries))
    assert counts[0] == counts[1] and counts[0] <= 25


def test_batch_is_idempotent(janus, make_briefing, django_capture_on_commit_callbacks, sent):
    media_server_for(janus)
    meetings = live_meetings(make_briefing, 3)
    ids = [m.pk for m in meetings]
    first = {room.pk: (room.room_id, tokens_of(room)) for room in services.rooms_provision(meeting_ids=ids)}
    with django_capture_on_commit_callbacks(execute=True):
        again = services.rooms_provision(meeting_ids=ids)
    assert {room.pk: (room.room_id, tokens_of(room)) for room in again} == first
    assert VideoRoom.objects.count() == 3 and ParticipantState.objects.count() == sum(
        1 + m.invitations.count() for m in meetings
    )
    for room in again:
        assert room.status == VideoRoom.Status.ACTIVE and room.provision_error is None
        assert janus_allowed(janus, room) == tokens_of(room)
    assert sent == []  # nothing changed: no delta


def test_rooms_lost_by_janus_are_created_again(janus_factory, make_briefing):
    """After a restart Janus has no room and no token: a second pass creates both again."""
    server = janus_factory()
    media_server_for(server)
    ids = [m.pk for m in live_meetings(make_briefing, 2)]
    services.rooms_provision(meeting_ids=ids)
    server.restart()
    rooms = services.rooms_provision(meeting_ids=ids)
    tokens = janus_tokens(server)
    for room in rooms:
        assert janus_allowed(server, room) == tokens_of(room) and tokens_of(room) <= tokens


def test_a_refused_room_fails_alone(janus, make_briefing):
    """Janus refuses one room (its id is taken by a room that is not ours): it fails, the others are created."""
    media_server_for(janus)
    meetings = live_meetings(make_briefing, 3)
    stolen = services.room_prepare(meeting=meetings[1])
    with JanusClient(janus.url, api_secret=API_SECRET, admin_key=ADMIN_KEY) as client:
        client.room_create(RoomSpec(room_id=stolen.room_id, secret="not-ours"))
    rooms = services.rooms_provision(meeting_ids=[m.pk for m in meetings])
    by_meeting = {room.meeting_id: room for room in rooms}
    failed = by_meeting[meetings[1].pk]
    assert isinstance(failed.provision_error, VideoRoomUnauthorizedError)
    failed.refresh_from_db()
    assert failed.status == VideoRoom.Status.FAILED and "433" in failed.last_error
    for meeting in (meetings[0], meetings[2]):
        room = VideoRoom.objects.get(meeting=meeting)
        assert room.status == VideoRoom.Status.ACTIVE
        assert janus_allowed(janus, room) == tokens_of(room)
    # The single-meeting form raises it.
    with pytest.raises(VideoRoomUnauthorizedError):
        services.room_provision(meeting_id=meetings[1].pk)
    with JanusClient(janus.url, api_secret=API_SECRET, admin_key=ADMIN_KEY) as client:
        client.room_destroy(stolen.room_id, secret="not-ours")


def test_rooms_on_a_dead_server_wait_for_a_retry(janus, make_briefing):
    """Rooms placed on a server that does not answer stay pending with the error; the others are created."""
    media_server_for(janus)
    port = free_port()
    dead = MediaServer.objects.create(
        name="dead",
        server_name="janus-dead",
        api_url=f"http://127.0.0.1:{port}/janus",
        admin_url=f"http://127.0.0.1:{port}/admin",
    )
    meetings = live_meetings(make_briefing, 4)
    for meeting in meetings:
        services.room_prepare(meeting=meeting)  # least loaded first: two rooms on each server
    assert VideoRoom.objects.filter(server=dead).count() == 2
    rooms = services.rooms_provision(meeting_ids=[m.pk for m in meetings])
    for room in rooms:
        room.refresh_from_db()
        if room.server_id == dead.pk:
            assert isinstance(room.provision_error, JanusUnavailableError)
            assert room.status == VideoRoom.Status.PENDING and room.last_error
        else:
            assert room.provision_error is None and room.status == VideoRoom.Status.ACTIVE
    with pytest.raises(JanusUnavailableError):
        services.room_provision(meeting_id=VideoRoom.objects.filter(server=dead).first().meeting_id)


def broker_messages(task_name: str) -> list[dict]:
    """Messages for `task_name` waiting in the (Redis) broker queue: their keyword arguments."""
    found = []
    for raw in services._redis().lrange("celery", 0, -1):
        message = json.loads(raw)
        if message["headers"]["task"] == task_name:
            _args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
            found.append(kwargs)
    return found


@pytest.fixture
def broker():
    """The test Redis broker queue, emptied before and after (no worker runs here)."""
    from portal.celery import app

    app.control.purge()
    yield
    app.control.purge()


def test_starts_together_are_drained_in_one_batch(
    janus, make_briefing, broker, django_capture_on_commit_callbacks, monkeypatch
):
    media_server_for(janus)
    meetings = [make_briefing().meeting for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        for meeting in meetings:
            services.meeting_start(meeting=meeting, user=meeting.organiser)
    # Each start joined the pending set; one drain was queued for the three.
    assert services._redis().smembers(services.PROVISION_PENDING_KEY) == {str(m.pk).encode() for m in meetings}
    assert broker_messages("live.tasks.rooms_provision_pending") == [{}]
    assert not VideoRoom.objects.exists()  # the start stays short: the batch prepares the rooms

    batches = []
    real = services.rooms_provision
    monkeypatch.setattr(services, "rooms_provision", lambda **kw: batches.append(kw["meeting_ids"]) or real(**kw))
    live_tasks.rooms_provision_pending()  # what the worker runs
    assert batches == [sorted(m.pk for m in meetings)]
    assert VideoRoom.objects.count() == 3
    for room in VideoRoom.objects.all():
        assert room.status == VideoRoom.Status.ACTIVE
        assert janus_allowed(janus, room) == tokens_of(room)
    # Drained: the set is empty and the flag is down, so the next start queues a new drain.
    assert not services._redis().exists(services.PROVISION_PENDING_KEY, services.PROVISION_SCHEDULED_KEY)


def test_drain_hands_unanswered_rooms_to_a_retrying_task(janus, janus_factory, make_briefing, broker):
    media_server_for(janus)
    stopped = janus_factory(start=False)
    down = media_server_for(stopped, "down")
    meetings = live_meetings(make_briefing, 2)
    for meeting in meetings:
        services.room_prepare(meeting=meeting)  # one room on each server
        services.provision_enqueue(meeting_id=meeting.pk)
    waiting = VideoRoom.objects.get(server=down)
    live_tasks.rooms_provision_pending()
    assert VideoRoom.objects.exclude(server=down).get().status == VideoRoom.Status.ACTIVE
    waiting.refresh_from_db()
    assert waiting.status == VideoRoom.Status.PENDING and waiting.last_error
    # Only the meeting whose server did not answer goes to the retrying task.
    assert broker_messages("live.tasks.rooms_provision") == [{"meeting_ids": [waiting.meeting_id]}]
    stopped.start()
    live_tasks.rooms_provision(meeting_ids=[waiting.meeting_id])  # the retry, once the server is back
    waiting.refresh_from_db()
    assert waiting.status == VideoRoom.Status.ACTIVE
    assert janus_allowed(stopped, waiting) == tokens_of(waiting) and tokens_of(waiting) <= janus_tokens(stopped)


def test_a_lost_pending_entry_is_recovered_by_reconcile(janus, briefing, broker, django_capture_on_commit_callbacks):
    media_server_for(janus)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_start(meeting=briefing.meeting, user=briefing.organiser)
    services._redis().delete(services.PROVISION_PENDING_KEY)  # Redis lost the set (or a drain died)
    live_tasks.rooms_provision_pending()  # the drain finds nothing
    assert not VideoRoom.objects.filter(meeting=briefing.meeting).exists()

    # Just started: the dispatch may still be on it, reconcile leaves it.
    report = services.reconcile_all()
    assert report.rooms_provisioned == 0 and report.rooms_created == 0
    assert not VideoRoom.objects.filter(meeting=briefing.meeting).exists()

    Meeting.objects.filter(pk=briefing.meeting.pk).update(
        updated_at=timezone.now() - timedelta(seconds=constants.PROVISION_GRACE + 1)
    )
    report = services.reconcile_all()
    assert report.rooms_provisioned == 1
    room = VideoRoom.objects.get(meeting=briefing.meeting)
    assert room.status == VideoRoom.Status.ACTIVE
    assert janus_allowed(janus, room) == tokens_of(room) and tokens_of(room) <= janus_tokens(janus)


def test_a_room_prepared_but_never_created_is_recovered_by_reconcile(janus, briefing):
    """A batch that died between preparing the rows and Janus: the PENDING room is created after the grace."""
    media_server_for(janus)
    Meeting.objects.filter(pk=briefing.meeting.pk).update(status=Meeting.Status.LIVE)
    room = services.room_prepare(meeting=briefing.meeting)
    report = services.reconcile_all()  # young: the batch may still be on it
    assert report.rooms_provisioned == 0 and report.rooms_created == 0
    with JanusClient(janus.url, api_secret=API_SECRET, admin_key=ADMIN_KEY) as client:
        assert not client.room_exists(room.room_id)

    VideoRoom.objects.filter(pk=room.pk).update(
        created_at=timezone.now() - timedelta(seconds=constants.PROVISION_GRACE + 1)
    )
    report = services.reconcile_all()
    assert report.rooms_provisioned == 1
    room.refresh_from_db()
    assert room.status == VideoRoom.Status.ACTIVE
    assert janus_allowed(janus, room) == tokens_of(room) and tokens_of(room) <= janus_tokens(janus)


def test_token_sync_prunes_strays_and_keeps_live_rooms(janus_factory, briefing):
    """
    Janus's token store ends up exactly the live rooms' tokens (what reconcile wants is read after
    listing what Janus has, so tokens a batch adds meanwhile are kept).
    """
    server = janus_factory()
    ms = media_server_for(server)
    Meeting.objects.filter(pk=briefing.meeting.pk).update(status=Meeting.Status.LIVE)
    room = services.room_provision(meeting_id=briefing.meeting.pk)
    stray = "stray-token"
    with JanusAdminClient(server.admin_url, admin_secret=ADMIN_SECRET) as admin:
        admin.token_add(stray)
    services.tokens_sync(server=ms, wanted=lambda: services._live_tokens(ms))
    assert janus_tokens(server) == tokens_of(room)  # the stray one is pruned, the room's stay


def test_starts_with_a_real_worker(janus, make_briefing, celery_worker_process):
    """meeting_start × 4 → pending set → the worker's drain → every room active in Janus."""
    media_server_for(janus)
    meetings = [make_briefing().meeting for _ in range(4)]
    for meeting in meetings:
        services.meeting_start(meeting=meeting, user=meeting.organiser)
    wait_for(
        lambda: VideoRoom.objects.filter(status=VideoRoom.Status.ACTIVE).count() == 4,
        timeout=20,
        message="the worker did not create the rooms",
    )
    for room in VideoRoom.objects.all():
        assert janus_allowed(janus, room) == tokens_of(room)


def test_a_start_succeeds_when_redis_is_unreachable(janus, briefing, monkeypatch, django_capture_on_commit_callbacks):
    """The meeting has started whatever happens to the dispatch; its room waits for reconcile."""
    import redis

    media_server_for(janus)
    unreachable = redis.Redis(port=free_port(), socket_connect_timeout=0.2)
    monkeypatch.setattr(placement, "_redis", lambda: unreachable)  # where provision_enqueue finds it
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_start(meeting=briefing.meeting, user=briefing.organiser)
    assert briefing.refresh().status == Meeting.Status.LIVE
    assert not VideoRoom.objects.filter(meeting=briefing.meeting).exists()
    # Once the grace period is over, reconcile (which needs no Redis for this) makes the room.
    Meeting.objects.filter(pk=briefing.meeting.pk).update(
        updated_at=timezone.now() - timedelta(seconds=constants.PROVISION_GRACE + 1)
    )
    assert services.reconcile_all().rooms_provisioned == 1
    assert VideoRoom.objects.get(meeting=briefing.meeting).status == VideoRoom.Status.ACTIVE


def test_reconcile_recreates_every_room_after_a_restart_and_a_refused_one_does_not_stop_it(
    janus_factory, make_briefing, sent, django_capture_on_commit_callbacks
):
    """
    Janus restarts with no rooms and no tokens; meanwhile another client took one room's id. One
    reconcile pass creates the others again in one batch, with their allowed lists and stored tokens,
    tells their boards, logs the refused one and still aligns the rest (its orphan stays: not ours).
    """
    server = janus_factory()
    media_server_for(server)
    meetings = live_meetings(make_briefing, 4)
    services.rooms_provision(meeting_ids=[m.pk for m in meetings])
    rooms = {room.meeting_id: room for room in VideoRoom.objects.select_related("meeting")}
    server.restart()
    taken = rooms[meetings[0].pk]
    with JanusClient(server.url, api_secret=API_SECRET, admin_key=ADMIN_KEY) as client:
        client.room_create(RoomSpec(room_id=taken.room_id, secret="not-ours"))
    sent.clear()

    with django_capture_on_commit_callbacks(execute=True):
        report = services.reconcile_all()

    assert report.rooms_created == 3 and report.servers_down == 0
    tokens = janus_tokens(server)
    for meeting in meetings[1:]:
        room = VideoRoom.objects.get(meeting=meeting)
        assert room.status == VideoRoom.Status.ACTIVE
        assert janus_allowed(server, room) == tokens_of(room) and tokens_of(room) <= tokens
    deltas = [delta_data(message) for _group, message in sent]
    told = {delta["meeting"]["id"] for delta in deltas if "meeting" in delta}
    assert {m.pk for m in meetings[1:]} <= told
    with JanusClient(server.url, api_secret=API_SECRET, admin_key=ADMIN_KEY) as client:
        client.room_destroy(taken.room_id, secret="not-ours")
    # Once the id is free, the next pass brings that room back too.
    assert services.reconcile_all().rooms_created == 1
    assert janus_allowed(server, VideoRoom.objects.get(pk=taken.pk)) == tokens_of(taken)
