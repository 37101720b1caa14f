"""
Failover with real pages (issue 17): two real Janus processes in the test's network namespace, two
communes' room pages in headless Chromium publishing on the one their meeting was placed on. That Janus
is killed (SIGKILL) mid-meeting while the periodic tasks run as beat would run them (the probe every
LIVE_PROBE_SECONDS, the reconcile every LIVE_RECONCILE_SECONDS): within seconds the meeting's room is
on the other Janus, every page publishes there again by itself (Janus's own listparticipants says so),
the board shows the move (in Vietnamese, at 1280 and 800 px) and each site has one continuous
attendance interval.

The seconds from the kill to every page publishing again are printed, and written to the file named by
FAILOVER_RESULT if set (bench/failover.py runs this test and reports them).
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from accounts.roles import Role
from live import services
from live.models import VideoRoom
from meetings.models import AttendanceInterval
from tests.browser import chromium, page_as, require_chromium
from tests.live.conftest import media_server_for, session_cookie, wait_for
from tests.live.netns import HOST_ADDRESS, netns  # noqa: F401  (fixture)
from tests.live.test_room_browser import FAKE_MEDIA, chromium_in_netns, screenshot_dir  # noqa: F401

pytestmark = [pytest.mark.janus, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_janus_in_netns(netns, janus_factory, portal_server, tmp_path):  # noqa: F811
    relays = tmp_path / "relays"
    relays.mkdir()
    netns.relay_in(portal_server.port, relays)
    servers = []
    for _ in range(2):
        server = janus_factory(
            events_url=portal_server.events_url,
            start=False,
            netns=netns.name,
            nat_extra=f'ice_enforce_list = "{netns.veth}"',
            interface=HOST_ADDRESS,
        )
        for port in (server.http_port, server.admin_port, server.ws_port):
            netns.relay_out(port, relays)
        server.start()
        server.wait_ready()
        servers.append(server)
    return servers


class Beat(threading.Thread):
    """The periodic tasks, in a thread of this process, at beat's periods."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stopping = threading.Event()
        self.errors: list[BaseException] = []

    def run(self) -> None:
        next_reconcile = time.monotonic() + django_settings.LIVE_RECONCILE_SECONDS
        try:
            while not self.stopping.wait(django_settings.LIVE_PROBE_SECONDS):
                try:
                    services.media_servers_probe()
                    if time.monotonic() >= next_reconcile:
                        next_reconcile = time.monotonic() + django_settings.LIVE_RECONCILE_SECONDS
                        services.reconcile_all()
                except Exception as exc:
                    self.errors.append(exc)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(30)


def publishing(server_row, room_id: int) -> set[int]:
    """The participant ids publishing in the room, as that Janus itself lists them."""
    try:
        with services.janus_client(server_row) as janus:
            return {p.id for p in janus.room_participants(room_id) if p.publisher}
    except Exception:
        return set()


def test_pages_follow_their_meeting_to_the_other_janus(
    netns,  # noqa: F811
    two_janus_in_netns,
    chromium_in_netns,  # noqa: F811
    portal_server,
    make_briefing,
    make_user,
    eager_tasks,
    settings,
):
    require_chromium()
    settings.LANGUAGE_CODE = "vi"
    settings.LIVE_PROBE_SECONDS = 1.0
    settings.LIVE_FAILOVER_PROBES = 2
    rows = [media_server_for(server, name) for server, name in zip(two_janus_in_netns, ("a", "b"), strict=True)]
    briefing = make_briefing(n=2)
    meeting = briefing.meeting
    host = make_user(Role.HOST)
    officers = [make_user(Role.COMMUNE_OFFICER, unit=commune) for commune in briefing.communes]
    chair_api = Client()
    chair_api.force_login(host)
    assert chair_api.post(f"/api/live/meetings/{meeting.pk}/start/").status_code == 200
    wait_for(lambda: VideoRoom.objects.filter(meeting=meeting, status="active").exists(), timeout=20)
    room = VideoRoom.objects.get(meeting=meeting)
    killed_index = [row.pk for row in rows].index(room.server_id)
    killed, killed_row, other_row = two_janus_in_netns[killed_index], rows[killed_index], rows[1 - killed_index]
    ids = set(room.participants.filter(bridge_point__in=briefing.sites).values_list("janus_id", flat=True))
    base = portal_server.url
    beat = Beat()
    with chromium(executable=chromium_in_netns, extra_args=FAKE_MEDIA, env={**os.environ}) as browser:
        for officer, site in zip(officers, briefing.sites, strict=True):
            page = page_as(browser, base, session_cookie(officer), locale="vi-VN")
            page.goto(f"{base}/live/meetings/{meeting.pk}/sites/{site.pk}/")
            page.click("#btn-join")
        wait_for(lambda: publishing(killed_row, room.room_id) >= ids, timeout=60, message="pages never published")
        wait_for(
            lambda: AttendanceInterval.objects.filter(meeting=meeting, source="media", left_at=None).count() == 2,
            timeout=20,
            message="no attendance before the kill",
        )
        beat.start()
        try:
            killed.stop(signal.SIGKILL)
            killed_at = time.monotonic()
            wait_for(
                lambda: VideoRoom.objects.get(pk=room.pk).server_id == other_row.pk,
                timeout=20,
                interval=0.1,
                message="the meeting did not move",
            )
            moved = time.monotonic() - killed_at
            wait_for(
                lambda: publishing(other_row, room.room_id) >= ids,
                timeout=60,
                interval=0.2,
                message="the pages did not publish on the other Janus",
            )
            back = time.monotonic() - killed_at
        finally:
            beat.stop()
        assert not beat.errors, beat.errors
        print(f"\nfailover: moved after {moved:.1f} s, every page publishing again after {back:.1f} s")
        if os.environ.get("FAILOVER_RESULT"):
            with open(os.environ["FAILOVER_RESULT"], "a") as out:
                out.write(json.dumps({"moved_s": round(moved, 2), "publishing_s": round(back, 2)}) + "\n")

        # The board shows the move, in Vietnamese, and fits at 1280 and at 800 px.
        board = page_as(browser, base, session_cookie(host), locale="vi-VN")
        for width in (1280, 800):
            board.set_viewport_size({"width": width, "height": 800})
            board.goto(f"{base}/live/meetings/{meeting.pk}/board/")
            board.wait_for_selector("[data-testid=moves]:not([hidden])", timeout=15000)
            text = board.inner_text("[data-testid=moves]")
            assert f"cuộc họp đã được chuyển sang {other_row.name}" in text, text
            assert board.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
            board.screenshot(path=str(screenshot_dir() / f"board-failover-vi-{width}.png"))

    # Each site's attendance is one interval, still open: the gap was merged.
    for site in briefing.sites:
        intervals = AttendanceInterval.objects.filter(meeting=meeting, bridge_point=site, source="media")
        assert list(intervals.values_list("left_at", flat=True)) == [None], list(intervals.values())
    assert back < 30, f"every page publishing again took {back:.1f} s"
