"""
The join page in a real browser: headless Chromium with fake camera and microphone runs inside the
test's network namespace (JANUS.md §10), opens the commune's join page from the portal (relayed in),
publishes through janus.js with the site's own token, and the host's board shows it publishing; when
the host drops the site, the page says so.
"""

import os

import pytest
from django.test import Client

from accounts.roles import Role
from live.models import VideoRoom
from tests.browser import chromium, page_as, require_chromium
from tests.live.conftest import media_server_for, session_cookie
from tests.live.helpers import BoardWatcher, in_thread
from tests.live.netns import netns  # noqa: F401  (fixture)
from tests.live.test_e2e_webrtc import janus_in_netns  # noqa: F401  (fixture)

pytestmark = [pytest.mark.janus, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Fake camera and microphone, and no permission prompt.
FAKE_MEDIA = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream")


def test_join_page_publishes_and_is_dropped(
    netns,  # noqa: F811
    janus_in_netns,  # noqa: F811
    portal_server,
    make_briefing,
    make_user,
    eager_tasks,
    tmp_path,
    monkeypatch,
):
    require_chromium()
    briefing = make_briefing(n=2)
    media_server_for(janus_in_netns)
    host, officer = make_user(Role.HOST), make_user(Role.COMMUNE_OFFICER, unit=briefing.communes[0])
    host_api = Client()
    host_api.force_login(host)
    api = f"/api/live/meetings/{briefing.meeting.pk}/"
    assert host_api.post(api + "start/").status_code == 200
    room = VideoRoom.objects.get(meeting=briefing.meeting)
    assert room.status == "active"
    state = room.participants.get(bridge_point=briefing.sites[0])
    board = BoardWatcher(
        f"{portal_server.ws_url}/ws/live/meetings/{briefing.meeting.pk}/", session_cookie(host), portal_server.url
    ).start()

    # Chromium itself runs inside the namespace (Playwright talks to it over a pipe).
    wrapper = tmp_path / "chromium-in-netns"
    wrapper.write_text(f'#!/bin/sh\nexec ip netns exec {netns.name} /usr/bin/chromium "$@"\n')
    wrapper.chmod(0o755)
    try:
        with chromium(executable=str(wrapper), extra_args=FAKE_MEDIA, env={**os.environ}) as browser:
            page = page_as(browser, portal_server.url, session_cookie(officer))
            page.goto(f"{portal_server.url}/live/meetings/{briefing.meeting.pk}/sites/{briefing.sites[0].pk}/")
            text = page.content()
            assert state.join_token in text and "apisecret" not in text
            page.click("#btn-join")
            page.wait_for_selector("[data-testid=call-status].text-success", timeout=20000)
            board.wait(lambda: board.row(state.pk).get("state") == "publishing", timeout=10, message="no publish")
            # From another thread: Playwright's loop runs in this one, and the broadcast needs async_to_sync.
            drop = in_thread(lambda: host_api.post(api + f"participants/{state.pk}/drop/"))
            assert drop.status_code == 200
            page.wait_for_selector("[data-testid=call-status].text-danger", timeout=10000)
            board.wait(lambda: board.row(state.pk).get("state") == "not_connected", message="not dropped")
    finally:
        board.stop()
