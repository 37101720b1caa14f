"""
Redis restart during a meeting: the board's websocket keeps (or regains) its group subscription and the
board catches up without anyone doing anything. Runs on a private redis-server so other tests are not
disturbed.
"""

import os
import shutil
import signal
import subprocess
import time

import pytest
from channels.layers import channel_layers

from accounts.roles import Role
from live import services
from live.models import MediaServer
from meetings.models import Meeting
from tests.janus_server import free_port
from tests.live.conftest import session_cookie
from tests.live.helpers import BoardWatcher
from tests.real import require

pytestmark = pytest.mark.django_db(transaction=True)


class PrivateRedis:
    def __init__(self, folder):
        self.port = free_port()
        self.folder = folder
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        import redis

        deadline = time.monotonic() + 5
        while True:
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(10)
        self.process = None


@pytest.fixture
def private_redis(tmp_path, settings):
    require(shutil.which("redis-server"), "redis-server")
    server = PrivateRedis(tmp_path)
    server.start()
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": {"hosts": [server.url]}}
    }
    channel_layers.backends.clear()
    yield server
    server.stop()
    channel_layers.backends.clear()


def test_board_recovers_after_redis_restart(private_redis, portal_server, briefing, make_user):
    MediaServer.objects.create(name="r", server_name="janus-r", api_url="http://127.0.0.1:1/janus")
    Meeting.objects.filter(pk=briefing.meeting.pk).update(status=Meeting.Status.LIVE)
    room = services.room_prepare(meeting=briefing.meeting)
    state = room.participants.get(bridge_point=briefing.sites[0])
    board = BoardWatcher(
        f"{portal_server.ws_url}/ws/live/meetings/{briefing.meeting.pk}/",
        session_cookie(make_user(Role.HOST)),
        portal_server.url,
    ).start()
    try:
        services.participant_update(row=state, state="publishing")
        board.wait(lambda: board.row(state.pk).get("state") == "publishing", message="no delta before restart")

        private_redis.stop()
        services.participant_update(row=state, talking=True)  # lost: Redis is down (logged, never raised)
        private_redis.start()

        # Changes keep coming; the board catches up (re-subscribed, or resynced after the gap).
        deadline = time.monotonic() + 20
        talking = True
        while time.monotonic() < deadline:
            talking = not talking
            services.participant_update(row=state, talking=talking)
            time.sleep(0.3)
            if board.row(state.pk).get("talking") is talking and board.seq == room.__class__.objects.get().seq:
                break
        else:
            pytest.fail(f"board did not recover: {board.row(state.pk)}")
        assert board.row(state.pk)["state"] == "publishing"
    finally:
        board.stop()
