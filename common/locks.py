"""
A Redis lock tied to its holder's life: a short TTL that a daemon thread of the holder renews while it
works. A holder killed in the middle (SIGKILL, OOM, a lost machine) stops renewing, and the lock is
gone within `ttl` seconds, not after the longest pass anyone could imagine.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from django.conf import settings
from redis.exceptions import LockError, RedisError

logger = logging.getLogger("common.locks")


@functools.cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def lock_client() -> redis.Redis:
    return _client(settings.REDIS_URL)


@contextmanager
def held_lock(name: str, *, ttl: float) -> Iterator[bool]:
    """
    Try to take lock `name` without waiting; yields whether it was taken. While the body runs, a thread
    renews the lock to `ttl` seconds every `ttl / 3`, so a long body keeps it and a dead holder loses it
    within `ttl` seconds. Released (only if still ours) at the end.
    """
    lock = lock_client().lock(name, timeout=ttl, blocking=False, thread_local=False)
    if not lock.acquire():
        yield False
        return
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(ttl / 3):
            try:
                lock.reacquire()
            except (LockError, RedisError):  # taken over after expiry, or Redis away: stop renewing
                logger.warning("lock %s could not be renewed", name, exc_info=True)
                return

    renewer = threading.Thread(target=renew, name=f"lock-renew:{name}", daemon=True)
    renewer.start()
    try:
        yield True
    finally:
        stop.set()
        renewer.join()
        try:
            lock.release()
        except (LockError, RedisError):  # expired (or Redis away): nothing of ours to release
            logger.info("lock %s was no longer held at release", name)
