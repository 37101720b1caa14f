"""
Sending to channel-layer groups from sync code (services, after commit), on one event loop per
process.

The channel layer keeps its Redis connections per event loop. `async_to_sync` runs each call on a new
loop, so every push opened and closed a connection: 2-4 ms each, several per request (a meeting's
start tells its board and each of its sites' pages). Here the pushes of a process share one loop, run
by a daemon thread, and take ~0.4 ms. A forked child (a prefork worker) starts its own.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Sequence
from typing import Any

from channels.layers import get_channel_layer

# A push waits this long at most: Redis hanging must not hold a request or a task.
SEND_TIMEOUT = 5.0

_loop: asyncio.AbstractEventLoop | None = None
_loop_pid = 0
_lock = threading.Lock()


def _sender_loop() -> asyncio.AbstractEventLoop:
    global _loop, _loop_pid
    with _lock:
        if _loop is None or _loop_pid != os.getpid():
            _loop = asyncio.new_event_loop()
            _loop_pid = os.getpid()
            threading.Thread(target=_loop.run_forever, name="channel-sender", daemon=True).start()
        return _loop


def _forget_loop() -> None:
    """In a forked child: the parent's loop thread is not there, and its lock may have been held."""
    global _loop, _lock
    _loop, _lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_loop)


def groups_send(messages: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """
    Send each (group, message) in order, now; raises what the layer raises (callers log it: a lost
    push must never undo the write that caused it). Does nothing without a channel layer.
    """
    layer = get_channel_layer()
    if layer is None or not messages:
        return

    async def send_all() -> None:
        for group, message in messages:
            await layer.group_send(group, message)

    future = asyncio.run_coroutine_threadsafe(send_all(), _sender_loop())
    try:
        future.result(timeout=SEND_TIMEOUT)
    except BaseException:
        future.cancel()
        raise


def group_send(group: str, message: dict[str, Any]) -> None:
    """`groups_send` of one message."""
    groups_send([(group, message)])
