"""
The busy state of slow actions (issue 14, static/common/busy.js) in Chromium, in Vietnamese, at 1280
and 800 px, as the office's demo user: "Soạn biên bản" turns into a disabled "Đang tạo biên bản…" and a
double click sends one request; the minutes PDF shows "Đang chuẩn bị tệp PDF…" until the PDF opens,
and the page is itself again after Back; the yearly savings PDF (a download: the page stays) shows it
until the file arrives, then the link is as before and the answer's cookie is gone.

How it is watched: Playwright cannot evaluate in a page while that page's navigation is pending, so
(1) for the screenshots, the slow request is answered "204 No Content" by Playwright's route: the browser
stays on the page, busy, and the page can be read at leisure; (2) for the real actions, a
MutationObserver put in the page beforehand writes each busy state it sees to sessionStorage, which
outlives the navigation. Every wait has a timeout; polling uses `tests.browser.wait_until` (the CSP
forbids the `eval` behind `page.wait_for_function`).
"""

from __future__ import annotations

import json
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

RECORD = """() => {
  sessionStorage.setItem("busyLog", "[]");
  new MutationObserver(() => {
    const log = JSON.parse(sessionStorage.getItem("busyLog") || "[]");
    document.querySelectorAll("[data-busy][aria-busy=true]").forEach(e => log.push({
      text: e.textContent.trim(), disabled: e.getAttribute("aria-disabled"),
      spinner: !!e.querySelector(".spinner-border"), href: e.getAttribute("href")}));
    sessionStorage.setItem("busyLog", JSON.stringify(log));
  }).observe(document.body, {attributes: true, subtree: true, attributeFilter: ["aria-busy"]});
}"""


def recorded(page) -> list[dict]:
    return json.loads(page.evaluate('sessionStorage.getItem("busyLog") || "[]"'))


def busy_state(page, selector: str) -> dict:
    return page.locator(selector).evaluate(
        """e => ({busy: e.getAttribute("aria-busy"), disabled: e.getAttribute("aria-disabled"),
                  off: e.disabled === true || e.classList.contains("disabled"),
                  spinner: !!e.querySelector(".spinner-border"), text: e.textContent.trim(),
                  href: e.getAttribute("href")})"""
    )


def held_busy(page, selector: str, matches, shot: str) -> dict:
    """Click `selector` while Playwright answers its request 204 (the page stays, busy): the state, shot."""

    def no_content(route) -> None:
        route.fulfill(status=204)

    page.route(matches, no_content)
    try:
        page.locator(selector).click(no_wait_after=True)
        wait_until(page, BUSY, timeout=TIMEOUT_MS)
        page.wait_for_timeout(100)  # the button is disabled just after the form data is taken
        state = busy_state(page, "[data-busy][aria-busy=true]")  # a link's href now carries its token
        page.screenshot(path=str(SHOTS / f"{shot}.png"))
    finally:
        page.unroute(matches, no_content)
    return state


@pytest.mark.parametrize("width", [1280, 800])
def test_slow_buttons_show_that_they_are_busy(journey, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    meeting = briefing_soon(f"Giao ban kiểm tra nút bận {width}", minutes=60 + width // 10)
    office = journey("vanphong", f"busy-{width}")
    page = office.page
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    page.set_viewport_size({"width": width, "height": 900})

    # 1. Drafting the minutes: busy at once, disabled, sent once however often it is clicked.
    office.goto(meeting.get_absolute_url())
    button = f'form[action$="/briefings/{meeting.pk}/minutes/add/"] button'
    state = held_busy(page, button, lambda url: url.endswith("/minutes/add/"), f"busy-minutes-{width}")
    assert state == {
        "busy": "true",
        "disabled": "true",
        "off": True,
        "spinner": True,
        "text": "Đang tạo biên bản…",
        "href": None,
    }, state
    # Enter in the form, or a script, submits again: the page ignores it while busy.
    page.locator(button).evaluate("b => b.form.requestSubmit()")
    assert Minutes.objects.filter(meeting=meeting).count() == 0

    office.goto(meeting.get_absolute_url())  # the real thing, on a fresh page
    assert page.locator(button).inner_text() == "Soạn biên bản"
    page.evaluate(RECORD)
    posts: list[str] = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))
    with page.expect_navigation(url="**/edit/", timeout=TIMEOUT_MS):
        page.locator(button).dblclick()
    minutes = Minutes.objects.get(meeting=meeting)
    assert page.url.endswith(f"/minutes/{minutes.pk}/edit/")
    assert len(posts) == 1 and posts[0].endswith(f"/briefings/{meeting.pk}/minutes/add/"), posts
    seen = recorded(page)
    assert seen and seen[0]["text"] == "Đang tạo biên bản…" and seen[0]["disabled"] == "true", seen

    # 2. The minutes PDF opens in the browser's viewer: busy until then, itself again after Back.
    office.goto(minutes.get_absolute_url())
    link = f'a[href="/meetings/minutes/{minutes.pk}/pdf/"]'
    assert page.locator(link).inner_text() == "Xem trước PDF"
    state = held_busy(page, link, lambda url: f"/minutes/{minutes.pk}/pdf/" in url, f"busy-minutes-pdf-{width}")
    assert state["text"] == "Đang chuẩn bị tệp PDF…" and state["off"] and state["spinner"], state
    assert state["href"].startswith(f"/meetings/minutes/{minutes.pk}/pdf/?busy="), state
    office.goto(minutes.get_absolute_url())
    page.evaluate(RECORD)
    with page.expect_navigation(url="**/pdf/?busy=*", timeout=TIMEOUT_MS):
        page.locator(link).click()
    assert recorded(page)[0]["text"] == "Đang chuẩn bị tệp PDF…"
    page.go_back(timeout=TIMEOUT_MS)
    wait_until(page, f"document.querySelector('{link}') && !({BUSY})", timeout=TIMEOUT_MS)
    assert page.locator(link).inner_text() == "Xem trước PDF"

    # 3. The yearly savings PDF is a download (the page stays): busy until the file arrives.
    year = timezone.localdate().year
    savings = f"/meetings/briefings/savings/?year={year}"
    office.goto(savings)
    link = f'a[href="/meetings/briefings/savings/{year}.pdf"]'
    state = held_busy(page, link, lambda url: f"/savings/{year}.pdf" in url, f"busy-savings-pdf-{width}")
    assert state["text"] == "Đang chuẩn bị tệp PDF…" and state["busy"] == "true" and state["off"], state
    office.goto(savings)
    page.evaluate(RECORD)
    with page.expect_download(timeout=TIMEOUT_MS) as download:
        page.locator(link).click()
    assert download.value.suggested_filename == f"tiet-kiem-{year}.pdf"
    # The answer's cookie ends the wait: the link is itself again and the cookie is gone.
    wait_until(page, f"!({BUSY})", timeout=TIMEOUT_MS)
    seen = recorded(page)
    assert seen and seen[0]["text"] == "Đang chuẩn bị tệp PDF…", seen
    assert seen[0]["href"].startswith(f"/meetings/briefings/savings/{year}.pdf?busy="), seen
    assert busy_state(page, link) == {
        "busy": None,
        "disabled": None,
        "off": False,
        "spinner": False,
        "text": "PDF",
        "href": f"/meetings/briefings/savings/{year}.pdf",
    }
    assert "portal_busy" not in page.evaluate("document.cookie")
    page.screenshot(path=str(SHOTS / f"busy-savings-after-{width}.png"))
    assert not office.errors, office.errors
