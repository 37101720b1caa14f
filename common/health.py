"""
Health of the portal's parts: database, Redis, Celery workers, Janus. Each check has a short
timeout and reports `{"ok": bool, "detail": str, "ms": float}`; nothing secret is included.
"""

import time
from collections.abc import Callable
from typing import Any

import httpx
import redis
from django.conf import settings
from django.db import connection


def _timed(check: Callable[[], str]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        detail, ok = check(), True
    except Exception as exc:  # a health check reports every failure, whatever its kind
        detail, ok = f"{type(exc).__name__}: {exc}"[:200], False
    return {"ok": ok, "detail": detail, "ms": round((time.perf_counter() - started) * 1000, 1)}


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def check_redis() -> str:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
        return "pong"
    finally:
        client.close()


def check_workers() -> str:
    from portal.celery import app

    replies = app.control.ping(timeout=1.0)
    if not replies:
        raise RuntimeError("no Celery worker answered")
    return f"{len(replies)} worker(s)"


def janus_servers() -> list[tuple[str, str]]:
    """(check name, info URL) of each enabled media server row; JANUS_URL when there is none yet."""
    from live.models import MediaServer

    servers = [
        (f"janus:{server.name}", server.api_url.rstrip("/") + "/info")
        for server in MediaServer.objects.filter(is_enabled=True).order_by("name")
    ]
    return servers or [("janus", settings.JANUS_URL.rstrip("/") + "/info")]


def check_janus(url: str) -> Callable[[], str]:
    def check() -> str:
        response = httpx.get(url, timeout=1.5)
        response.raise_for_status()
        return str(response.json().get("version_string", "ok"))

    return check


def portal_health() -> dict[str, Any]:
    checks = {
        "database": _timed(check_database),
        "redis": _timed(check_redis),
        "workers": _timed(check_workers),
    }
    for name, url in janus_servers():
        checks[name] = _timed(check_janus(url))
    return {"ok": all(c["ok"] for c in checks.values()), "checks": checks}
