"""
The live site page in Debian's headless Chromium, served by uvicorn (HTTP and websockets): a camera
going offline, then back online, through the cameras service changes the cameras section in place,
without reloading the page.
"""

import threading

import pytest
from django.db import connections

from accounts.roles import Role
from cameras.choices import Health
from cameras.probes import ProbeResult
from cameras.services import camera_health_record
from tests.browser import page_as, wait_until
from tests.cameras.factories import CameraFactory
from tests.factories.sites import SiteFactory
from tests.live.conftest import PortalServer, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def portal_server(transactional_db):
    server = PortalServer()
    server.start()
    yield server
    server.stop()


def record_in_thread(camera, ok: bool) -> str | None:
    """Run the service outside Playwright's event loop (its broadcast uses async_to_sync)."""
    result: list = []
    probe = ProbeResult(camera.pk, ok, "done" if ok else "tcp", "" if ok else "connection refused")

    def target():
        try:
            result.append(camera_health_record(camera_id=camera.pk, result=probe))
        finally:
            connections.close_all()  # this thread's connection would outlive the test database

    worker = threading.Thread(target=target)
    worker.start()
    worker.join(10)
    return result[0]


def test_cameras_section_follows_the_camera_without_reload(browser, portal_server, make_user, settings):
    settings.CAMERA_OFFLINE_AFTER_FAILURES = 1
    settings.CAMERA_ONLINE_AFTER_SUCCESSES = 1
    site = SiteFactory(name="UBND xã Tam Hải")
    camera = CameraFactory(site=site, code="th-cong", name="Cổng chính", health=Health.ONLINE)
    CameraFactory(site=site, code="th-hanh-lang", health=Health.ONLINE)
    officer = make_user(Role.COMMUNE_OFFICER, unit=site.unit)
    page = page_as(browser, portal_server.url, session_cookie(officer), viewport={"width": 768, "height": 1024})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{portal_server.url}{site.get_absolute_url()}")
    wait_until(page, "window.siteLive && window.siteLive.connected", timeout=5000)
    cameras = page.locator('[data-section="cameras.cameras"]')
    assert page.locator('[data-camera="th-cong"]').get_attribute("data-state") == "online"
    assert "2 of 2 working" in cameras.inner_text()
    page.evaluate("window.notReloaded = true")

    assert record_in_thread(camera, ok=False) == "offline"
    page.wait_for_selector('[data-camera="th-cong"][data-state="offline"]', timeout=5000)
    assert "1 of 2 working" in cameras.inner_text()

    assert record_in_thread(camera, ok=True) == "recovered"
    page.wait_for_selector('[data-camera="th-cong"][data-state="online"]', timeout=5000)
    assert page.evaluate("window.notReloaded === true && window.siteLive.refreshed === 2")
    assert page.locator("[data-section]").count() >= 2  # the other sections are still there
    assert errors == []
    page.context.close()
