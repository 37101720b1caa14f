"""
In a real browser, in Vietnamese, at 1280 and 800 px: Tam Hải's officer records a proposal on the
briefing's page and sends it to Phòng TC-KH; the office's member answers it on the proposal's page;
the commune reads the answer. Nothing overflows sideways. Screenshots in SCREENSHOT_DIR when set.
"""

import os
from pathlib import Path

import pytest

from accounts.roles import Role
from meetings.models import DistrictOffice, Proposal
from sites.models import AdministrativeUnit
from tests.browser import log_in
from tests.dashboards.test_browser import browser, no_horizontal_overflow  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


def shot(page, name: str) -> None:
    if os.environ.get("SCREENSHOT_DIR"):
        Path(os.environ["SCREENSHOT_DIR"]).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{os.environ['SCREENSHOT_DIR']}/{name}.png", full_page=True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 800])
def test_commune_records_a_proposal_and_the_office_answers(
    browser,  # noqa: F811
    live_server,
    settings,
    meeting,
    officer,
    make_user,
    width,
):
    settings.LANGUAGE_CODE = "vi"
    office = DistrictOffice.objects.create(
        district=AdministrativeUnit.objects.get(code="nui-thanh"),
        short_name="Phòng TC-KH",
        name="Phòng Tài chính – Kế hoạch",
    )
    member = make_user(Role.OFFICE_STAFF, username="tckh", first_name="Tài", last_name="Đỗ Văn")
    office.members.add(member)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    try:
        page = context.new_page()
        log_in(page, live_server.url, officer)
        page.goto(f"{live_server.url}{meeting.get_absolute_url()}#proposals")
        form = page.locator("#proposal-form")
        assert form.locator("text=Ghi kiến nghị").is_visible()
        form.locator("select[name=unit]").select_option(label="Xã Tam Hải")
        form.locator("select[name=agenda_item]").select_option(index=1)
        form.locator("select[name=office]").select_option(label="Phòng TC-KH")
        form.locator("textarea[name=text]").fill("Đề nghị huyện hỗ trợ kinh phí sửa chữa kè biển thôn 3.")
        form.locator("button").click()
        page.wait_for_load_state("load")
        assert page.locator("text=Đã ghi nhận kiến nghị và chuyển Phòng TC-KH.").is_visible()
        assert page.locator("#proposals >> text=Đề nghị huyện hỗ trợ kinh phí").is_visible()
        assert no_horizontal_overflow(page)
        shot(page, f"proposal-recorded-{width}")
        proposal = Proposal.objects.get()

        page.context.clear_cookies()
        log_in(page, live_server.url, member)
        page.goto(f"{live_server.url}{proposal.get_absolute_url()}")
        answer = page.locator("#proposal-answer")
        answer.locator("textarea[name=answer]").fill(
            "Huyện bố trí 500 triệu đồng từ nguồn dự phòng, thi công trong tháng."
        )
        shot(page, f"proposal-answering-{width}")
        answer.locator("button", has_text="Gửi trả lời").click()
        page.wait_for_load_state("load")
        assert page.locator("text=Đã gửi trả lời cho xã.").is_visible()
        assert no_horizontal_overflow(page)

        page.context.clear_cookies()
        log_in(page, live_server.url, officer)
        page.goto(f"{live_server.url}{proposal.get_absolute_url()}")
        assert page.locator("#proposal-answer >> text=Trả lời của Phòng TC-KH").is_visible()
        assert page.locator("#proposal-answer >> text=Huyện bố trí 500 triệu đồng").is_visible()
        assert no_horizontal_overflow(page)
        shot(page, f"proposal-answered-{width}")
        page.goto(f"{live_server.url}/notifications/")  # the answer reached the commune
        shot(page, f"proposal-notice-{width}")
    finally:
        context.close()
