"""
Fixtures for the live app: a real Janus (tests/janus_server.py), a briefing with invited bridge
points, the portal served by uvicorn in a thread (HTTP + websockets, so Janus can post its events and
browsers can watch), and a real Celery worker subprocess.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
import uvicorn
from django.utils import timezone

from accounts.roles import Role
from live.models import MediaServer
from meetings.models import Meeting, MeetingInvitation
from sites.choices import BridgePointRole, LinkKind, LinkRole, UnitKind
from sites.models import BridgePoint, NetworkLink
from tests.factories.sites import BridgePointFactory, RoomFactory, SiteFactory, UnitFactory
from tests.janus_server import (  # noqa: F401  (fixtures)
    ADMIN_KEY,
    ADMIN_SECRET,
    API_SECRET,
    EVENTS_PASSWORD,
    EVENTS_USER,
    JanusProcess,
    free_port,
    janus,
    janus_factory,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _janus_secrets(settings, monkeypatch):
    """The secrets the test Janus was rendered with, where MediaServer rows look for them."""
    monkeypatch.setenv("JANUS_API_SECRET", API_SECRET)
    monkeypatch.setenv("JANUS_ADMIN_SECRET", ADMIN_SECRET)
    monkeypatch.setenv("JANUS_VIDEOROOM_ADMIN_KEY", ADMIN_KEY)
    settings.JANUS_EVENTS_USER = EVENTS_USER
    settings.JANUS_EVENTS_PASSWORD = EVENTS_PASSWORD
    settings.JANUS_TIMEOUT_SECONDS = 3.0


@pytest.fixture(autouse=True)
def _no_pending_provisioning():
    """The start dispatch keeps its pending set and flag in Redis, which outlive each test's database."""
    from live import services

    keys = (services.PROVISION_PENDING_KEY, services.PROVISION_SCHEDULED_KEY)
    client = services._redis()  # this one, even if a test swaps it
    client.delete(*keys)
    yield
    client.delete(*keys)


def media_server_for(server: JanusProcess, name: str = "janus-test") -> MediaServer:
    return MediaServer.objects.create(
        name=f"{name}-{server.http_port}",
        server_name=f"janus-test-{server.http_port}",
        api_url=server.url,
        admin_url=server.admin_url,
    )


@dataclass
class Briefing:
    """A meeting hosted at the district hall with `n` invited commune bridge points."""

    meeting: Meeting
    host: BridgePoint
    sites: list[BridgePoint]
    organiser: object
    communes: list = field(default_factory=list)

    def refresh(self) -> Meeting:
        self.meeting.refresh_from_db()
        return self.meeting


@pytest.fixture
def make_briefing(db, make_user) -> Callable[..., Briefing]:
    def make(n: int = 3, starts_in: timedelta = timedelta(minutes=10), status: str = Meeting.Status.SCHEDULED):
        district = UnitFactory(kind=UnitKind.DISTRICT, name="Huyện Núi Thành")
        host = BridgePointFactory(
            room=RoomFactory(site=SiteFactory(unit=district, name="UBND huyện")),
            role=BridgePointRole.HOST,
            janus_display="UBND huyện Núi Thành",
        )
        communes, sites = [], []
        for i in range(n):
            commune = UnitFactory(parent=district, name=f"Xã Tam {i}")
            bp = BridgePointFactory(room=RoomFactory(site=SiteFactory(unit=commune)), janus_display=f"UBND xã Tam {i}")
            NetworkLink.objects.create(
                bridge_point=bp, kind=LinkKind.FIBRE, bandwidth_mbps=2 + i, role=LinkRole.PRIMARY
            )
            communes.append(commune)
            sites.append(bp)
        organiser = make_user(Role.OFFICE_STAFF)
        now = timezone.now()
        meeting = Meeting.objects.create(
            title="Giao ban tuần",
            host_bridge_point=host,
            chair="Chủ tịch UBND huyện",
            organiser=organiser,
            starts_at=now + starts_in,
            ends_at=now + starts_in + timedelta(hours=2),
            status=status,
        )
        for bp in sites:
            MeetingInvitation.objects.create(meeting=meeting, bridge_point=bp)
        return Briefing(meeting=meeting, host=host, sites=sites, organiser=organiser, communes=communes)

    return make


@pytest.fixture
def briefing(make_briefing) -> Briefing:
    return make_briefing()


#
# The portal over HTTP and websockets (uvicorn in a thread: same process, same test database)
#


class PortalServer:
    def __init__(self) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            "portal.asgi:application",
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            ws="websockets-sansio" if _has_ws_sansio() else "websockets",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def events_url(self) -> str:
        return f"{self.url}/api/janus/events/"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def _has_ws_sansio() -> bool:
    try:
        import uvicorn.protocols.websockets.websockets_sansio_impl  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture
def portal_server(transactional_db) -> Iterator[PortalServer]:
    server = PortalServer()
    server.start()
    yield server
    server.stop()


def session_cookie(user) -> str:
    """A logged-in session for `user`, as a Cookie header value."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


#
# A real Celery worker
#


def _database_url() -> str:
    from django.db import connection

    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{settings_dict['NAME']}"


class Worker:
    """`celery -A portal worker` on the test database and the test Redis, stopped by PID."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        from django.conf import settings

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "DATABASE_URL": _database_url(),
            "TEST_REDIS_URL": settings.REDIS_URL,
            "JANUS_API_SECRET": API_SECRET,
            "JANUS_ADMIN_SECRET": ADMIN_SECRET,
            "JANUS_VIDEOROOM_ADMIN_KEY": ADMIN_KEY,
            "JANUS_EVENTS_USER": EVENTS_USER,
            "JANUS_EVENTS_PASSWORD": EVENTS_PASSWORD,
        }
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "portal",
                    "worker",
                    "--pool",
                    "solo",
                    "--loglevel",
                    "INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-n",
                    f"live-test-{os.getpid()}@%h",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while b"ready." not in self.log.read_bytes():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start: {self.log.read_text()[-2000:]}")
            time.sleep(0.1)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self.process = None


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path) -> Iterator[Worker]:
    """A real worker process; the broker queue is purged first so stale tasks of other runs do not run."""
    from portal.celery import app

    app.control.purge()
    worker = Worker(tmp_path / "worker.log")
    worker.start()
    yield worker
    worker.stop()


def wait_for(predicate: Callable[[], object], timeout: float = 10.0, interval: float = 0.05, message: str = ""):
    """Poll until `predicate()` is truthy; return its value or fail."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(message or f"condition not met within {timeout} s")
        time.sleep(interval)


@pytest.fixture
def recordings_root(tmp_path, settings, monkeypatch) -> Path:
    """A fresh RECORDINGS_ROOT for the test and for the worker it starts (list it before the worker)."""
    root = tmp_path / "recordings"
    root.mkdir()
    settings.RECORDINGS_ROOT = root
    monkeypatch.setenv("RECORDINGS_ROOT", str(root))
    return root
