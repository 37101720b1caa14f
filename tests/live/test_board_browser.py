"""The live room board in Debian's headless Chromium: it renders the snapshot, updates from Janus events
within a second, resyncs after a gap in the delta numbers, and its mute button reaches the API."""

import base64
import json
import threading
import time

import httpx
import pytest
from django.db import connections

from accounts.roles import Role
from live import services
from live.broadcast import delta_message, group_send
from live.models import MediaServer, VideoRoom
from live.services import lifecycle
from meetings.models import Meeting
from tests.browser import page_as, wait_until
from tests.janus_server import EVENTS_PASSWORD, EVENTS_USER
from tests.live.conftest import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def post_events(server, events):
    token = base64.b64encode(f"{EVENTS_USER}:{EVENTS_PASSWORD}".encode()).decode()
    response = httpx.post(server.events_url, content=json.dumps(events), headers={"Authorization": f"Basic {token}"})
    assert response.status_code == 200, response.text
    return response.json()


def test_board_updates_live(browser, portal_server, briefing, make_user):
    MediaServer.objects.create(name="b", server_name="janus-b", api_url="http://127.0.0.1:1/janus")
    Meeting.objects.filter(pk=briefing.meeting.pk).update(status=Meeting.Status.LIVE)
    room = services.room_prepare(meeting=briefing.meeting)
    VideoRoom.objects.filter(pk=room.pk).update(status=VideoRoom.Status.ACTIVE)
    state = room.participants.get(bridge_point=briefing.sites[0])
    host = make_user(Role.HOST)
    page = page_as(browser, portal_server.url, session_cookie(host))
    page.goto(f"{portal_server.url}/live/meetings/{briefing.meeting.pk}/board/")
    row = page.locator(f'tr[data-key="{state.pk}"]')
    row.wait_for()
    assert row.get_attribute("data-state") == "not_connected"
    assert page.locator("#board-rows tr").count() == 4

    # Janus-shaped events through the real endpoint: the row changes within a second. (The site's room
    # page told the portal its Janus session before joining.)
    services.participant_claim(state=state, session_id=7)
    plugin = {"emitter": "janus-b", "type": 64, "session_id": 7, "handle_id": 8}
    started = time.monotonic()
    post_events(
        portal_server,
        [
            {
                **plugin,
                "event": {
                    "plugin": "janus.plugin.videoroom",
                    "data": {"event": "joined", "room": room.room_id, "id": state.janus_id, "display": state.display},
                },
            },
            {
                **plugin,
                "event": {
                    "plugin": "janus.plugin.videoroom",
                    "data": {"event": "published", "room": room.room_id, "id": state.janus_id, "streams": []},
                },
            },
        ],
    )
    page.wait_for_selector(f'tr[data-key="{state.pk}"][data-state="publishing"]', timeout=3000)
    assert time.monotonic() - started < 1.5
    # A participant with an id the portal never gave is refused, and the board says so.
    post_events(
        portal_server,
        [
            {
                **plugin,
                "handle_id": 9,
                "event": {
                    "plugin": "janus.plugin.videoroom",
                    "data": {"event": "joined", "room": room.room_id, "id": 555, "display": "Laptop lạ"},
                },
            }
        ],
    )
    page.wait_for_selector("[data-testid=impostors]:has-text('Laptop lạ')", timeout=3000)
    assert page.locator("tr:has-text('Laptop lạ')").count() == 0

    # A lost delta (a gap in the numbers) makes the page ask for a fresh snapshot.
    seq_before = page.evaluate("window.liveBoard.seq")
    state.refresh_from_db()
    services.participant_update(row=state, talking=True, broadcast=False)
    VideoRoom.objects.filter(pk=room.pk).update(seq=seq_before + 5)
    delta = delta_message({"seq": seq_before + 5, "participants": []})
    sender = threading.Thread(target=group_send, args=(briefing.meeting.pk, delta))  # not from Playwright's loop
    sender.start()
    sender.join()
    wait_until(page, f"window.liveBoard.seq === {seq_before + 5}", timeout=3000)
    page.wait_for_selector(f'tr[data-key="{state.pk}"] td.audio >> text=Talking', timeout=3000)

    # The mute button calls the API (the site is not really in Janus here, so the page shows the 409).
    page.on("dialog", lambda dialog: dialog.accept())
    row.locator("button[data-action=mute]").click()
    page.wait_for_selector("#board-error:not([hidden])", timeout=3000)
    page.context.close()


def test_join_page_opened_before_the_room_offers_the_button_when_it_opens(browser, portal_server, briefing, make_user):
    """A commune's console opened before the room exists waits, then shows the join button by itself."""
    MediaServer.objects.create(name="b", server_name="janus-b", api_url="http://127.0.0.1:1/janus")
    officer = make_user(Role.COMMUNE_OFFICER, unit=briefing.communes[0])
    page = page_as(browser, portal_server.url, session_cookie(officer))
    page.goto(f"{portal_server.url}/live/meetings/{briefing.meeting.pk}/sites/{briefing.sites[0].pk}/")
    assert page.locator("#room-waiting").is_visible()
    assert page.locator("#btn-join").is_hidden()

    services.room_prepare(meeting=briefing.meeting)  # what reconcile does an hour ahead, or the start's batch
    page.wait_for_selector("#btn-join:visible", timeout=10000)
    assert page.locator("#room-waiting").is_hidden()
    assert page.evaluate("document.getElementById('btn-join').textContent").strip() == "Start test call"
    page.context.close()


def test_board_shows_the_start_of_a_meeting_whose_room_does_not_exist_yet(
    browser, portal_server, briefing, make_user, monkeypatch
):
    """The start's delta is unnumbered while the room is still being made: the board shows it anyway."""
    MediaServer.objects.create(name="b", server_name="janus-b", api_url="http://127.0.0.1:1/janus")
    # The room stays to be made (patched where meeting_start finds it).
    monkeypatch.setattr(lifecycle, "provision_enqueue", lambda **kwargs: None)
    host = make_user(Role.HOST)
    page = page_as(browser, portal_server.url, session_cookie(host))
    page.goto(f"{portal_server.url}/live/meetings/{briefing.meeting.pk}/board/")
    page.wait_for_selector("#board-rows tr")
    assert page.locator("#meeting-status").inner_text() == "Scheduled"

    def start():
        try:
            services.meeting_start(meeting=briefing.meeting, user=host)
        finally:
            connections.close_all()  # this thread's connection must not outlive the test database

    starter = threading.Thread(target=start)  # not from Playwright's loop
    starter.start()
    starter.join()
    wait_until(page, "document.getElementById('meeting-status').textContent === 'Live'", timeout=3000)
    assert not VideoRoom.objects.filter(meeting=briefing.meeting).exists()
    page.context.close()
