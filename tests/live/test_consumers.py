"""The board websocket with the real Redis channel layer: who may connect, snapshot, numbered deltas."""

import asyncio

import pytest
from channels.routing import URLRouter
from django.contrib.auth.models import AnonymousUser

from accounts.roles import Role
from live import services
from live.models import MediaServer
from live.routing import websocket_urlpatterns
from tests.factories.sites import UnitFactory
from tests.live.wsclient import WebsocketCommunicator

pytestmark = pytest.mark.django_db(transaction=True)

app = URLRouter(websocket_urlpatterns)


def communicator(user, meeting_id):
    comm = WebsocketCommunicator(app, f"/ws/live/meetings/{meeting_id}/")
    comm.scope["user"] = user
    return comm


@pytest.fixture
def room(briefing):
    MediaServer.objects.create(name="ws", server_name="janus-ws", api_url="http://127.0.0.1:1/janus")
    return services.room_prepare(meeting=briefing.meeting)


async def expect_close(comm, code):
    connected, close_code = await comm.connect()
    assert not connected and close_code == code
    await comm.disconnect()


def test_anonymous_rejected(briefing):
    asyncio.run(_test_anonymous_rejected(briefing))


async def _test_anonymous_rejected(briefing):
    await expect_close(communicator(AnonymousUser(), briefing.meeting.pk), 4401)


def test_without_role_or_other_commune_rejected(briefing, make_user):
    asyncio.run(_test_without_role_or_other_commune_rejected(briefing, make_user))


async def _test_without_role_or_other_commune_rejected(briefing, make_user):
    from asgiref.sync import sync_to_async

    nobody = await sync_to_async(make_user)(None)
    await expect_close(communicator(nobody, briefing.meeting.pk), 4403)
    other_commune = await sync_to_async(UnitFactory)()
    outsider = await sync_to_async(make_user)(Role.COMMUNE_OFFICER, unit=other_commune)
    await expect_close(communicator(outsider, briefing.meeting.pk), 4403)
    await expect_close(communicator(outsider, 999999), 4403)


def test_invited_commune_officer_gets_snapshot_and_deltas(briefing, room, make_user):
    asyncio.run(_test_invited_commune_officer_gets_snapshot_and_deltas(briefing, room, make_user))


async def _test_invited_commune_officer_gets_snapshot_and_deltas(briefing, room, make_user):
    from asgiref.sync import sync_to_async

    officer = await sync_to_async(make_user)(Role.COMMUNE_OFFICER, unit=briefing.communes[0])
    comm = communicator(officer, briefing.meeting.pk)
    connected, _ = await comm.connect()
    assert connected
    snapshot = await comm.receive_json_from(timeout=3)
    assert snapshot["type"] == "snapshot"
    rows = snapshot["data"]["participants"]
    assert len(rows) == 4 and {r["state"] for r in rows} == {"not_connected"}
    assert all("token" not in str(r) and "join_token" not in r for r in rows)
    seq = snapshot["data"]["seq"]

    def change():
        state = room.participants.filter(invitation__isnull=False).first()
        services.participant_update(row=state, state="publishing")  # autocommit: broadcast at once
        return state.pk

    state_pk = await sync_to_async(change)()
    delta = await comm.receive_json_from(timeout=3)
    assert delta["type"] == "delta" and delta["data"]["seq"] == seq + 1
    assert delta["data"]["participants"][0]["key"] == state_pk
    assert delta["data"]["participants"][0]["state"] == "publishing"

    await comm.send_json_to({"type": "resync"})
    again = await comm.receive_json_from(timeout=3)
    assert again["type"] == "snapshot" and again["data"]["seq"] == seq + 1
    await comm.disconnect()


@pytest.mark.parametrize("role", [Role.HOST, Role.OFFICE_STAFF, Role.LEADER])
def test_district_roles_may_watch(briefing, make_user, role):
    asyncio.run(_test_district_roles_may_watch(briefing, make_user, role))


async def _test_district_roles_may_watch(briefing, make_user, role):
    from asgiref.sync import sync_to_async

    user = await sync_to_async(make_user)(role)
    comm = communicator(user, briefing.meeting.pk)
    connected, _ = await comm.connect()
    assert connected
    assert (await comm.receive_json_from(timeout=3))["type"] == "snapshot"
    await comm.disconnect()


def test_deltas_are_forwarded_without_a_thread_hop(briefing, room, make_user, monkeypatch):
    """
    A delta reaches every watching socket straight from the event loop: Channels' per-message
    `close_old_connections` (a trip through the one thread-sensitive executor per socket) is skipped,
    since the board touches the database only inside database_sync_to_async.
    """
    import channels.consumer

    hops = []

    async def counting_close_old_connections():
        hops.append(1)

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counting_close_old_connections)
    asyncio.run(_test_deltas_are_forwarded_without_a_thread_hop(briefing, room, make_user, hops))


