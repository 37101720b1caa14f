"""
The busy state of slow actions (issue 14, static/common/busy.js) in Chromium, in Vietnamese, at 1280
and 800 px, as the office's demo user: "Soạn biên bản" turns into a disabled "Đang tạo biên bản…" that
cannot be submitted twice; the minutes PDF shows "Đang chuẩn bị tệp PDF…" until the PDF opens, and the
page is back to normal after Back; the yearly savings PDF (a download: the page stays) shows it until the
file arrives, then the link is as before.

Each slow answer is held back (Playwright's route) while the busy state is checked, then let through.
Every wait has a timeout: `tests.browser.wait_until` polls through DevTools (the CSP forbids the `eval`
behind `page.wait_for_function`).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.utils import timezone

from meetings.models import Minutes
from tests.browser import wait_until
from tests.journeys.test_briefing_journeys import briefing_soon

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SHOTS = Path("/tmp/ux14")
TIMEOUT_MS = 15_000
BUSY = 'document.querySelectorAll("[data-busy][aria-busy=true]").length'


def held_requests(page, matches) -> list:
    """Hold back the requests whose URL `matches`: they wait in the returned list until continued."""
    held: list = []
    page.route(matches, held.append)
    return held


def wait_for_held(page, held: list, count: int = 1) -> None:
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while len(held) < count:
        assert time.monotonic() < deadline, "the request never left the page"
        page.wait_for_timeout(50)  # lets Playwright hand over the held request


def busy_state(page, selector: str) -> dict:
    return page.locator(selector).evaluate(
        """e => ({busy: e.getAttribute("aria-busy"), disabled: e.getAttribute("aria-disabled"),
                  off: e.disabled === true || e.classList.contains("disabled"),
                  spinner: !!e.querySelector(".spinner-border"), text: e.textContent.trim(),
                  href: e.getAttribute("href")})"""
    )


@pytest.mark.parametrize("width", [1280, 800])
def test_slow_buttons_show_that_they_are_busy(journey, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    meeting = briefing_soon(f"Giao ban kiểm tra nút bận {width}", minutes=60 + width // 10)
    office = journey("vanphong", f"busy-{width}")
    page = office.page
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    page.set_viewport_size({"width": width, "height": 900})

    # 1. Drafting the minutes: busy at once, disabled, not sent twice.
    office.goto(meeting.get_absolute_url())

    def drafting(url: str) -> bool:
        return url.endswith("/minutes/add/")

    held = held_requests(page, drafting)
    button = f'form[action$="/briefings/{meeting.pk}/minutes/add/"] button'
    page.locator(button).click(no_wait_after=True)
    wait_until(page, BUSY, timeout=TIMEOUT_MS)
    wait_for_held(page, held)
    wait_until(page, f"document.querySelector('{button}').disabled", timeout=TIMEOUT_MS)
    state = busy_state(page, button)
    assert state["busy"] == "true" and state["disabled"] == "true" and state["off"] and state["spinner"], state
    assert state["text"] == "Đang tạo biên bản…", state
    page.screenshot(path=str(SHOTS / f"busy-minutes-{width}.png"))
    # Enter in the form, or a script, submits again: nothing more leaves the page.
    page.locator(button).evaluate("b => b.form.requestSubmit()")
    page.wait_for_timeout(300)
    assert len(held) == 1
    with page.expect_navigation(timeout=TIMEOUT_MS):
        held[0].continue_()
    page.unroute(drafting)
    minutes = Minutes.objects.get(meeting=meeting)
    assert Minutes.objects.filter(meeting=meeting).count() == 1
    assert page.url.endswith(f"/minutes/{minutes.pk}/edit/")

    # 2. The minutes PDF opens in the browser's viewer: busy until then, normal again after Back.
    office.goto(minutes.get_absolute_url())
    link = f'a[href="/meetings/minutes/{minutes.pk}/pdf/"]'
    assert page.locator(link).inner_text() == "Xem trước PDF"
    held = held_requests(page, lambda url: f"/minutes/{minutes.pk}/pdf/" in url)
    page.locator(link).click(no_wait_after=True)
    wait_until(page, BUSY, timeout=TIMEOUT_MS)
    wait_for_held(page, held)
    assert "busy=" in held[0].request.url
    state = busy_state(page, "a[data-busy][aria-busy=true]")
    assert state["text"] == "Đang chuẩn bị tệp PDF…" and state["off"] and state["spinner"], state
    page.screenshot(path=str(SHOTS / f"busy-minutes-pdf-{width}.png"))
    with page.expect_navigation(timeout=TIMEOUT_MS):
        held[0].continue_()
    assert "/pdf/" in page.url
    page.go_back(timeout=TIMEOUT_MS)
    wait_until(page, f"document.querySelector('{link}') && !({BUSY})", timeout=TIMEOUT_MS)
    assert page.locator(link).inner_text() == "Xem trước PDF"

    # 3. The yearly savings PDF is a download (the page stays): busy until the file arrives.
    year = timezone.localdate().year
    office.goto(f"/meetings/briefings/savings/?year={year}")
    link = f'a[href="/meetings/briefings/savings/{year}.pdf"]'
    held = held_requests(page, lambda url: f"/savings/{year}.pdf" in url)
    page.locator(link).click(no_wait_after=True)
    wait_until(page, BUSY, timeout=TIMEOUT_MS)
    wait_for_held(page, held)
    state = busy_state(page, "a[data-busy][aria-busy=true]")
    assert state["text"] == "Đang chuẩn bị tệp PDF…" and state["busy"] == "true" and state["off"], state
    assert state["href"].startswith(f"/meetings/briefings/savings/{year}.pdf?busy="), state
    page.screenshot(path=str(SHOTS / f"busy-savings-pdf-{width}.png"))
    with page.expect_download(timeout=TIMEOUT_MS) as download:
        held[0].continue_()
    assert download.value.suggested_filename == f"tiet-kiem-{year}.pdf"
    # The answer's cookie ends the wait: the link is itself again and the cookie is gone.
    wait_until(page, f"!({BUSY})", timeout=TIMEOUT_MS)
    state = busy_state(page, link)
    assert state == {
        "busy": None,
        "disabled": None,
        "off": False,
        "spinner": False,
        "text": "PDF",
        "href": f"/meetings/briefings/savings/{year}.pdf",
    }, state
    assert "portal_busy" not in page.evaluate("document.cookie")
    page.screenshot(path=str(SHOTS / f"busy-savings-after-{width}.png"))
    assert not office.errors, office.errors
