"""
The briefing itself, in real browsers (b17–b20): headless Chromium with fake camera and microphone
runs inside the test's network namespace (JANUS.md §10) with a real Janus; the chair's hall and two
communes open their room pages from the portal and join.

- each commune's page decodes the chair's video and receives its audio; the chair's grid decodes both;
- moderated floor: a commune asks, the chair gives the floor, the holder's audio reaches the others
  while the third site stays muted in Janus (no audio of it arrives anywhere), then the chair takes it
  back; the turn is stored with its times and the agenda item, and the minutes draft lists it;
- the agenda item the chair moves to shows on every page;
- the chair shares a screen: every commune shows it large; stopping gives the stage back;
- the end: every page says the meeting has ended and asks nothing more.
"""

import os
import time
from datetime import timedelta

import pytest
from django.test import Client

from accounts.roles import Role
from live.models import ParticipantState, VideoRoom
from meetings.models import AgendaItem, FloorTurn
from sites.choices import LinkKind
from sites.models import NetworkLink
from tests.browser import chromium, page_as, require_chromium
from tests.live.conftest import media_server_for, session_cookie, wait_for
from tests.live.helpers import BoardWatcher, in_thread
from tests.live.netns import netns  # noqa: F401  (fixture)
from tests.live.test_e2e_webrtc import janus_in_netns  # noqa: F401  (fixture)

