"""
Probes against real servers on loopback: an RTSP responder that answers OPTIONS/DESCRIBE, one that
accepts and never answers, a closed port, a malformed reply, Digest authentication, and the bound
that one slow camera puts on a sweep.
"""

import asyncio
import time

from cameras.probes import ProbeTarget, probe_camera, probe_many
from cameras.simulator import RtspSimulator
from tests.cameras.conftest import closed_port


def run(coro):
    return asyncio.run(coro)


def test_answering_camera_is_ok_after_options_and_describe():
    async def main():
        async with RtspSimulator("answer") as sim:
            result = await probe_camera(ProbeTarget(1, stream_url=sim.url()), timeout=1)
            return result, sim.requests

    result, requests = run(main())
    assert result.ok and result.stage == "done", result
    assert requests == ["OPTIONS", "DESCRIBE"]


def test_silent_camera_fails_by_timeout_not_hang():
    """Accepts the connection and never answers: the probe gives up after its timeout."""

    async def main():
        async with RtspSimulator("silent") as sim:
            started = time.monotonic()
            result = await probe_camera(ProbeTarget(1, stream_url=sim.url()), timeout=0.3)
            return result, time.monotonic() - started

    result, elapsed = run(main())
    assert not result.ok and result.stage == "rtsp"
    assert "timed out" in result.error
    assert 0.25 < elapsed < 1.0


def test_closed_port_is_refused():
    result = run(probe_camera(ProbeTarget(1, stream_url=f"rtsp://127.0.0.1:{closed_port()}/x"), timeout=1))
    assert not result.ok and result.stage == "tcp"
    assert result.error == "connection refused"


def test_malformed_reply_fails():
    async def main():
        async with RtspSimulator("malformed") as sim:
            return await probe_camera(ProbeTarget(1, stream_url=sim.url()), timeout=1)

    result = run(main())
    assert not result.ok and result.stage == "rtsp"
    assert "malformed" in result.error


def test_digest_authentication_right_and_wrong_password():
    async def main():
        async with RtspSimulator("digest", username="viewer", password="s3cret-Pass") as sim:
            good = await probe_camera(
                ProbeTarget(1, stream_url=sim.url(), username="viewer", password="s3cret-Pass"), timeout=1
            )
            bad = await probe_camera(
                ProbeTarget(2, stream_url=sim.url(), username="viewer", password="wrong"), timeout=1
            )
            return good, bad

    good, bad = run(main())
    assert good.ok, good
    assert not bad.ok and "credentials" in bad.error
    assert "wrong" not in bad.error and "s3cret" not in good.error


def test_tcp_only_check_without_stream_url():
    async def main():
        async with RtspSimulator("answer") as sim:
            return await probe_camera(ProbeTarget(1, host="127.0.0.1", port=sim.port), timeout=1)

    assert run(main()).ok


def test_snapshot_url_is_fetched_and_its_failure_counts():
    """A refused snapshot URL fails the probe at the snapshot stage."""

    async def main():
        async with RtspSimulator("answer") as sim:
            target = ProbeTarget(1, stream_url=sim.url(), snapshot_url=f"http://127.0.0.1:{closed_port()}/snap.jpg")
            return await probe_camera(target, timeout=1)

    result = run(main())
    assert not result.ok and result.stage == "snapshot"


def test_slow_camera_does_not_delay_the_others():
    """Ten answering cameras and one silent one, concurrency 4: the sweep takes about one timeout."""

    async def main():
        async with RtspSimulator("answer") as fast, RtspSimulator("silent") as silent:
            targets = [ProbeTarget(i, stream_url=fast.url()) for i in range(10)]
            targets.insert(0, ProbeTarget(99, stream_url=silent.url()))
            started = time.monotonic()
            results = await probe_many(targets, concurrency=4, timeout=0.5, deadline=1.0)
            return results, time.monotonic() - started

    results, elapsed = run(main())
    assert results[0].camera_id == 99 and not results[0].ok
    assert all(r.ok for r in results[1:])
    assert elapsed < 1.2


def test_deadline_bounds_a_whole_probe():
    """A camera slower than the deadline (each step under the timeout) is cut at the deadline."""

    async def main():
        async with RtspSimulator("slow", delay=0.4) as sim:
            started = time.monotonic()
            result = await probe_camera(ProbeTarget(1, stream_url=sim.url()), timeout=0.5, deadline=0.6)
            return result, time.monotonic() - started

    result, elapsed = run(main())
    assert not result.ok and result.error == "probe deadline exceeded"
    assert elapsed < 0.9
