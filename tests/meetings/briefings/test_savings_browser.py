"""The leader's yearly savings page in Vietnamese at 1280 and 800 px: figures, the chart drawn, no sideways overflow."""

import pytest
from django.urls import reverse

from tests.browser import log_in
from tests.dashboards.test_browser import browser, no_horizontal_overflow  # noqa: F401  (fixture)
from tests.meetings.briefings.test_proposals_browser import shot
from tests.meetings.briefings.test_savings import held, rates  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 800])
def test_leader_reads_the_yearly_savings(browser, live_server, settings, held, leader, width):  # noqa: F811
    settings.LANGUAGE_CODE = "vi"
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    try:
        page = context.new_page()
        log_in(page, live_server.url, leader)
        # the year's total and its only briefing
        assert page.locator('[data-panel="meetings.savings"] >> text=933.000').count() == 2
        shot(page, f"savings-home-{width}")
        page.goto(f"{live_server.url}{reverse('meetings:briefing_savings')}")
        assert page.locator("#savings-total >> text=933.000").is_visible()
        assert page.locator("text=Xã Tam Hải").first.is_visible()
        assert page.evaluate("Chart.getChart('savings-chart').data.datasets[0].data") == [570000, 363000]
        assert no_horizontal_overflow(page)
        shot(page, f"savings-{width}")
    finally:
        context.close()
