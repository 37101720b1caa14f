"""
The alert websocket, through the real Redis channel layer: authenticated, scoped by unit, and a
camera going offline pushes one `camera.alert` after commit.
"""

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.db import connections

from accounts.roles import Role
from cameras.consumers import CameraAlertConsumer
from cameras.probes import ProbeResult
from cameras.services import camera_health_record
from tests.cameras.factories import CameraFactory
from tests.cameras.wsclient import WebsocketCommunicator
from tests.factories.sites import SiteFactory, UnitFactory

pytestmark = pytest.mark.django_db(transaction=True)

FAIL = ProbeResult(0, False, "tcp", "connection refused")


def run(coro):
    """Run a test coroutine, then close the database connection of the sync worker thread (it
    would outlive the test and block dropping the PostgreSQL test database)."""

    async def wrapped():
        try:
            return await coro
        finally:
            await database_sync_to_async(connections.close_all)()

    return asyncio.run(wrapped())


async def _connect(user):
    communicator = WebsocketCommunicator(CameraAlertConsumer.as_asgi(), "/ws/cameras/alerts/")
    communicator.scope["user"] = user
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


def test_offline_alert_is_pushed_to_allowed_users_only(make_user, probe_settings):
    district = UnitFactory(code="district", kind="district")
    commune_a = UnitFactory(code="commune-a", parent=district)
    commune_b = UnitFactory(code="commune-b", parent=district)
    camera = CameraFactory(site=SiteFactory(unit=commune_a))
    technician = make_user(Role.TECHNICIAN)
    officer_a = make_user(Role.COMMUNE_OFFICER, unit=commune_a)
    officer_b = make_user(Role.COMMUNE_OFFICER, unit=commune_b)
    district_police = make_user(Role.POLICE_OPERATOR, unit=district)

    async def main():
        sockets = {}
        for name, user in [("tech", technician), ("a", officer_a), ("b", officer_b), ("police", district_police)]:
            communicator, connected, _ = await _connect(user)
            assert connected
            snapshot = await communicator.receive_json_from(timeout=5)
            assert snapshot["type"] == "cameras.snapshot"
            sockets[name] = communicator
        for _ in range(3):
            await database_sync_to_async(camera_health_record)(camera_id=camera.pk, result=FAIL)
        received = {}
        for name in ("tech", "a", "police"):
            received[name] = await sockets[name].receive_json_from(timeout=5)
        assert await sockets["b"].receive_nothing(timeout=0.5)
        for communicator in sockets.values():
            await communicator.disconnect()
        return received

    received = run(main())
    for event in received.values():
        assert event["type"] == "camera.alert"
        assert event["data"]["kind"] == "offline"
        assert event["data"]["camera"]["id"] == camera.pk
        assert event["data"]["camera"]["health"] == "offline"


def test_snapshot_totals_are_scoped(make_user):
    commune_a, commune_b = UnitFactory(), UnitFactory()
    CameraFactory(site=SiteFactory(unit=commune_a))
    CameraFactory(site=SiteFactory(unit=commune_b))
    CameraFactory(site=SiteFactory(unit=commune_b))
    officer = make_user(Role.COMMUNE_OFFICER, unit=commune_a)

    async def main():
        communicator, connected, _ = await _connect(officer)
        assert connected
        snapshot = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return snapshot

    assert run(main())["data"]["totals"]["total"] == 1


def test_anonymous_and_roleless_users_are_refused(make_user):
    from django.contrib.auth.models import AnonymousUser

    roleless = make_user(None)

    async def main():
        anonymous = await _connect(AnonymousUser())
        no_role = await _connect(roleless)
        return anonymous[1:], no_role[1:]

    anonymous, no_role = run(main())
    assert anonymous == (False, 4401)
    assert no_role == (False, 4403)
