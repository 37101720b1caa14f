"""
The production layout on this machine: the home page as a logged-in user, through nginx with TLS
(deploy/nginx/portal.conf.in) in front of uvicorn with several workers under portal.settings.production,
against the same uvicorn bare, in the same run. Requests per second and p50/p95 at a fixed concurrency.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/production_proxy.py \
        [--requests 400] [--concurrency 16] [--workers 2]

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
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"

from bench._setup import percentiles, setup_django


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
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
        print(json.dumps({"workers": args.workers, "concurrency": args.concurrency, **results}, indent=2))
    finally:
        nginx.stop()
        server.stop()


if __name__ == "__main__":
    main()
