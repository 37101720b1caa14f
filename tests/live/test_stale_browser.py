"""
A board that knows it is stale (issue 15): the live board and the room page in Chromium, on a private
redis-server that the test stops and starts again. During the outage their badge says (in Vietnamese)
that they are not up to date; a delta lost in a quiet room is caught by the heartbeat's number; when
updates resume they resync by themselves.
"""

import time

import pytest
from django.db import transaction

from accounts.roles import Role
from live import services
from live.broadcast import room_next_seq
from live.models import MediaServer, VideoRoom
from meetings.models import Meeting
from tests.browser import page_as, wait_until
from tests.live.conftest import session_cookie
from tests.live.test_recovery import private_redis  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STALE = "Chưa cập nhật: luồng cập nhật trực tiếp bị gián đoạn"
SHOTS = "/tmp/livefaults"


def no_sideways_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def test_board_and_room_page_say_they_are_stale_and_resync(
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
    Meeting.objects.filter(pk=briefing.meeting.pk).update(status=Meeting.Status.LIVE)
    room = services.room_prepare(meeting=briefing.meeting)
    VideoRoom.objects.filter(pk=room.pk).update(status=VideoRoom.Status.ACTIVE)
    state = room.participants.get(bridge_point=briefing.sites[0])
    other = room.participants.get(bridge_point=briefing.sites[1])

    board = page_as(browser, portal_server.url, session_cookie(make_user(Role.HOST)))
    board.goto(f"{portal_server.url}/live/meetings/{briefing.meeting.pk}/board/")
    board.locator(f'tr[data-key="{state.pk}"]').wait_for()
    board.wait_for_selector('#conn[data-state="live"]', timeout=5000)
    officer = make_user(Role.COMMUNE_OFFICER, unit=briefing.communes[1])
    site_page = page_as(browser, portal_server.url, session_cookie(officer))
    site_page.goto(f"{portal_server.url}/live/meetings/{briefing.meeting.pk}/sites/{briefing.sites[1].pk}/")
    wait_until(site_page, "window.liveRoom && window.liveRoom.rows.size > 0", timeout=5000)

    # A quiet room whose last delta was lost: the heartbeat's number is ahead, the board resyncs.
    with transaction.atomic():
        services.participant_update(row=state, state="connected", broadcast=False)
        room_next_seq(room_id=room.pk)
    board.wait_for_selector(f'tr[data-key="{state.pk}"][data-state="connected"]', timeout=5000)

    # Redis goes away: the sockets stay up, the updates stop. Both pages say so within a few seconds.
    private_redis.stop()
    stopped = time.monotonic()
    services.participant_update(row=state, state="publishing")  # its delta is lost (logged, not raised)
    services.participant_update(row=other, state="publishing")
    board.wait_for_selector('#conn[data-state="stale"]', timeout=8000)
    noticed = time.monotonic() - stopped
    assert board.locator("#conn").inner_text() == STALE
    assert "text-bg-danger" in board.locator("#conn").get_attribute("class")
    site_page.wait_for_selector('#conn[data-state="stale"]:not([hidden])', timeout=8000)
    assert site_page.locator("#conn").inner_text() == STALE
    assert noticed < 6, noticed
    for width in (1280, 800):
        for name, page in (("board", board), ("room", site_page)):
            page.set_viewport_size({"width": width, "height": 900})
            assert no_sideways_overflow(page), (name, width)
            page.screenshot(path=f"{SHOTS}/stale-{name}-{width}.png", full_page=False)
    # Meanwhile each asks for the rows from the database, once a period.
    board.wait_for_selector(f'tr[data-key="{state.pk}"][data-state="publishing"]', timeout=5000)
    wait_until(
        site_page,
        f"[...window.liveRoom.rows.values()].some(r => r.key === {other.pk} && r.state === 'publishing')",
        timeout=5000,
    )

    # Redis is back; a change in a quiet room after it still reaches both pages, live again.
    private_redis.start()
    board.wait_for_selector('#conn[data-state="live"]', timeout=15000)
    site_page.wait_for_selector('#conn[data-state="live"]', state="attached", timeout=15000)
    assert site_page.locator("#conn").is_hidden()
    with transaction.atomic():
        services.participant_update(row=state, talking=True, broadcast=False)
        room_next_seq(room_id=room.pk)
    board.wait_for_selector(f'tr[data-key="{state.pk}"] .audio .text-bg-success', timeout=5000)
    services.participant_update(row=other, state="connected")
    board.wait_for_selector(f'tr[data-key="{other.pk}"][data-state="connected"]', timeout=5000)
    assert board.evaluate("window.liveBoard.stale") is False
    board.set_viewport_size({"width": 1280, "height": 900})
    board.screenshot(path=f"{SHOTS}/live-board-1280.png")
