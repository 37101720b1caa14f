"""
Shared setup of the live benchmarks: a throwaway SQLite database (var/bench-live.sqlite3), a Redis
database of its own (14), a Janus from the project's config on free loopback ports, and a district
with bridge points. Everything stays on loopback.
"""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_PATH = ROOT / "var" / "bench-live.sqlite3"
# BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_live runs on PostgreSQL (the database is
# emptied first); the default is a throwaway SQLite file.
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{DB_PATH}")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.test",
    "DATABASE_URL": DATABASE_URL,
    "TEST_REDIS_URL": REDIS_URL,
    "JANUS_API_SECRET": "test-api-secret",
    "JANUS_ADMIN_SECRET": "test-admin-secret",
    "JANUS_VIDEOROOM_ADMIN_KEY": "test-videoroom-admin-key",
    "JANUS_EVENTS_USER": "janus-events",
    "JANUS_EVENTS_PASSWORD": "test-events-password",
}


def setup_django(fresh: bool = True) -> None:
    """Point Django at the bench database and Redis, migrate a fresh database."""
    os.environ.update(ENV)
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if fresh and not DATABASE_URL.startswith("sqlite"):
        call_command("flush", interactive=False, verbosity=0)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    from common.runtime import freeze_startup_heap

    freeze_startup_heap()  # as the portal's servers and workers do once started


def make_district(n_sites: int, prefix: str = "bench"):
    """A district host bridge point and `n_sites` commune bridge points; codes start with `prefix`."""
    from sites.choices import BridgePointRole, LinkKind, LinkRole, UnitKind
    from sites.models import AdministrativeUnit, BridgePoint, NetworkLink, Room, Site

    district = AdministrativeUnit.objects.create(code=f"{prefix}-d", name=f"Huyện {prefix}", kind=UnitKind.DISTRICT)

    def bridge_point(unit, code: str, name: str, role: str) -> BridgePoint:
        code = f"{prefix}-{code}"
        site = Site.objects.create(code=f"s-{code}", name=name, unit=unit, kind="ubnd_hq")
        room = Room.objects.create(code=f"r-{code}", site=site, name="Phòng họp")
        return BridgePoint.objects.create(room=room, code=f"bp-{code}", role=role, janus_display=name)

    host = bridge_point(district, "host", "UBND huyện", BridgePointRole.HOST)
    sites = []
    for i in range(n_sites):
        unit = AdministrativeUnit.objects.create(
            code=f"{prefix}-c{i}", name=f"Xã {i} ({prefix})", kind="commune", parent=district
        )
        bp = bridge_point(unit, f"c{i}", f"UBND xã {i}", BridgePointRole.PARTICIPANT)
        NetworkLink.objects.create(bridge_point=bp, kind=LinkKind.FIBRE, bandwidth_mbps=10, role=LinkRole.PRIMARY)
        sites.append(bp)
    return host, sites


def make_meeting(host, sites, organiser, title: str = "Giao ban", status: str = "scheduled"):
    from django.utils import timezone

    from meetings.models import Meeting, MeetingInvitation

    now = timezone.now()
    meeting = Meeting.objects.create(
        title=title,
        host_bridge_point=host,
        chair="Chủ tịch",
        organiser=organiser,
        starts_at=now + timedelta(minutes=5),
        ends_at=now + timedelta(hours=2),
        status=status,
    )
    MeetingInvitation.objects.bulk_create([MeetingInvitation(meeting=meeting, bridge_point=bp) for bp in sites])
    return meeting


def make_user(username: str, role: str):
    from accounts.models import User
    from accounts.services import roles_sync, user_set_roles

    roles_sync()
    user = User.objects.create_user(username=username, password="bench-pw-12345")
    user_set_roles(user=user, roles=[role])
    return user


def start_janus(events_url: str = ""):
    import tempfile

    from tests.janus_server import JanusProcess, free_port

    server = JanusProcess(
        folder=Path(tempfile.mkdtemp(prefix="bench-janus-")),
        events_url=events_url or f"http://127.0.0.1:{free_port()}/",
    )
    server.start()
    return server


def wait_answering(url: str, process: subprocess.Popen, *, timeout: float) -> None:
    """Wait until the portal started as `process` answers at `url`; fail if it exits or takes too long."""
    import httpx

    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(f"{url}/accounts/login/", timeout=5)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("uvicorn did not start") from None
            time.sleep(0.1)


@contextlib.contextmanager
def serve_portal(*extra_args: str) -> Iterator[int]:
    """The portal under uvicorn on a free loopback port, answering before this yields the port."""
    from tests.janus_server import free_port

    port = free_port()
    web = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "portal.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning", *extra_args],
        cwd=ROOT,
        env={**os.environ, **ENV},
        start_new_session=True,
    )  # fmt: skip
    try:
        wait_answering(f"http://127.0.0.1:{port}", web, timeout=20)
        yield port
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(10)


def percentiles(samples_ms: list[float]) -> str:
    ordered = sorted(samples_ms)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return (
        f"n={len(ordered)} p50={pick(0.50):.1f} ms p95={pick(0.95):.1f} ms p99={pick(0.99):.1f} ms "
        f"max={ordered[-1]:.1f} ms mean={statistics.fmean(ordered):.1f} ms"
    )