pytestmark = [pytest.mark.janus, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAKE_MEDIA = (
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    # (getDisplayMedia needs no picker either: with the fake UI and device it gives a fake screen.)
)


def stats(page) -> dict:
    return page.evaluate("window.liveRoom.stats()")


def wait_page(page, predicate_js: str, timeout: float = 20, message: str = ""):
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(predicate_js)
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(message or f"page condition not met: {predicate_js}")
        time.sleep(0.25)


def audio_bytes(page, feed) -> int:
    return stats(page)["audio"].get(str(feed), {}).get("bytes", 0)


def frames(page, feed) -> int:
    return stats(page)["video"].get(str(feed), {}).get("frames", 0)


def audio_grows(page, feed, seconds: float = 1.5) -> bool:
    before = audio_bytes(page, feed)
    time.sleep(seconds)
    return audio_bytes(page, feed) > before + 500


def speech_like_wav(path) -> str:
    """
    A microphone that speaks: 1.5 s of a loud 300 Hz tone with a 4 Hz syllable envelope, then 1.5 s
    of silence, looped by Chromium. Chromium's built-in fake microphone only beeps briefly once a
    second: averaged over Janus's `audio_active_packets` (50 packets = 1 s) its level never gets
    above the room's `audio_level_average` threshold, so Janus never reports it talking.
    """
    import math
    import struct
    import wave

    rate = 48000
    samples = []
    for i in range(rate * 3):
        t = i / rate
        voiced = t < 1.5
        envelope = 0.55 + 0.45 * math.sin(2 * math.pi * 4 * t) if voiced else 0.0
        samples.append(int(20000 * envelope * math.sin(2 * math.pi * 300 * t)))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return str(path)


@pytest.fixture
def chromium_in_netns(netns, tmp_path):  # noqa: F811
    wrapper = tmp_path / "chromium-in-netns"
    wrapper.write_text(f'#!/bin/sh\nexec ip netns exec {netns.name} /usr/bin/chromium "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


@pytest.fixture
def speaking_media(tmp_path) -> tuple[str, ...]:
    """FAKE_MEDIA with a microphone that speaks (see speech_like_wav)."""
    return (*FAKE_MEDIA, f"--use-file-for-fake-audio-capture={speech_like_wav(tmp_path / 'speech.wav')}")


def test_chair_and_two_communes_see_hear_and_take_the_floor(
    netns,  # noqa: F811
    janus_in_netns,  # noqa: F811
    chromium_in_netns,
    speaking_media,
    portal_server,
    make_briefing,
    make_user,
    eager_tasks,
):
    require_chromium()
    briefing = make_briefing(n=2)
    meeting = briefing.meeting
    first_item = AgendaItem.objects.create(meeting=meeting, position=1, title="Tình hình kinh tế - xã hội")
    second_item = AgendaItem.objects.create(meeting=meeting, position=2, title="Báo cáo của các xã")
    media_server_for(janus_in_netns)
    # The second commune is on a satellite link: it receives the low simulcast layer, the first (fibre) the high.
    NetworkLink.objects.filter(bridge_point=briefing.sites[1]).update(kind=LinkKind.SATELLITE)
    host = make_user(Role.HOST)
    officers = [make_user(Role.COMMUNE_OFFICER, unit=commune) for commune in briefing.communes]
    chair_api = Client()
    chair_api.force_login(host)
    api = f"/api/live/meetings/{meeting.pk}/"
    assert chair_api.post(api + "start/").status_code == 200
    room = VideoRoom.objects.get(meeting=meeting)
    assert room.status == "active" and room.floor_mode == "moderated"
    states = {s.bridge_point_id: s for s in room.participants.all()}
    host_feed = states[briefing.host.pk].janus_id
    a, b = (states[site.pk] for site in briefing.sites)
    board = BoardWatcher(
        f"{portal_server.ws_url}/ws/live/meetings/{meeting.pk}/", session_cookie(host), portal_server.url
    )
    board.start()

    base = portal_server.url
    try:
        with chromium(executable=chromium_in_netns, extra_args=speaking_media, env={**os.environ}) as browser:
            chair = page_as(browser, base, session_cookie(host), viewport={"width": 1280, "height": 720})
            pages = [
                page_as(browser, base, session_cookie(officer), viewport={"width": 1280, "height": 720})
                for officer in officers
            ]
            # Every page's console: a page must never run out of media players (a <video> per redraw did).
            players: list[str] = []
            for p in [chair, *pages]:
                p.on("console", lambda m: "WebMediaPlayer" in m.text and players.append(m.text))
            chair.goto(f"{base}/live/meetings/{meeting.pk}/sites/{briefing.host.pk}/")
            for page, site in zip(pages, briefing.sites, strict=True):
                page.goto(f"{base}/live/meetings/{meeting.pk}/sites/{site.pk}/")
            for page in [chair, *pages]:
                page.click("#btn-join")
            for state in (states[briefing.host.pk], a, b):
                board.wait(
                    lambda s=state: board.row(s.pk).get("state") == "publishing", timeout=30, message="no publish"
                )

            # Every commune decodes the chair's picture and receives its sound; the chair's grid both communes.
            for page in pages:
                wait_for(lambda p=page: frames(p, host_feed) > 10, timeout=20, message="commune: no chair video")
                assert audio_grows(page, host_feed), "commune: no chair audio"
            for state in (a, b):
                wait_for(lambda s=state: frames(chair, s.janus_id) > 5, timeout=20, message="chair: no commune video")

            # Simulcast: the satellite site gets a smaller picture of the chair than the fibre site.
            def widths():
                return [stats(p)["video"].get(str(host_feed), {}).get("width", 0) for p in pages]

            wait_for(lambda: 0 < widths()[1] < widths()[0], timeout=25, message=f"layers by link: {widths()}")

            # Active speaker: the chair's hall speaks; Janus's talking event reaches the board and the pages.
            host_key = states[briefing.host.pk].pk
            board.wait(lambda: board.row(host_key).get("talking") is True, timeout=15, message="never talking")
            wait_page(pages[0], f"[...window.liveRoom.rows.values()].some(r => r.key === {host_key} && r.talking)")

            # Moderated: the communes are muted in Janus as they publish, so no sound of theirs arrives.
            board.wait(lambda: board.row(a.pk).get("audio_muted") and board.row(b.pk).get("audio_muted"), timeout=15)
            assert not audio_grows(chair, a.janus_id) and not audio_grows(pages[1], a.janus_id)

            # The chair moves to the first item: every page shows it.
            chair.click(f"[data-item='{first_item.pk}']")
            for page in pages:
                wait_page(page, "document.getElementById('agenda-current').textContent.includes('Tình hình kinh tế')")

            # Commune A asks for the floor; the request shows on the chair's page; the chair gives it.
            pages[0].click("[data-testid=request-floor]")
            chair.wait_for_selector(f"#floor-requests [data-bridge-point='{a.bridge_point_id}']", timeout=10000)
            chair.click(f"#floor-requests [data-bridge-point='{a.bridge_point_id}'] [data-action=give]")
            board.wait(lambda: board.row(a.pk).get("audio_muted") is False, timeout=10, message="holder not unmuted")
            # The holder is heard by the others (its audio now reaches them) and shown as the speaker;
            # the third site stays muted in Janus.
            wait_for(lambda: audio_grows(pages[1], a.janus_id), timeout=10, message="holder not heard")
            assert audio_grows(chair, a.janus_id)
            assert board.row(b.pk)["audio_muted"] is True
            assert not audio_grows(pages[0], b.janus_id)
            wait_page(pages[1], "document.getElementById('floor-current').textContent.includes('UBND xã Tam 0')")
            wait_for(lambda: frames(pages[1], a.janus_id) > 5, timeout=15, message="the speaker's picture")

            # The chair takes the floor back: A is muted again.
            chair.click("[data-action=take]")
            board.wait(lambda: board.row(a.pk).get("audio_muted") is True, timeout=10, message="holder not muted")
            # (Janus's "moderated" event can reach the board before the take's own transaction commits.)
            turn = FloorTurn.objects.get(meeting=meeting, bridge_point=a.bridge_point)
            wait_for(lambda: FloorTurn.objects.get(pk=turn.pk).status == "done", timeout=10, message="turn open")
            turn.refresh_from_db()
            assert turn.requested_at <= turn.started_at <= turn.ended_at
            assert turn.agenda_item == first_item

            # The chair shares a screen: every commune shows it large; stopping gives the stage back.
            chair.click(f"[data-item='{second_item.pk}']")
            console: list[str] = []
            chair.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
            chair.click("#btn-share", no_wait_after=True)
            share_feed = states[briefing.host.pk].share_janus_id
            try:
                # (Janus's events for a new publisher were seen up to ~15 s late on a loaded machine.)
                board.wait(lambda: board.row(states[briefing.host.pk].pk).get("sharing") is True, timeout=45)
            except BaseException:
                status = chair.evaluate("document.getElementById('call-status').textContent")
                print("chair page:", status, chair.evaluate("window.liveRoom.sharing"), console[-30:])
                from live.models import LiveAction

                print("impostors:", list(LiveAction.objects.filter(action="impostor").values_list("target", flat=True)))
                print("db sharing:", ParticipantState.objects.get(pk=states[briefing.host.pk].pk).sharing)
                print(janus_in_netns.log_tail(40))
                raise
            for page in pages:
                wait_page(page, f"!!document.querySelector(\"#stage-main .room-tile[data-feed='{share_feed}'] video\")")
                wait_for(lambda p=page: frames(p, share_feed) > 3, timeout=15, message="share not decoded")
            pages[0].screenshot(path=str(screenshot_dir() / "room-commune-share-1280.png"))
            chair.screenshot(path=str(screenshot_dir() / "room-chair-1280.png"))
            chair.click("#btn-share", no_wait_after=True)
            wait_page(chair, "!window.liveRoom.sharing", message="the chair's page still shares")
            try:
                board.wait(lambda: board.row(states[briefing.host.pk].pk).get("sharing") is False, timeout=45)
            except BaseException:
                print("db sharing:", ParticipantState.objects.get(pk=states[briefing.host.pk].pk).sharing)
                print(janus_in_netns.log_tail(30))
                raise
            for page in pages:
                wait_page(page, f"!!document.querySelector(\"#stage-main .room-tile[data-feed='{host_feed}']\")")

            assert players == [], players[:3]
            assert all(p.evaluate("document.querySelectorAll('video').length") <= 6 for p in [chair, *pages])

            # The end: every page says so, and then asks the portal nothing more.
            requests: list[str] = []
            for page in pages:
                page.on("request", lambda request: requests.append(request.url))
            assert in_thread(lambda: chair_api.post(api + "end/")).status_code == 200
            for page in pages:
                page.wait_for_selector("[data-testid=ended]:not([hidden])", timeout=15000)
            requests.clear()
            time.sleep(6)
            assert [url for url in requests if "/api/" in url or "/janus" in url] == []
            for page in pages:
                assert page.evaluate("window.liveRoom.ended")
    finally:
        board.stop()

    assert ParticipantState.objects.filter(video_room=room, state="publishing").count() == 0


def screenshot_dir():
    from pathlib import Path

    folder = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/portal-screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_page_rejoins_by_itself_and_impostors_are_refused(
    netns,  # noqa: F811
    janus_in_netns,  # noqa: F811
    chromium_in_netns,
    portal_server,
    make_briefing,
    make_user,
    eager_tasks,
    settings,
):
    """
    After Janus hangs up the site's PeerConnection (admin `hangup_webrtc`), and after Janus restarts,
    the page rejoins with no reload; a publisher with a commune's own token that claims another site's
    name, or that never told the portal its session, is kicked, audited and shown on the chair's page.
    In Vietnamese, at 800 px.
    """
    import httpx

    from live.models import LiveAction
    from tests.janus_server import ADMIN_SECRET
    from tests.live.helpers import Publisher

    require_chromium()
    settings.LANGUAGE_CODE = "vi"
    briefing = make_briefing(n=2)
    meeting = briefing.meeting
    media_server_for(janus_in_netns)
    host = make_user(Role.HOST)
    officer, other_officer = (make_user(Role.COMMUNE_OFFICER, unit=c) for c in briefing.communes)
    chair_api = Client()
    chair_api.force_login(host)
    api = f"/api/live/meetings/{meeting.pk}/"
    assert chair_api.post(api + "start/").status_code == 200
    room = VideoRoom.objects.get(meeting=meeting)
    site, other = briefing.sites
    state = room.participants.get(bridge_point=site)
    board = BoardWatcher(
        f"{portal_server.ws_url}/ws/live/meetings/{meeting.pk}/", session_cookie(host), portal_server.url
    )
    board.start()
    base = portal_server.url
    try:
        with chromium(executable=chromium_in_netns, extra_args=FAKE_MEDIA, env={**os.environ}) as browser:
            page = page_as(
                browser, base, session_cookie(officer), locale="vi-VN", viewport={"width": 800, "height": 1000}
            )
            page.goto(f"{base}/live/meetings/{meeting.pk}/sites/{site.pk}/")
            assert 'lang="vi"' in page.content() and "Xin phát biểu" in page.content()
            page.click("#btn-join")
            board.wait(lambda: board.row(state.pk).get("state") == "publishing", timeout=30, message="no publish")
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
            page.screenshot(path=str(screenshot_dir() / "room-commune-vi-800.png"))

            # Janus hangs up the site's PeerConnection: the page rejoins by itself.
            state.refresh_from_db()
            response = httpx.post(
                f"{janus_in_netns.admin_url}/{state.session_id}/{state.handle_id}",
                json={"janus": "hangup_webrtc", "transaction": "t", "admin_secret": ADMIN_SECRET},
            )
            assert response.json()["janus"] == "success", response.text
            board.wait(lambda: board.row(state.pk).get("state") != "publishing", timeout=10, message="no hangup")
            board.wait(lambda: board.row(state.pk).get("state") == "publishing", timeout=30, message="no rejoin")
            page.wait_for_selector("[data-testid=call-status].text-success", timeout=15000)

            # Impostors with the other commune's own token: its neighbour's name; its own id, unclaimed.
            other_api = Client()
            other_api.force_login(other_officer)
            config = other_api.get(api + f"sites/{other.pk}/join/").json()
            ws = f"ws://127.0.0.1:{janus_in_netns.ws_port}"
            impostor = Publisher(netns, ws, config, display=site.janus_display)
            impostor.wait_event("kicked", timeout=20)
            unclaimed = Publisher(netns, ws, config)
            unclaimed.wait_event("kicked", timeout=20)
            assert LiveAction.objects.filter(meeting=meeting, action="impostor").count() == 2
            other_state = room.participants.get(bridge_point=other)
            assert other_state.state == "not_connected"
            assert board.row(state.pk)["state"] == "publishing"  # the real site was never touched
            # A token of another meeting does not open this room: Janus refuses it (not in the allowed list).
            elsewhere = make_briefing(n=1)
            assert chair_api.post(f"/api/live/meetings/{elsewhere.meeting.pk}/start/").status_code == 200
            stranger_api = Client()
            stranger_api.force_login(make_user(Role.COMMUNE_OFFICER, unit=elsewhere.communes[0]))
            foreign = stranger_api.get(
                f"/api/live/meetings/{elsewhere.meeting.pk}/sites/{elsewhere.sites[0].pk}/join/"
            ).json()
            intruder = Publisher(netns, ws, {**foreign, "room": room.room_id, "pin": room.pin})
            refusal = intruder.wait_event("error", timeout=20)
            assert refusal["detail"].get("error_code") == 433, refusal

            # Janus restarts mid-meeting: its "started" event recreates the room; the page, which lost
            # its session, joins again by itself, with no reload.
            janus_in_netns.stop()
            janus_in_netns.start()
            janus_in_netns.wait_ready()
            board.wait(lambda: board.row(state.pk).get("state") == "publishing", timeout=60, message="no return")
            page.wait_for_selector("[data-testid=call-status].text-success", timeout=15000)
    finally:
        board.stop()


def test_t60_the_open_room_page_makes_the_test_call_by_itself(
    netns,  # noqa: F811
    janus_in_netns,  # noqa: F811
    chromium_in_netns,
    portal_server,
    make_briefing,
    make_user,
    eager_tasks,
):
    """
    A commune's room PC keeps its room page open before the briefing; at T-60 the portal asks it for a
    test call (b8) and the page makes one by itself: the readiness check and the bridge point's last
    test call show that Janus received its media; the page then leaves the room again.
    """
    from live import services
    from live.models import ReadinessCheck

    require_chromium()
    briefing = make_briefing(n=1, starts_in=timedelta(minutes=30))
    media_server_for(janus_in_netns)
    services.rooms_provision(meeting_ids=[briefing.meeting.pk])
    room = VideoRoom.objects.get(meeting=briefing.meeting)
    assert room.status == "active"
    site = briefing.sites[0]
    officer = make_user(Role.COMMUNE_OFFICER, unit=briefing.communes[0])
    base = portal_server.url
    with chromium(executable=chromium_in_netns, extra_args=FAKE_MEDIA, env={**os.environ}) as browser:
        page = page_as(browser, base, session_cookie(officer))
        page.goto(f"{base}/live/meetings/{briefing.meeting.pk}/sites/{site.pk}/")
        wait_page(page, "window.liveRoom.rows.size > 0")  # the websocket's snapshot arrived
        asked = in_thread(services.test_calls_request)
        assert site.pk in asked[briefing.meeting.pk]
        wait_page(page, "window.liveRoom.autoTest")
        invitation = briefing.meeting.invitations.get(bridge_point=site)
        wait_for(
            lambda: ReadinessCheck.objects.filter(invitation=invitation, test_call_media_received=True).exists(),
            timeout=30,
            message="no automatic test call",
        )
        site.refresh_from_db()
        assert site.last_test_result == "ok" and site.last_test_at is not None
        # The next minute's request no longer names the site (the host's hall, with no page open, still is).
        assert in_thread(services.test_calls_request)[briefing.meeting.pk] == [briefing.host.pk]
        # The page left the room again after its 30-second call.
        wait_page(page, "!window.liveRoom.autoTest", timeout=45)
        assert page.evaluate("window.liveRoom.janusSession") in (None, 0)
