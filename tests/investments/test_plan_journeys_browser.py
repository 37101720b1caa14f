"""
Issue 14, browser journeys through the real pages (Debian's headless Chromium through Playwright), in
Vietnamese, at 1280 and 800 px: the Finance-Planning office allocates a year's budget to a plan and
submits it; the leader, notified, approves it by decision (number and date) on the confirmation page.
No page scrolls sideways, and the phases table fits its card. With INVESTMENTS_SCREENSHOTS=<dir> the
pages are saved there.
"""

import os
import re
from pathlib import Path

import pytest

from accounts.roles import Role
from investments.choices import FundingSource, PlanStatus
from investments.models import Allocation, InvestmentPlan
from notifications.models import Notification
from tests.browser import log_in
from tests.dashboards.test_browser import browser, no_horizontal_overflow  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

WIDTHS = {"1280": {"width": 1280, "height": 900}, "800": {"width": 800, "height": 1000}}


def shoot(page, name: str) -> None:
    folder = os.environ.get("INVESTMENTS_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def fits(page, selector: str) -> bool:
    """The table scrolls neither the page nor its own box sideways: every column is on screen."""
    return page.locator(selector).evaluate(
        """t => { const box = t.closest('.table-responsive') || t.parentElement;
                  return box.scrollWidth <= box.clientWidth + 1
                         && t.getBoundingClientRect().right <= window.innerWidth; }"""
    )


def settle(page) -> None:
    page.wait_for_load_state("networkidle")
    assert no_horizontal_overflow(page), page.url


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", list(WIDTHS))
def test_finance_allocates_and_the_leader_approves(browser, live_server, demo, make_user, settings, width):  # noqa: F811
    from investments import demo as investments_demo

    settings.LANGUAGE_CODE = "vi"
    investments_demo.load()
    plan = InvestmentPlan.objects.get(code=investments_demo.PLAN_CODE)
    phase = plan.phases.get(number=3)
    planned = sum(phase.lines.values_list("amount_vnd", flat=True))
    amount = planned * 20 // 100 // 1_000_000 * 1_000_000
    finance, leader, other_leader = make_user(Role.FINANCE), make_user(Role.LEADER), make_user(Role.LEADER)
    viewport = WIDTHS[width]

    # The Finance-Planning office: the plan, its phases, a new allocation for 2028, submission.
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    log_in(page, live_server.url, finance)
    page.goto(live_server.url + plan.get_absolute_url())
    settle(page)
    assert fits(page, "#phase-table")
    assert page.locator("#phase-table").get_by_text("Giai đoạn 3").first.is_visible()
    shoot(page, f"plan-finance-{width}")
    page.get_by_role("link", name="Thêm bố trí vốn").click()
    settle(page)
    page.select_option("#id_phase", str(phase.pk))
    page.fill("#id_year", "2028")
    page.select_option("#id_source", FundingSource.PROVINCE)
    page.fill("#id_amount_vnd", str(amount))
    page.fill("#id_decision", "QĐ số 512/QĐ-UBND ngày 20/01/2028")
    shoot(page, f"allocation-form-{width}")
    page.get_by_role("button", name="Lưu", exact=True).click()
    settle(page)
    assert page.url.startswith(live_server.url + plan.get_absolute_url())
    allocation = Allocation.objects.get(phase=phase, year=2028, source=FundingSource.PROVINCE)
    assert allocation.amount_vnd == amount
    assert page.get_by_text("QĐ số 512/QĐ-UBND ngày 20/01/2028").is_visible()
    page.locator("#plan-submit").click()
    settle(page)
    assert page.locator("#plan-submitted").is_visible()
    assert "chờ lãnh đạo quyết định" in page.locator("#plan-submitted").inner_text()
    shoot(page, f"plan-submitted-{width}")
    context.close()

    # The leader: the notification leads to the plan, the approval asks for the decision.
    assert Notification.objects.filter(recipient=leader, kind="plan_to_approve", read_at__isnull=True).exists()
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    log_in(page, live_server.url, leader)
    page.goto(live_server.url + "/notifications/")
    settle(page)
    shoot(page, f"notifications-{width}")
    page.get_by_role("button", name=re.compile("chờ đồng chí phê duyệt")).first.click()
    settle(page)
    assert fits(page, "#phase-table")
    page.locator("#plan-approve").click()
    settle(page)
    shoot(page, f"approve-page-{width}")
    assert page.locator("#approve-summary").is_visible()
    page.fill("#id_decision_number", "1234/QĐ-UBND")
    page.fill("#id_decision_date", "2026-02-10")
    page.fill("#id_comment", "Đồng ý; ưu tiên các xã đảo, miền núi.")
    if page.locator("#id_acknowledge_overrun").count():
        page.check("#id_acknowledge_overrun")
    page.get_by_role("button", name="Phê duyệt kế hoạch").click()
    settle(page)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    revision = plan.revisions.get()
    assert (revision.decision_number, f"{revision.decision_date:%d/%m/%Y}") == ("1234/QĐ-UBND", "10/02/2026")
    decision = page.locator("#revision-table [data-decision]").first
    assert "1234/QĐ-UBND" in decision.inner_text() and "10/02/2026" in decision.inner_text()
    assert fits(page, "#phase-table") and fits(page, "#revision-table")
    page.locator("#revision-table").scroll_into_view_if_needed()
    shoot(page, f"plan-approved-{width}")
    # The other leader's notice is answered too: the plan is decided.
    assert not Notification.objects.filter(
        recipient=other_leader, kind="plan_to_approve", read_at__isnull=True
    ).exists()
    context.close()
