"""
Benchmark: one health sweep over 1,000 cameras simulated on loopback.

Mix: 800 answering RTSP cameras, 100 slow ones (each reply 0.5 s late, so a probe takes about
1 s), 50 that accept and never answer (they cost one timeout), 50 closed ports (refused). The probes
use the configured concurrency, timeout and deadline (CAMERA_PROBE_* settings, overridable by the
environment). Prints the wall time and the sum of the individual probe times; their ratio is the
speed-up from concurrency.

    DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/python bench/cameras_sweep.py
"""

import asyncio
import os
import socket
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django

django.setup()

from django.conf import settings  # noqa: E402

from cameras.probes import ProbeTarget, run_probes  # noqa: E402
from cameras.simulator import RtspSimulator  # noqa: E402

MIX = {"answer": 800, "slow": 100, "silent": 50, "closed": 50}
SERVERS_PER_MODE = 10  # cameras of one kind share a few servers, as many cameras share few NVR ports


def _closed_ports(n: int) -> list[int]:
    ports = []
    for _ in range(n):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
    return ports


def main() -> None:
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()

    def start(mode: str, **kw: float) -> RtspSimulator:
        return asyncio.run_coroutine_threadsafe(RtspSimulator(mode, **kw).start(), loop).result(5)

    servers = {
        "answer": [start("answer") for _ in range(SERVERS_PER_MODE)],
        "slow": [start("slow", delay=0.5) for _ in range(SERVERS_PER_MODE)],
        "silent": [start("silent") for _ in range(SERVERS_PER_MODE)],
    }
    closed = _closed_ports(MIX["closed"])
    targets, kinds = [], []
    for kind, count in MIX.items():
        for i in range(count):
            url = (
                f"rtsp://127.0.0.1:{closed[i]}/live"
                if kind == "closed"
                else servers[kind][i % SERVERS_PER_MODE].url(f"/cam{i}")
            )
            targets.append(ProbeTarget(camera_id=len(targets) + 1, stream_url=url))
            kinds.append(kind)

    concurrency = settings.CAMERA_PROBE_CONCURRENCY
    timeout, deadline = settings.CAMERA_PROBE_TIMEOUT_SECONDS, settings.CAMERA_PROBE_DEADLINE_SECONDS
    started = time.monotonic()
    results = run_probes(targets, concurrency=concurrency, timeout=timeout, deadline=deadline)
    wall = time.monotonic() - started
    total = sum(r.elapsed for r in results)

    print(f"cameras={len(targets)} concurrency={concurrency} timeout={timeout}s deadline={deadline}s")
    for kind in MIX:
        mine = [r for r, k in zip(results, kinds, strict=True) if k == kind]
        ok = sum(r.ok for r in mine)
        print(f"  {kind:<7} {len(mine):>4} ok={ok:<4} mean={sum(r.elapsed for r in mine) / len(mine):.3f}s")
    print(f"wall={wall:.2f}s  sum of probe times={total:.1f}s  ratio={total / wall:.1f}x")
    assert wall < 15, "target: a sweep of 1,000 cameras under 15 s"
    assert sum(r.ok for r in results) == MIX["answer"] + MIX["slow"]

    for group in servers.values():
        for server in group:
            asyncio.run_coroutine_threadsafe(server.stop(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)


if __name__ == "__main__":
    main()
