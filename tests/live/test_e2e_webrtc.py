"""
End to end with a real WebRTC publisher (aiortc in a private network namespace), a real Janus, a real
Celery worker, the real Redis channel layer and the portal served by uvicorn:

- the host starts the meeting over the API; the worker creates the room;
- a commune's publisher joins with its own token: the board websocket shows connected, then publishing;
- the host mutes it (Janus moderates, the board shows muted) and drops it (kicked, not connected) and the
  attendance interval closes;
- Janus is killed mid-meeting: reconcile marks the server down and closes every open interval; Janus
  starts again: its `started` event makes the worker recreate the room, and the site publishes again;
- the worker is restarted mid-meeting and the host ends the meeting: the room is destroyed.
"""

import signal

import pytest
from django.test import Client

from accounts.roles import Role
from integrations.janus import JanusClient
from live.models import MediaServer, VideoRoom
from meetings.models import AttendanceInterval, Meeting
from tests.janus_server import ADMIN_KEY, API_SECRET
from tests.live.conftest import media_server_for, session_cookie, wait_for
from tests.live.helpers import BoardWatcher, Publisher, claim_as
from tests.live.netns import HOST_ADDRESS, netns  # noqa: F401  (fixture)

pytestmark = [pytest.mark.janus, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def room_exists(janus, room_id) -> bool:
    with JanusClient(janus.url, api_secret=API_SECRET, admin_key=ADMIN_KEY) as client:
        return client.room_exists(room_id)


@pytest.fixture
def janus_in_netns(netns, janus_factory, portal_server, tmp_path):  # noqa: F811
    server = janus_factory(
        events_url=portal_server.events_url,
        start=False,
        netns=netns.name,
        nat_extra=f'ice_enforce_list = "{netns.veth}"',
        interface=HOST_ADDRESS,
    )
    relays = tmp_path / "relays"
    relays.mkdir()
    netns.relay_in(portal_server.port, relays)
    for port in (server.http_port, server.admin_port, server.ws_port):
        netns.relay_out(port, relays)
    server.start()
    server.wait_ready()
    return server


def test_real_publisher_on_the_board(
    netns,  # noqa: F811
    janus_in_netns,
    portal_server,
    celery_worker_process,
    make_briefing,
    make_user,
    settings,
):
    janus = janus_in_netns
    settings.LIVE_ATTENDANCE_MERGE_SECONDS = 0  # each rejoin below is its own interval (none is merged)
    briefing = make_briefing(n=3)
    media_server = media_server_for(janus)
    host = make_user(Role.HOST)
    officer = make_user(Role.COMMUNE_OFFICER, unit=briefing.communes[0])
    site = briefing.sites[0]
    host_api, officer_api = Client(), Client()
    host_api.force_login(host)
    officer_api.force_login(officer)
    api = f"/api/live/meetings/{briefing.meeting.pk}/"

    # The host starts the meeting; the worker creates the room after commit.
    assert host_api.post(api + "start/").status_code == 200
    room = wait_for(
        lambda: VideoRoom.objects.filter(meeting=briefing.meeting, status="active").first(),
        timeout=20,
        message="the worker did not create the room",
    )
    assert room_exists(janus, room.room_id)
    state_key = room.participants.get(bridge_point=site).pk

    board = BoardWatcher(
        f"{portal_server.ws_url}/ws/live/meetings/{briefing.meeting.pk}/", session_cookie(host), portal_server.url
    ).start()
    try:
        assert board.meeting["status"] == "live"
        assert board.row(state_key)["state"] == "not_connected"

        # The commune joins with its own token and pin (what its join page gets), from the Janus session
        # it told the portal about.
        config = officer_api.get(api + f"sites/{site.pk}/join/").json()
        claim = claim_as(officer_api, api + f"sites/{site.pk}/session/")
        ws = f"ws://127.0.0.1:{janus.ws_port}"
        publisher = Publisher(netns, ws, config, claim=claim)
        publisher.wait_event("webrtcup", timeout=30)
        board.wait(lambda: board.row(state_key).get("state") == "publishing", message="not publishing")
        assert "connecting" in board.states_seen(state_key)
        assert board.row(state_key)["invited"] is True
        interval = AttendanceInterval.objects.get(bridge_point=site, source="media")
        assert interval.left_at is None

        # Mute: Janus moderates the audio stream; the publisher and the board both see it.
        assert (
            host_api.post(api + f"participants/{state_key}/mute/", {"mute": True}, "application/json").status_code
            == 200
        )
        publisher.wait_event("moderation")
        board.wait(lambda: board.row(state_key).get("audio_muted") is True, message="not muted")

        # Drop: Janus kicks it; the board shows it gone and the interval is closed.
        assert host_api.post(api + f"participants/{state_key}/drop/").status_code == 200
        publisher.wait_event("kicked")
        board.wait(lambda: board.row(state_key).get("state") == "not_connected", message="not dropped")
        interval.refresh_from_db()
        assert interval.left_at is not None

        # It joins again, then Janus dies mid-meeting.
        publisher = Publisher(netns, ws, config, claim=claim)
        board.wait(lambda: board.row(state_key).get("state") == "publishing", timeout=15, message="no rejoin")
        janus.stop(sig=signal.SIGKILL)
        from live.tasks import reconcile_all

        reconcile_all.delay()
        board.wait(lambda: board.row(state_key).get("state") == "not_connected", timeout=20, message="no drop")
        assert not AttendanceInterval.objects.filter(meeting=briefing.meeting, left_at__isnull=True).exists()
        assert not MediaServer.objects.get(pk=media_server.pk).is_healthy

        # Janus comes back: its "started" event makes the worker recreate the room and its tokens.
        janus.start()
        janus.wait_ready()
        wait_for(lambda: room_exists(janus, room.room_id), timeout=20, message="room not recreated")
        wait_for(lambda: MediaServer.objects.get(pk=media_server.pk).is_healthy, timeout=10)
        publisher = Publisher(netns, ws, config, claim=claim)
        try:
            publisher.wait_event("webrtcup", timeout=30)
        except BaseException:
            print(janus.log_tail(60))
            raise
        board.wait(lambda: board.row(state_key).get("state") == "publishing", timeout=15, message="no return")
        assert AttendanceInterval.objects.filter(bridge_point=site, left_at__isnull=True).count() == 1

        # The worker restarts mid-meeting; the host ends the meeting; the new worker closes the room.
        celery_worker_process.stop()
        celery_worker_process.start()
        assert host_api.post(api + "end/").status_code == 200
        publisher.wait_event("kicked", timeout=20)
        wait_for(lambda: not room_exists(janus, room.room_id), timeout=20, message="room not destroyed")
        board.wait(lambda: board.meeting.get("status") == "ended", message="not ended")
        assert Meeting.objects.get(pk=briefing.meeting.pk).status == "ended"
        assert not AttendanceInterval.objects.filter(meeting=briefing.meeting, left_at__isnull=True).exists()
        assert AttendanceInterval.objects.filter(bridge_point=site, source="media").count() == 3
        assert board.gaps == 0
    finally:
        board.stop()
