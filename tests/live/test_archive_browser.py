"""
The archive page in Chromium, in Vietnamese (b21): the programme plays through the access-checked
view (the browser's own Range requests), a chapter seeks the player to its offset, and the page reads
well at 1280 and 800 px (screenshots under /tmp/rec16/ to look at).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from accounts.roles import Role
from live.models import LiveAction
from meetings.models import FloorTurn
from tests.browser import page_as, wait_until
from tests.live.conftest import session_cookie, wait_for
from tests.live.test_recording_archive import add_recordings

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/rec16")


def test_archive_plays_and_chapters_seek(browser, portal_server, make_briefing, make_user, recordings_root, settings):
    from django.utils import timezone

    from meetings.models import Meeting

    settings.LANGUAGE_CODE = "vi"
    briefing = make_briefing(n=2)
    meeting = briefing.meeting
    Meeting.objects.filter(pk=meeting.pk).update(
        status="ended", starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now()
    )
    meeting.refresh_from_db()
    programme, _sites = add_recordings(meeting, recordings_root, [briefing.host, *briefing.sites])
    opening = meeting.agenda_items.create(title="Khai mạc, giới thiệu đại biểu", position=1, duration_minutes=5)
    report = meeting.agenda_items.create(title="Báo cáo của xã Tam Hải", position=2, duration_minutes=10)
    for item, second in ((opening, 0.2), (report, 1.0)):
        action = LiveAction.objects.create(meeting=meeting, action=LiveAction.Action.AGENDA, target=item.title)
        LiveAction.objects.filter(pk=action.pk).update(at=programme.started_at + timedelta(seconds=second))
    FloorTurn.objects.create(
        meeting=meeting,
        bridge_point=briefing.sites[0],
        status="done",
        started_at=programme.started_at + timedelta(seconds=1.5),
        ended_at=programme.started_at + timedelta(seconds=1.9),
    )
    leader = make_user(Role.LEADER)
    SHOTS.mkdir(exist_ok=True)
    for width in (1280, 800):
        page = page_as(
            browser,
            portal_server.url,
            session_cookie(leader),
            locale="vi-VN",
            viewport={"width": width, "height": 900},
        )
        try:
            page.goto(f"{portal_server.url}/live/meetings/{meeting.pk}/archive/")
            assert page.locator("h1").inner_text().startswith("Bản ghi hình")
            # The browser loads the file through the checked view and learns its length.
            wait_until(page, "document.getElementById('archive-player').readyState >= 1", timeout=15000)
            duration = page.evaluate("document.getElementById('archive-player').duration")
            assert abs(duration - 2) < 0.5, duration
            assert "2. Báo cáo của xã Tam Hải" in page.locator("[data-testid=chapters]").inner_text()
            # The button seeks, then plays on: the position is read as the seek happens, not polled after it
            # (on a loaded machine the 2-second file plays past the window between two polls).
            page.evaluate(
                "(() => { const p = document.getElementById('archive-player'); window.seeks = [];"
                " p.addEventListener('seeking', () => window.seeks.push(p.currentTime)); })()"
            )
            page.get_by_role("button", name="2. Báo cáo của xã Tam Hải").click()
            wait_until(page, "window.seeks.some((t) => Math.abs(t - 1.0) < 0.3)")
            page.evaluate("document.getElementById('archive-player').pause()")
            page.get_by_role("button", name=f"Phát biểu: {briefing.sites[0].janus_display}").click()
            wait_until(page, "document.getElementById('archive-player').currentTime >= 1.4")
            page.evaluate(
                "(() => { const p = document.getElementById('archive-player'); p.pause(); p.currentTime = 1.2; })()"
            )
            wait_until(page, "document.getElementById('archive-player').readyState >= 2", timeout=10000)
            page.screenshot(path=str(SHOTS / f"archive-{width}.png"), full_page=True)
        finally:
            page.context.close()


def test_board_recording_switch_and_badge(browser, portal_server, briefing, make_user, settings):
    """The host turns recording off and on from the board before the start; once live, it says it records."""
    from live.models import MediaServer
    from meetings.models import Meeting

    settings.LANGUAGE_CODE = "vi"
    MediaServer.objects.create(name="b", server_name="janus-b", api_url="http://127.0.0.1:1/janus")
    host = make_user(Role.HOST)
    SHOTS.mkdir(exist_ok=True)
    page = page_as(
        browser, portal_server.url, session_cookie(host), locale="vi-VN", viewport={"width": 1280, "height": 700}
    )
    try:
        page.goto(f"{portal_server.url}/live/meetings/{briefing.meeting.pk}/board/")
        toggle = page.get_by_role("switch", name="Ghi hình cuộc họp")
        assert toggle.is_checked() and page.locator("[data-testid=recording]").is_hidden()
        toggle.click()
        wait_for(
            lambda: Meeting.objects.get(pk=briefing.meeting.pk).record is False,
            timeout=10,
            message="the switch did not turn recording off",
        )
        toggle.click()
        wait_for(lambda: Meeting.objects.get(pk=briefing.meeting.pk).record, timeout=10, message="not back on")
        page.locator("#btn-start").click()
        page.locator("[data-testid=recording]").wait_for(state="visible", timeout=15000)
        assert page.locator("[data-testid=recording]").inner_text().endswith("Đang ghi hình")
        assert page.locator("#record-switch").is_hidden()
        for width in (1280, 800):
            page.set_viewport_size({"width": width, "height": 700})
            page.screenshot(path=str(SHOTS / f"board-{width}.png"))
    finally:
        page.context.close()
