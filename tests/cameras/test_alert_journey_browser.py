"""
The district technician's camera day, in Vietnamese, through the real pages in Debian's headless
Chromium (the portal over uvicorn, HTTP and websockets; no service calls from the browser): cameras
at two communes go offline, the dashboard shows one incident per site live, the technician opens
one, acknowledges both at once on the alerts page, and when the cameras come back sees the recovery
notice and the cleared incident. At 1280 and 800 px, nothing overflows sideways. Screenshots go to
SCREENSHOT_DIR (default /tmp/cameras).
"""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from accounts.roles import Role
from cameras.choices import Health
from cameras.models import CameraIncident
from notifications.models import Notification
from sites.choices import UnitKind
from tests.browser import log_in, wait_until
from tests.cameras.browser_helpers import no_horizontal_overflow, portal_server, screenshot, sweep_in_thread  # noqa: F401
from tests.cameras.factories import CameraFactory
from tests.factories.sites import SiteFactory, UnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_bell(page) -> None:
    """Follow the notification bell (behind the menu button on narrow screens)."""
    bell = page.locator("a.notification-bell")
    if not bell.is_visible():
        page.locator(".navbar-toggler").click()
        bell.wait_for(state="visible")
    bell.click()


@pytest.mark.parametrize("width", [1280, 800])
def test_technician_handles_a_camera_alert(browser, portal_server, make_user, settings, width):  # noqa: F811
    settings.LANGUAGE_CODE = "vi"
    settings.CAMERA_OFFLINE_AFTER_FAILURES = 1
    settings.CAMERA_ONLINE_AFTER_SUCCESSES = 1
    district = UnitFactory(kind=UnitKind.DISTRICT, name="Huyện Núi Thành")
    giang = SiteFactory(name="UBND xã Tam Giang", unit=UnitFactory(parent=district))
    hai = SiteFactory(name="UBND xã Tam Hải", unit=UnitFactory(parent=district))
    giang_cams = [
        CameraFactory(site=giang, code=f"tg-{i}", name=f"Hành lang tầng 1 #{i}", health=Health.ONLINE)
        for i in range(1, 6)
    ]
    hai_cams = [CameraFactory(site=hai, code=f"th-{i}", name=f"Cổng #{i}", health=Health.ONLINE) for i in (1, 2)]
    technician = make_user(Role.TECHNICIAN, unit=district, first_name="Nguyễn Văn Kỹ")

    context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        log_in(page, portal_server.url, technician)
        page.goto(f"{portal_server.url}/cameras/")
        wait_until(page, "window.cameraDashboard && window.cameraDashboard.connected", timeout=10000)
        assert page.locator("#incidents").inner_text().count("Không có sự cố nào cần xử lý.") == 1

        # Two communes lose their cameras: one incident per site appears, live.
        sweep_in_thread([*giang_cams, *hai_cams], ok=False)
        rows = "document.querySelectorAll('#incidents tr[data-incident-id]').length"
        wait_until(page, f"{rows} === 2", timeout=10000)
        page.wait_for_timeout(500)
        incidents = page.locator("#incidents")
        assert "5 ca-mê-ra" in incidents.inner_text() and "2 ca-mê-ra" in incidents.inner_text()
        assert "Chưa khắc phục" in incidents.inner_text()
        assert page.locator('[data-total="offline"]').inner_text() == "7"
        assert no_horizontal_overflow(page)
        screenshot(page, f"journey-1-dashboard-alert-{width}")

        # Open the Tam Giang incident: its five cameras, each offline since the sweep.
        page.locator("#incidents tr", has_text="UBND xã Tam Giang").locator("a").first.click()
        page.wait_for_selector("h1:has-text('Sự cố ca-mê-ra tại UBND xã Tam Giang')")
        assert page.locator("tr[data-camera]").count() == 5
        assert page.locator("[data-unread]").get_attribute("data-unread") == "2"  # one notice per incident
        assert no_horizontal_overflow(page)
        screenshot(page, f"journey-2-incident-{width}")

        # Acknowledge both incidents at once on the alerts page.
        page.locator(".breadcrumb a", has_text="Cảnh báo").click()
        page.wait_for_selector("h1:has-text('Cảnh báo ca-mê-ra')")
        button = page.locator("[data-ack-selected]")
        assert button.is_disabled()
        page.locator("[data-select-all]").check()
        assert button.inner_text() == "Xác nhận đã xem các mục đã chọn (2)"
        button.click()
        page.wait_for_selector("text=Đã xác nhận 2 sự cố.")
        assert page.locator('input[name="incident"]').count() == 0
        assert page.locator("tr[data-incident-id]", has_text="Nguyễn Văn Kỹ lúc").count() == 2
        assert no_horizontal_overflow(page)
        screenshot(page, f"journey-3-acknowledged-{width}")
        assert not CameraIncident.objects.filter(acknowledged_by__isnull=True).exists()
        assert page.locator("[data-unread]").count() == 0  # the offline notices are answered

        # The cameras come back: the dashboard clears live and a recovery notice arrives.
        page.goto(f"{portal_server.url}/cameras/")
        wait_until(page, "window.cameraDashboard && window.cameraDashboard.connected", timeout=10000)
        sweep_in_thread([*giang_cams, *hai_cams], ok=True)
        offline = "document.querySelector('[data-total=\"offline\"]').textContent.trim()"
        wait_until(page, f"{offline} === '0'", timeout=10000)
        page.wait_for_timeout(500)
        assert page.locator("#incidents tr[data-incident-id]").count() == 0
        assert no_horizontal_overflow(page)
        screenshot(page, f"journey-4-dashboard-recovered-{width}")

        notice = page.locator("button", has_text="Ca-mê-ra tại UBND xã Tam Giang đã kết nối trở lại")
        for _ in range(10):  # the bell's list is drawn with the page: look again until the notice is there
            page.reload()
            open_bell(page)
            try:
                notice.wait_for(timeout=2000)
                break
            except PlaywrightTimeoutError:
                continue
        notices = list(Notification.objects.filter(recipient=technician).values_list("title", "read_at"))
        assert notice.is_visible(), notices
        assert no_horizontal_overflow(page)
        screenshot(page, f"journey-5-notifications-{width}")
        notice.click()
        page.wait_for_selector("h1:has-text('Sự cố ca-mê-ra tại UBND xã Tam Giang')")
        assert "Kết nối trở lại" in page.locator(".page-header").inner_text()
        assert page.locator("tr[data-camera]", has_text="Hoạt động").count() == 5
        assert no_horizontal_overflow(page)
        screenshot(page, f"journey-6-incident-cleared-{width}")
        assert Notification.objects.filter(recipient=technician).count() == 4  # 2 incidents opened, 2 cleared
        assert errors == []
    finally:
        context.close()
