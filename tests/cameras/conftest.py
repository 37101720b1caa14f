"""Fixtures for camera tests: factories, and real RTSP servers on loopback in a background loop."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import pytest

from cameras.simulator import RtspSimulator


class LoopbackServers:
    """An asyncio loop in a thread that hosts RtspSimulators, so sync code (the sweep) can probe them."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.servers: list[RtspSimulator] = []

    def start(self, mode: str = "answer", **kwargs) -> RtspSimulator:
        server = asyncio.run_coroutine_threadsafe(RtspSimulator(mode, **kwargs).start(), self.loop).result(5)
        self.servers.append(server)
        return server

    def stop(self, server: RtspSimulator) -> None:
        asyncio.run_coroutine_threadsafe(server.stop(), self.loop).result(5)
        self.servers.remove(server)

    def close(self) -> None:
        for server in list(self.servers):
            self.stop(server)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@pytest.fixture
def loopback() -> Iterator[LoopbackServers]:
    servers = LoopbackServers()
    yield servers
    servers.close()


def closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def probe_settings(settings):
    settings.CAMERA_PROBE_TIMEOUT_SECONDS = 0.5
    settings.CAMERA_PROBE_DEADLINE_SECONDS = 1.5
    settings.CAMERA_PROBE_CONCURRENCY = 20
    settings.CAMERA_OFFLINE_AFTER_FAILURES = 3
    settings.CAMERA_ONLINE_AFTER_SUCCESSES = 2
    return settings
