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
import contextlib
import contextvars
import os
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from channels.layers import get_channel_layer

# A push waits this long at most: Redis hanging must not hold a request or a task.
SEND_TIMEOUT = 5.0

_loop: asyncio.AbstractEventLoop | None = None
# Set by `collecting()`: pushes are kept here, for an asynchronous caller to send on its own loop.
_outbox: contextvars.ContextVar[list[tuple[str, dict[str, Any]]] | None] = contextvars.ContextVar(
    "push_outbox", default=None
)
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
    outbox = _outbox.get()
    if outbox is not None:
        outbox.extend(messages)
        return
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


@contextlib.contextmanager
def collecting() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """
    Keep the pushes made inside the block (in this thread or context) instead of sending them; the
    caller, running on an event loop, sends them there with `asend` (no hop to the sender thread).
    """
    outbox: list[tuple[str, dict[str, Any]]] = []
    token = _outbox.set(outbox)
    try:
        yield outbox
    finally:
        _outbox.reset(token)


async def asend(messages: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Send (group, message) pairs from the running event loop."""
    layer = get_channel_layer()
    if layer is None:
        return
    for group, message in messages:
        await asyncio.wait_for(layer.group_send(group, message), SEND_TIMEOUT)
