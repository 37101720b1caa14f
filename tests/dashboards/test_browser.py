"""
Each role's dashboard and the district map in a real browser (Debian's headless Chromium through
Playwright), at tablet width: panels render, nothing overflows sideways, nothing leaves the portal.
"""

import re
from urllib.parse import urlparse

import pytest

from accounts.roles import Role
from tests.browser import chromium, log_in
from tests.dashboards.test_home import EXPECTED

pytestmark = pytest.mark.browser

TABLET = {"width": 768, "height": 1024}


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the module's many pages."""
    with chromium() as instance:
        yield instance


@pytest.fixture
def page_for(browser, live_server):
    """page_for(user) → a logged-in tablet-sized page that refuses and records any request off the portal."""
    contexts = []
    outside: list[str] = []
    host = urlparse(live_server.url).netloc

    def route(route):
        if urlparse(route.request.url).netloc == host:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    def make(user):
        context = browser.new_context(viewport=TABLET, locale="vi-VN")
        contexts.append(context)
        page = context.new_page()
        page.route("**/*", route)
        log_in(page, live_server.url, user)
        return page

    make.outside = outside
    yield make
    for context in contexts:
        context.close()


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", list(EXPECTED), ids=[r.value for r in EXPECTED])
def test_dashboard_renders_its_panels(page_for, demo, make_user, role):
    from sites.models import AdministrativeUnit

    unit = AdministrativeUnit.objects.get(code="tam-hai") if role == Role.COMMUNE_OFFICER else None
    page = page_for(make_user(role, unit=unit))
    page.wait_for_load_state("networkidle")
    shown = set(page.locator("[data-panel]").evaluate_all("els => els.map(e => e.dataset.panel)"))
    assert shown == EXPECTED[role]
    for key in shown:
        panel = page.locator(f'[data-panel="{key}"]')
        assert panel.is_visible()
        assert panel.locator(".card-header").inner_text().strip()
    assert no_horizontal_overflow(page)
    assert page_for.outside == []


@pytest.mark.django_db(transaction=True)
def test_map_draws_outline_and_markers_offline(page_for, demo, make_user):
    from sites.models import Site

    page = page_for(make_user(Role.LEADER))
    page.goto(page.url + "dashboards/map/")
    page.wait_for_selector("path.leaflet-interactive")
    page.wait_for_load_state("networkidle")
    communes = page.locator(".commune-label").count()
    markers = page.locator("path.leaflet-interactive[fill]").count()
    assert communes == 17
    assert markers >= Site.objects.exclude(latitude=None).count()
    assert no_horizontal_overflow(page)
    assert page_for.outside == []
    assert not re.search(r"tile", " ".join(page.locator("img").evaluate_all("els => els.map(e => e.src)")))
