"""
The investment panel on the finance dashboard and the planned lines on a site page in a real browser
(Debian's headless Chromium through Playwright) at laptop and tablet widths: nothing overflows
sideways and money lines up on the right. With INVESTMENTS_SCREENSHOTS=<dir> the pages are saved there.
"""

import os
from pathlib import Path

import pytest

from accounts.roles import Role
from investments.models import PlanLine
from tests.browser import log_in
from tests.dashboards.test_browser import browser, no_horizontal_overflow  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

WIDTHS = {"laptop": {"width": 1366, "height": 900}, "tablet": {"width": 768, "height": 1024}}


@pytest.fixture
def login(browser, live_server):  # noqa: F811
    contexts = []

    def make(user, viewport):
        context = browser.new_context(viewport=viewport, locale="vi-VN")
        contexts.append(context)
        page = context.new_page()
        log_in(page, live_server.url, user)
        page.wait_for_load_state("networkidle")
        return page

    yield make
    for context in contexts:
        context.close()


def shoot(page, name: str) -> None:
    folder = os.environ.get("INVESTMENTS_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def money_is_right_aligned(page, selector: str) -> bool:
    """Every cell of `selector` holding an amount in đồng is right-aligned."""
    return page.locator(selector).evaluate_all(
        """els => els.filter(e => /\\d ₫$/.test(e.innerText.trim()))
                     .every(e => getComputedStyle(e).textAlign === 'right')"""
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", list(WIDTHS))
def test_finance_dashboard_and_site_page(login, demo, make_user, width):
    from investments import demo as investments_demo

    investments_demo.load()
    page = login(make_user(Role.FINANCE), WIDTHS[width])
    panel = page.locator('[data-panel="investments.allocation"]')
    assert panel.is_visible()
    assert no_horizontal_overflow(page)
    assert money_is_right_aligned(page, '[data-panel="investments.allocation"] td')
    shoot(page, f"finance-home-{width}")

    site = PlanLine.objects.order_by("site__name").first().site
    page.goto(page.url.rstrip("/") + site.get_absolute_url())
    page.wait_for_load_state("networkidle")
    section = page.locator('[data-section="investments.lines"]')
    assert section.is_visible()
    assert no_horizontal_overflow(page)
    assert money_is_right_aligned(page, '[data-section="investments.lines"] td')
    shoot(page, f"site-page-{width}")

    page = login(make_user(Role.LEADER), WIDTHS[width])
    for key in ("investments.allocation", "investments.approval"):
        assert page.locator(f'[data-panel="{key}"]').is_visible()
    assert no_horizontal_overflow(page)
    shoot(page, f"leader-home-{width}")
