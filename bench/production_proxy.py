"""
The production layout on this machine: nginx with TLS (deploy/nginx/portal.conf.in) in front of uvicorn
with several workers under portal.settings.production, against the same uvicorn bare, in the same run.

- The home page as a logged-in user: requests per second and p50/p95 at a fixed concurrency.
- The live board's websocket fan-out: N board websockets of a live meeting (17 invited sites, prepared as
  bench/live_latency.py does) as a logged-in administrator, over wss through nginx and over ws to uvicorn
  bare; M deltas sent to the meeting's group through the production channel layer (the Redis pub/sub
  layer the consumers listen on); latency from the send to each socket's receipt (p50/p95), and deltas
  delivered per second (receipts / time from the first send to the last receipt).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench TEST_REDIS_URL=redis://127.0.0.1:6379/12 \
        .venv/bin/python bench/production_proxy.py [--requests 400] [--concurrency 16] [--workers 2] \
        [--sockets 50] [--events 40] [--gap 0.025]

(A fresh database is migrated first: SQLite in var/ without DATABASE_URL.) Run as root (nginx).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import ssl
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/live_latency.py imports live_common
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"

from bench._setup import percentiles, setup_django
from bench.live_latency import _pick
from bench.live_latency import prepare as prepare_live_meeting


async def load(url: str, headers: dict[str, str], requests: int, concurrency: int, verify) -> dict:
    import httpx

    samples: list[float] = []
    failures = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(requests):
        queue.put_nowait(i)

    async with httpx.AsyncClient(verify=verify, timeout=60, limits=httpx.Limits(max_connections=concurrency)) as client:
        await client.get(url, headers=headers)  # warm up the connection and the worker

        async def worker() -> None:
            nonlocal failures
            while not queue.empty():
                queue.get_nowait()
                started = time.perf_counter()
                response = await client.get(url, headers=headers)
                samples.append((time.perf_counter() - started) * 1000)
                failures += response.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    stats = percentiles(samples)
    return {
        "rps": round(requests / elapsed, 1),
        "p50_ms": round(stats["p50"], 1),
        "p95_ms": round(stats["p95"], 1),
        "failures": failures,
    }


async def fan_out(
    url: str, headers: dict[str, str], origin: str, tls, layer, meeting_id: int, args: argparse.Namespace, first: int
) -> dict:
    """N board websockets on `url`; M deltas (seq first, first+1, ...) to the group; latency per receipt."""
    import websockets

    from live.broadcast import delta_message, meeting_group

    arrivals: dict[int, list[float]] = {}
    connected = 0
    ready = asyncio.Event()

    async def watch() -> None:
        nonlocal connected
        async with websockets.connect(
            url, additional_headers=headers, origin=origin, ssl=tls, max_queue=None, open_timeout=120
        ) as ws:
            first_message = json.loads(await ws.recv())
            assert first_message["type"] == "snapshot", first_message
            connected += 1
            if connected == args.sockets:
                ready.set()
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] == "delta":
                    arrivals.setdefault(message["data"]["seq"], []).append(time.perf_counter())

    watchers = []
    for _ in range(args.sockets):
        watchers.append(asyncio.create_task(watch()))
        await asyncio.sleep(0.005)
    done = asyncio.ensure_future(ready.wait())
    await asyncio.wait([done, *watchers], timeout=120, return_when=asyncio.FIRST_COMPLETED)
    failed = [task for task in watchers if task.done()]
    if not ready.is_set():
        for task in watchers:
            task.cancel()
        reason = failed[0].exception() if failed else "timeout"
        raise RuntimeError(f"{connected}/{args.sockets} websockets connected: {reason!r}")
    await asyncio.sleep(0.5)  # every consumer has subscribed to the group before its snapshot; settle

    sent: dict[int, float] = {}
    group = meeting_group(meeting_id)
    for i in range(args.events):
        seq = first + i
        sent[seq] = time.perf_counter()
        await layer.group_send(group, delta_message({"seq": seq, "participants": []}))
        await asyncio.sleep(args.gap)
    expected = args.events * args.sockets
    deadline = time.perf_counter() + 10
    while sum(len(arrivals.get(s, ())) for s in sent) < expected and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    for task in watchers:
        task.cancel()
    await asyncio.gather(*watchers, return_exceptions=True)

    latencies = [(t - sent[s]) * 1000 for s, times in arrivals.items() if s in sent for t in times]
    last = max((t for s, times in arrivals.items() if s in sent for t in times), default=min(sent.values()))
    return {
        "sockets": args.sockets,
        "events": args.events,
        "received": len(latencies),
        "missing": expected - len(latencies),
        "msgs_per_s": round(len(latencies) / (last - min(sent.values())), 1),
        "p50_ms": round(_pick(latencies, 0.5), 1) if latencies else None,
        "p95_ms": round(_pick(latencies, 0.95), 1) if latencies else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sockets", type=int, default=50, help="board websockets per path")
    parser.add_argument("--events", type=int, default=40, help="deltas sent per path")
    parser.add_argument("--gap", type=float, default=0.025, help="seconds between deltas")
    parser.add_argument("--sites", type=int, default=17, help="invited sites of the watched meeting")
    args = parser.parse_args()

    setup_django("production")
    from accounts.models import User
    from tests.deploy.production import (
        AsgiServer,
        Nginx,
        ProxiedClient,
        collectstatic,
        production_env,
        production_password,
        self_signed_certificate,
    )
    from tests.janus_server import free_port

    User.objects.filter(username="bench").delete()
    User.objects.create(username="bench", password=production_password("bench-Password-1"), is_superuser=True)
    meeting, _room, _states, _cookie = prepare_live_meeting(args.sites)  # its cookie is the test settings'
    folder = Path(tempfile.mkdtemp(prefix="bench-production-"))
    env = production_env(folder / "static")
    result = collectstatic(env)
    assert result.returncode == 0, result.stderr[-2000:]
    server = AsgiServer(env, folder / "uvicorn.log", workers=args.workers).start()
    cert, key = self_signed_certificate(folder)
    nginx = Nginx(
        folder,
        {
            "DOMAIN": "127.0.0.1",
            "TLS_CERT": str(cert),
            "TLS_KEY": str(key),
            "WEB_PORT": str(server.port),
            "JANUS_HTTP_PORT": str(free_port()),
            "JANUS_WS_PORT": str(free_port()),
        },
    ).start()
    try:
        client = ProxiedClient(nginx.url, cafile=cert)
        client.login("bench", "bench-Password-1")
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        client.close()
        tls = ssl.create_default_context(cafile=str(cert))
        results = {
            "bare uvicorn (http)": asyncio.run(
                load(
                    f"{server.url}/",
                    {"Cookie": cookie, "X-Forwarded-Proto": "https"},
                    args.requests,
                    args.concurrency,
                    True,
                )
            ),
            "nginx + TLS": asyncio.run(load(f"{nginx.url}/", {"Cookie": cookie}, args.requests, args.concurrency, tls)),
        }
        from channels_redis.pubsub import RedisPubSubChannelLayer

        # The layer the production processes use (portal/settings/base.py: pub/sub on REDIS_URL, prefix
        # "asgi"), not the test settings' one (its prefix names the Redis database).
        layer = RedisPubSubChannelLayer(hosts=[env["REDIS_URL"]])
        path = f"/ws/live/meetings/{meeting.pk}/"
        ws_results = {
            "bare uvicorn (ws)": asyncio.run(
                fan_out(
                    f"ws://127.0.0.1:{server.port}{path}",
                    {"Cookie": cookie, "X-Forwarded-Proto": "https"},
                    server.url,
                    None,
                    layer,
                    meeting.pk,
                    args,
                    1_000_000,
                )
            ),
            "nginx + TLS (wss)": asyncio.run(
                fan_out(
                    f"wss://127.0.0.1:{nginx.https_port}{path}",
                    {"Cookie": cookie},
                    nginx.url,
                    tls,
                    layer,
                    meeting.pk,
                    args,
                    2_000_000,
                )
            ),
        }
        print(json.dumps({"workers": args.workers, "concurrency": args.concurrency, **results}, indent=2))
        print(json.dumps({"board websocket fan-out": ws_results}, indent=2))
        bare, proxy = results["bare uvicorn (http)"], results["nginx + TLS"]
        print(
            f"home page proxy/bare: rps {proxy['rps'] / bare['rps']:.2f}x, p95 {proxy['p95_ms'] / bare['p95_ms']:.2f}x"
        )
        bare, proxy = ws_results["bare uvicorn (ws)"], ws_results["nginx + TLS (wss)"]
        if bare["p95_ms"] and proxy["p95_ms"]:
            print(
                f"board fan-out proxy/bare: msgs/s {proxy['msgs_per_s'] / bare['msgs_per_s']:.2f}x, "
                f"p50 {proxy['p50_ms'] / bare['p50_ms']:.2f}x, p95 {proxy['p95_ms'] / bare['p95_ms']:.2f}x"
            )
    finally:
        nginx.stop()
        server.stop()


if __name__ == "__main__":
    main()
