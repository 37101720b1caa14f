"""
Health of the portal's parts: database, Redis, Celery workers, Janus. Each check is quick when the part
is well (the whole report takes a few milliseconds) and has a short timeout when it is not, and
reports `{"ok": bool, "detail": str, "ms": float}`; nothing secret is included.

`portal_health()` is the one source for `/healthz` and the administrator's panel, checked at each call
(never cached). Every change of a check's state is logged once (`health_changes`), whoever noticed it:
a request, the panel, or the workers, which look every `HEALTH_WATCH_SECONDS` while they run.

Workers are not pinged (a broadcast ping waits its whole timeout for replies): each worker writes a
heartbeat to Redis every `WORKER_HEARTBEAT_SECONDS` (`worker_heartbeat_start`, from portal/celery.py),
and a worker counts as alive while its last heartbeat is younger than three periods.
"""

from __future__ import annotations

import functools
import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import redis
from django.conf import settings
from django.db import close_old_connections, connection

logger = logging.getLogger("portal.health")

WORKERS_KEY = "portal:health:workers"  # sorted set: worker name → time of its last heartbeat
STATE_KEY = "portal:health:state:"  # + check name: "1" (ok) or "0", the state last logged
_last_state: dict[str, bool] = {}  # this process's view, where Redis cannot hold it (the Redis check)


def _timed(check: Callable[[], str]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        detail, ok = check(), True
    except Exception as exc:  # a health check reports every failure, whatever its kind
        detail, ok = f"{type(exc).__name__}: {exc}"[:200], False
    return {"ok": ok, "detail": detail, "ms": round((time.perf_counter() - started) * 1000, 1)}


@functools.cache
def _redis_for(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)


def _redis() -> redis.Redis:
    return _redis_for(settings.REDIS_URL)


@functools.cache
def _http() -> httpx.Client:
    """One client per process: building one (its TLS context) costs more than the check itself."""
    return httpx.Client(timeout=1.5)


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def check_redis() -> str:
    _redis().ping()
    return "pong"


def check_workers() -> str:
    stale = time.time() - 3 * settings.WORKER_HEARTBEAT_SECONDS
    alive = _redis().zcount(WORKERS_KEY, stale, "+inf")
    if not alive:
        raise RuntimeError(f"no Celery worker has reported in the last {3 * settings.WORKER_HEARTBEAT_SECONDS:g} s")
    return f"{alive} worker(s)"


def janus_servers() -> list[tuple[str, str]]:
    """(check name, info URL) of each enabled media server row; JANUS_URL when there is none yet."""
    from live.models import MediaServer

    servers = [
        (f"janus:{name}", api_url.rstrip("/") + "/info")
        for name, api_url in MediaServer.objects.filter(is_enabled=True).order_by("name").values_list("name", "api_url")
    ]
    return servers or [("janus", settings.JANUS_URL.rstrip("/") + "/info")]


def check_janus(url: str) -> Callable[[], str]:
    def check() -> str:
        response = _http().get(url)
        response.raise_for_status()
        return str(response.json().get("version_string", "ok"))

    return check


def portal_health() -> dict[str, Any]:
    """Every part's state now; changes since the last look are logged."""
    checks = {
        "database": _timed(check_database),
        "redis": _timed(check_redis),
        "workers": _timed(check_workers),
    }
    try:
        servers = janus_servers()
    except Exception as exc:  # the database is down: its own check says why
        servers = []
        logger.debug("media servers unknown: %s", exc)
    for name, url in servers:
        checks[name] = _timed(check_janus(url))
    health_changes(checks)
    return {"ok": all(c["ok"] for c in checks.values()), "checks": checks}


def health_changes(checks: dict[str, dict[str, Any]]) -> list[str]:
    """
    Log each check whose state differs from the last one logged; returns their names. The last state
    is kept in Redis (`SET … GET`, so one process logs a change, not every one that sees it), and in
    this process for the Redis check itself, or when Redis cannot answer.
    """
    changed = []
    for name, check in checks.items():
        ok = check["ok"]
        previous: bool | None
        if name == "redis" or not checks.get("redis", {}).get("ok"):
            previous = _last_state.get(name)
        else:
            try:
                stored = _redis().set(STATE_KEY + name, "1" if ok else "0", get=True, ex=7 * 24 * 3600)
                previous = None if stored is None else stored == b"1"
            except redis.RedisError:
                previous = _last_state.get(name)
        _last_state[name] = ok
        if previous is None and ok:
            continue  # first look, and well: nothing happened
        if previous is ok:
            continue
        changed.append(name)
        if ok:
            logger.warning("health: %s is OK again (%s)", name, check["detail"])
        else:
            logger.error("health: %s is failing: %s", name, check["detail"])
    return changed


#
# Worker heartbeat (run by each Celery worker)
#


def worker_heartbeat(name: str) -> None:
    """Say that worker `name` is alive now (and forget workers silent for a day)."""
    now = time.time()
    pipe = _redis().pipeline(transaction=False)
    pipe.zadd(WORKERS_KEY, {name: now})
    pipe.zremrangebyscore(WORKERS_KEY, "-inf", now - 24 * 3600)
    pipe.execute()


def worker_heartbeat_stop(name: str) -> None:
    try:
        _redis().zrem(WORKERS_KEY, name)
    except redis.RedisError:
        logger.warning("could not remove the heartbeat of %s", name)


def worker_heartbeat_start(name: str | None = None) -> threading.Event:
    """
    A daemon thread of the worker's main process: a heartbeat every `WORKER_HEARTBEAT_SECONDS`, and the
    portal's health every `HEALTH_WATCH_SECONDS` (so that changes are logged even when no one looks).
    Returns the event that stops it.
    """
    name = name or f"{socket.gethostname()}:{threading.get_native_id()}"
    stop = threading.Event()

    def run() -> None:
        watched = 0.0
        while True:
            try:
                worker_heartbeat(name)
            except redis.RedisError as exc:
                logger.debug("heartbeat not written: %s", exc)
            if time.monotonic() - watched >= settings.HEALTH_WATCH_SECONDS:
                watched = time.monotonic()
                try:
                    portal_health()
                finally:
                    close_old_connections()
                    connection.close()
            if stop.wait(settings.WORKER_HEARTBEAT_SECONDS):
                worker_heartbeat_stop(name)
                return

    threading.Thread(target=run, name="worker-heartbeat", daemon=True).start()
    return stop
