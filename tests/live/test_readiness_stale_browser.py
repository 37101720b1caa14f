"""
The readiness board knows when it is stale (issue 15), like the live board (test_stale_browser.py) and
with the same code (static/live/freshness.js): in Chromium, on a private redis-server that the test
stops and starts again. During the outage the badge says (in Vietnamese) that the board is not up to
date and the rows are reloaded from the database meanwhile; when updates resume the badge is live again
and a checklist ticked in a quiet room reaches the board over the websocket.
"""

import time

import pytest

from accounts.roles import Role
from live import services
from live.models import MediaServer
from tests.browser import page_as, wait_until
from tests.live.conftest import session_cookie
from tests.live.test_recovery import private_redis  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STALE = "Chưa cập nhật: luồng cập nhật trực tiếp bị gián đoạn"
LIVE = "Cập nhật trực tiếp"
SHOTS = "/tmp/api15"


def test_readiness_board_says_it_is_stale_and_resyncs(
    private_redis,  # noqa: F811
    browser,
    portal_server,
    briefing,
    make_user,
    settings,
):
    settings.LANGUAGE_CODE = "vi"
    settings.LIVE_BOARD_HEARTBEAT_SECONDS = 1.0
    MediaServer.objects.create(name="s", server_name="janus-s", api_url="http://127.0.0.1:1/janus")
    services.room_prepare(meeting=briefing.meeting)
    technician = make_user(Role.TECHNICIAN)
    first, second = (briefing.meeting.invitations.get(bridge_point=site) for site in briefing.sites[:2])

    board = page_as(browser, portal_server.url, session_cookie(make_user(Role.OFFICE_STAFF)))
    board.goto(f"{portal_server.url}/live/meetings/{briefing.meeting.pk}/readiness/")
    board.wait_for_selector('#conn[data-state="live"]', timeout=8000)
    assert board.locator("#conn").inner_text() == LIVE
    row = f'#readiness-rows tr[data-site="{first.bridge_point_id}"]'
    assert board.locator(row).get_attribute("data-colour") == "red"

    # Redis goes away: the socket stays up, the updates stop. The board says so within a few seconds.
    private_redis.stop()
    stopped = time.monotonic()
    services.readiness_record(invitation=first, user=technician, camera_ok=True, microphone_ok=True)  # lost
    board.wait_for_selector('#conn[data-state="stale"]', timeout=8000)
    noticed = time.monotonic() - stopped
    assert board.locator("#conn").inner_text() == STALE
    assert "text-bg-danger" in board.locator("#conn").get_attribute("class")
    assert noticed < 6, noticed
    assert board.evaluate("window.liveReadiness.stale") is True
    # Meanwhile the rows come from the database, once a period: the lost change shows.
    board.wait_for_selector(f'{row}[data-colour="amber"]', timeout=5000)
    for width in (1280, 800):
        board.set_viewport_size({"width": width, "height": 900})
        assert board.evaluate("document.documentElement.scrollWidth <= innerWidth"), width
        board.screenshot(path=f"{SHOTS}/readiness-stale-{width}.png", full_page=True)

    # Redis is back: the badge is live again by itself, and a change reaches the board over the socket.
    private_redis.start()
    board.wait_for_selector('#conn[data-state="live"]', timeout=15000)
    assert board.locator("#conn").inner_text() == LIVE
    time.sleep(1.5)  # the catch-up reload of the moment updates resumed has finished
    reloads = board.evaluate("window.liveReadiness.reloads")
    services.readiness_record(invitation=second, user=technician, camera_ok=True)
    board.wait_for_selector(
        f'#readiness-rows tr[data-site="{second.bridge_point_id}"][data-colour="amber"]', timeout=5000
    )
    wait_until(board, "window.liveReadiness.stale === false", timeout=3000)
    assert board.evaluate("window.liveReadiness.reloads") == reloads  # the websocket brought it
    board.set_viewport_size({"width": 1280, "height": 900})
    board.screenshot(path=f"{SHOTS}/readiness-live-1280.png", full_page=True)
