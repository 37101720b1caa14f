"""
The camera dashboard in Debian's headless Chromium over uvicorn (HTTP and websockets): when cameras
go offline and come back, its cards and its tables change together, live, and agree (issue 14: after
a live update the cards said 0 offline while the tables still listed 7).
"""

import pytest

from accounts.roles import Role
from cameras.choices import Health
from tests.browser import page_as, wait_until
from tests.cameras.browser_helpers import no_horizontal_overflow, portal_server, screenshot, sweep_in_thread  # noqa: F401
from tests.cameras.factories import CameraFactory
from tests.factories.sites import SiteFactory
from tests.live.conftest import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shown(page) -> dict:
    """What the dashboard says now: the offline card, the offline table's rows, the by-site offline cell."""
    return page.evaluate(
        """() => ({
            card: Number(document.querySelector('[data-total="offline"]').textContent.trim()),
            rows: document.querySelectorAll('#offline-table tbody tr[data-camera]').length,
            site: Number(document.querySelector('#by-site tbody td[data-offline]').textContent.trim()),
            online: Number(document.querySelector('[data-total="online"]').textContent.trim()),
        })"""
    )


def test_cards_and_tables_agree_after_live_updates(browser, portal_server, make_user, settings):  # noqa: F811
    settings.CAMERA_OFFLINE_AFTER_FAILURES = 1
    settings.CAMERA_ONLINE_AFTER_SUCCESSES = 1
    settings.LANGUAGE_CODE = "vi"
    site = SiteFactory(name="UBND xã Tam Giang")
    cameras = [CameraFactory(site=site, code=f"tg-{i}", health=Health.ONLINE) for i in range(1, 8)]
    technician = make_user(Role.TECHNICIAN)
    page = page_as(
        browser, portal_server.url, session_cookie(technician), locale="vi-VN", viewport={"width": 800, "height": 1000}
    )
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{portal_server.url}/cameras/")
    wait_until(page, "window.cameraDashboard && window.cameraDashboard.connected", timeout=10000)
    assert shown(page) == {"card": 0, "rows": 0, "site": 0, "online": 7}
    page.evaluate("window.notReloaded = true")

    sweep_in_thread(cameras, ok=False)
    wait_until(page, "document.querySelectorAll('#offline-table tbody tr[data-camera]').length === 7", timeout=10000)
    page.wait_for_timeout(800)  # let any trailing refresh of the burst land
    assert shown(page) == {"card": 7, "rows": 7, "site": 7, "online": 0}
    assert no_horizontal_overflow(page)
    screenshot(page, "dashboard-offline-800")

    sweep_in_thread(cameras, ok=True)
    wait_until(page, "document.querySelectorAll('#offline-table tbody tr[data-camera]').length === 0", timeout=10000)
    page.wait_for_timeout(800)
    assert shown(page) == {"card": 0, "rows": 0, "site": 0, "online": 7}
    assert page.evaluate("window.notReloaded === true")
    assert errors == []
    page.context.close()