async def _test_deltas_are_forwarded_without_a_thread_hop(briefing, room, make_user, hops):
    from asgiref.sync import sync_to_async
    from channels.layers import get_channel_layer

    from live.broadcast import delta_message, meeting_group

    host = await sync_to_async(make_user)(Role.HOST)
    watchers = [communicator(host, briefing.meeting.pk) for _ in range(3)]
    for comm in watchers:
        assert (await comm.connect())[0]
        assert (await comm.receive_json_from(timeout=3))["type"] == "snapshot"
    await get_channel_layer().group_send(
        meeting_group(briefing.meeting.pk), delta_message({"seq": 99, "participants": []})
    )
    for comm in watchers:
        assert await comm.receive_json_from(timeout=3) == {"type": "delta", "data": {"seq": 99, "participants": []}}
    assert hops == []
    # A message no handler is named for is still refused, as Channels does.
    consumer_error = None
    await watchers[0].send_input({"type": "no.such.handler"})
    try:
        await watchers[0].receive_output(timeout=3)
    except ValueError as exc:
        consumer_error = exc
    assert consumer_error is not None and "no.such.handler" in str(consumer_error)
    for comm in watchers[1:]:
        await comm.disconnect()


def test_t60_test_call_request_reaches_the_room_pages(briefing, room, make_user):
    """
    From T-60 the portal asks the room pages of bridge points without a good test call (and the host's
    hall) for one, over the meeting's websocket (b8); a site whose test call Janus received is not asked.
    """
    asyncio.run(_test_t60_test_call_request_reaches_the_room_pages(briefing, room, make_user))


async def _test_t60_test_call_request_reaches_the_room_pages(briefing, room, make_user):
    from asgiref.sync import sync_to_async

    from live.models import ReadinessCheck, VideoRoom

    def prepare():
        VideoRoom.objects.filter(pk=room.pk).update(status=VideoRoom.Status.ACTIVE)
        tested = briefing.meeting.invitations.get(bridge_point=briefing.sites[0])
        ReadinessCheck.objects.create(invitation=tested, test_call_published=True, test_call_media_received=True)

    await sync_to_async(prepare)()
    officer = await sync_to_async(make_user)(Role.COMMUNE_OFFICER, unit=briefing.communes[1])
    comm = communicator(officer, briefing.meeting.pk)
    connected, _ = await comm.connect()
    assert connected
    assert (await comm.receive_json_from(timeout=3))["type"] == "snapshot"
    asked = await sync_to_async(services.test_calls_request)()
    expected = sorted([site.pk for site in briefing.sites[1:]] + [briefing.host.pk])
    assert sorted(asked[briefing.meeting.pk]) == expected
    message = await comm.receive_json_from(timeout=3)
    assert message["type"] == "test_call" and sorted(message["data"]["bridge_points"]) == expected
    await comm.disconnect()

    def later():
        # The meeting has started (or is more than an hour away): nobody is asked.
        from meetings.models import Meeting

        Meeting.objects.filter(pk=briefing.meeting.pk).update(status=Meeting.Status.LIVE)
        return services.test_calls_request()

    assert await sync_to_async(later)() == {}


def test_heartbeats_of_many_sockets_read_the_room_number_once(briefing, room, monkeypatch):
    """
    Every board socket's heartbeat carries the room's delta number; the sockets of one process share a
    read of it no older than `max_age`, so 200 boards are not 40 queries a second.
    """
    from live import consumers

    reads = []
    real_read = consumers._read_seq

    async def counting_read(meeting_id):
        reads.append(meeting_id)
        return await real_read(meeting_id)

    monkeypatch.setattr(consumers, "_read_seq", counting_read)
    asyncio.run(_test_heartbeats_read_once(briefing, room, reads))


async def _test_heartbeats_read_once(briefing, room, reads):
    from asgiref.sync import sync_to_async
    from django.db import transaction

    from live.broadcast import room_next_seq
    from live.consumers import _seq

    meeting_id = briefing.meeting.pk
    assert await asyncio.gather(*(_seq(meeting_id, max_age=0.3) for _ in range(200))) == [room.seq] * 200
    assert reads == [meeting_id]

    def lost_delta():  # numbered, never sent: the heartbeat must still reveal it
        with transaction.atomic():
            return room_next_seq(room_id=room.pk)

    seq = await sync_to_async(lost_delta)()
    assert await _seq(meeting_id, max_age=0.3) == room.seq  # within max_age: the shared read
    await asyncio.sleep(0.3)
    assert await asyncio.gather(*(_seq(meeting_id, max_age=0.3) for _ in range(200))) == [seq] * 200
    assert reads == [meeting_id, meeting_id]
