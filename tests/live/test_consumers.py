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
