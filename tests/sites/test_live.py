"""
The live site page: who may open its websocket, `section.changed` after commit through the real
Redis channel layer (a camera going offline is one), and the view that returns one section.
"""

import asyncio
import re

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from django.contrib.auth.models import AnonymousUser
from django.db import connections, transaction
from django.urls import reverse

from accounts.roles import Role
from cameras.probes import ProbeResult
from cameras.services import camera_health_record
from common import push
from sites.live import site_section_changed
from sites.models import Site
from sites.routing import websocket_urlpatterns
from tests.cameras.factories import CameraFactory
from tests.factories.sites import SiteFactory, UnitFactory
from tests.live.wsclient import WebsocketCommunicator

app = URLRouter(websocket_urlpatterns)
FAIL = ProbeResult(0, False, "tcp", "connection refused")
CHANGED = {"type": "section.changed", "section": "cameras.cameras"}


def run(coro):
    """Run a test coroutine, then close the database connections of the sync worker thread (they
    would outlive the test and block dropping the PostgreSQL test database)."""

    async def wrapped():
        try:
            return await coro
        finally:
            await database_sync_to_async(connections.close_all)()

    return asyncio.run(wrapped())


async def open_socket(user, site_id):
    communicator = WebsocketCommunicator(app, f"/ws/sites/{site_id}/")
    communicator.scope["user"] = user
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


#
# The websocket
#


@pytest.mark.django_db(transaction=True)
def test_only_users_who_may_see_the_site_connect(make_user):
    site = SiteFactory()
    own_officer = make_user(Role.COMMUNE_OFFICER, unit=site.unit)
    other_officer = make_user(Role.COMMUNE_OFFICER, unit=UnitFactory())
    roleless = make_user(None)
    technician = make_user(Role.TECHNICIAN)

    async def main():
        results = {}
        for name, user, site_id in [
            ("anonymous", AnonymousUser(), site.pk),
            ("roleless", roleless, site.pk),
            ("other officer", other_officer, site.pk),
            ("no such site", technician, 999_999),
            ("own officer", own_officer, site.pk),
            ("technician", technician, site.pk),
        ]:
            communicator, connected, code = await open_socket(user, site_id)
            results[name] = (connected, code)
            if connected:
                await communicator.disconnect()
        return results

    assert run(main()) == {
        "anonymous": (False, 4401),
        "roleless": (False, 4403),
        "other officer": (False, 4403),
        "no such site": (False, 4403),
        "own officer": (True, None),
        "technician": (True, None),
    }


@pytest.mark.django_db(transaction=True)
def test_camera_going_offline_tells_that_sites_pages_only(make_user, settings):
    settings.CAMERA_OFFLINE_AFTER_FAILURES = 2
    site, other_site = SiteFactory(), SiteFactory()
    camera = CameraFactory(site=site)
    officer = make_user(Role.COMMUNE_OFFICER, unit=site.unit)
    technician = make_user(Role.TECHNICIAN)

    async def main():
        here, connected, _ = await open_socket(officer, site.pk)
        elsewhere, connected_elsewhere, _ = await open_socket(technician, other_site.pk)
        assert connected and connected_elsewhere
        record = database_sync_to_async(camera_health_record)
        await record(camera_id=camera.pk, result=FAIL)  # one failure: no change of state yet
        assert await here.receive_nothing(timeout=0.5)
        assert await record(camera_id=camera.pk, result=FAIL) == "offline"
        received = await here.receive_json_from(timeout=5)
        assert await elsewhere.receive_nothing(timeout=0.5)
        for communicator in (here, elsewhere):
            await communicator.disconnect()
        return received

    assert run(main()) == CHANGED


@pytest.mark.django_db(transaction=True)
def test_what_the_browser_sends_is_ignored(make_user):
    site = SiteFactory()
    technician = make_user(Role.TECHNICIAN)

    async def main():
        communicator, connected, _ = await open_socket(technician, site.pk)
        assert connected
        for message in ({"text": "not json {"}, {"text": '{"type": "section.changed"}'}, {"bytes": b"\x00\xff"}):
            await communicator.send_input({"type": "websocket.receive", **message})
        await communicator.send_json_to(["a", "list"])
        assert await communicator.receive_nothing(timeout=0.3)  # no echo, no crash
        await sync_to_async(site_section_changed)(site_id=site.pk, section="sites.equipment")
        received = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return received

    assert run(main()) == {"type": "section.changed", "section": "sites.equipment"}


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_for_a_rolled_back_write(make_user):
    site = SiteFactory()
    technician = make_user(Role.TECHNICIAN)

    def write(fail: bool):
        with transaction.atomic():
            Site.objects.filter(pk=site.pk).update(notes="đã sửa")
            site_section_changed(site_id=site.pk, section="sites.unit")
            if fail:
                raise RuntimeError("rolled back")

    async def main():
        communicator, connected, _ = await open_socket(technician, site.pk)
        assert connected
        with pytest.raises(RuntimeError):
            await database_sync_to_async(write)(True)
        assert await communicator.receive_nothing(timeout=0.5)
        await database_sync_to_async(write)(False)
        received = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return received

    assert run(main()) == {"type": "section.changed", "section": "sites.unit"}


@pytest.mark.django_db
def test_a_broadcast_failure_never_undoes_the_write(monkeypatch, caplog, django_capture_on_commit_callbacks):
    class BrokenLayer:
        async def group_send(self, group, message):
            raise ConnectionError("Redis is down")

    monkeypatch.setattr(push, "get_channel_layer", lambda: BrokenLayer())
    site = SiteFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        Site.objects.filter(pk=site.pk).update(notes="vẫn lưu")
        site_section_changed(site_id=site.pk, section="cameras.cameras")
    assert len(callbacks) == 1
    assert Site.objects.get(pk=site.pk).notes == "vẫn lưu"
    assert "could not tell site" in caplog.text


#
# One section's HTML
#


@pytest.mark.django_db
def test_section_view_rights_and_scoping(client, make_user):
    site, other = SiteFactory(), SiteFactory()
    CameraFactory(site=site, code="th-cong-1")
    url = reverse("sites:site_section", args=[site.pk, "cameras.cameras"])
    assert client.get(url).status_code == 302
    client.force_login(make_user(None))
    assert client.get(url).status_code == 403
    client.force_login(make_user(Role.COMMUNE_OFFICER, unit=site.unit))
    response = client.get(url)
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
    html = response.content.decode()
    assert re.findall(r'data-section="([^"]+)"', html) == ["cameras.cameras"] and "th-cong-1" in html
    assert client.get(reverse("sites:site_section", args=[other.pk, "cameras.cameras"])).status_code == 404
    assert client.get(reverse("sites:site_section", args=[site.pk, "cameras.nothing"])).status_code == 404
    # The police see the site but not its equipment: that section does not exist for them.
    client.force_login(make_user(Role.POLICE_OPERATOR))
    assert client.get(reverse("sites:site_section", args=[site.pk, "sites.equipment"])).status_code == 404
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_section_view_returns_what_the_page_shows(client, make_user):
    site = SiteFactory()
    client.force_login(make_user(Role.TECHNICIAN))
    page = client.get(site.get_absolute_url()).content.decode()
    assert 'src="/static/sites/site_live.js"' in page and f'data-ws-path="/ws/sites/{site.pk}/"' in page
    for key in re.findall(r'data-section="([^"]+)"', page):
        fragment = client.get(reverse("sites:site_section", args=[site.pk, key])).content.decode().strip()
        block = re.search(rf'<section[^>]*data-section="{re.escape(key)}".*?</section>', page, re.S)[0]
        assert fragment == block
