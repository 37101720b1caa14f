"""
Real WebRTC in tests (JANUS.md §6.2): Janus and the aiortc publisher run in a private network
namespace with 127.0.0.2 on a veth (Janus gathers no candidates on loopback). The portal stays in the
main namespace; socat relays through Unix sockets (which namespaces do not separate) carry Janus's
HTTP/admin/WS ports out and the event handler's POSTs in. Nothing leaves the machine.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.real import require

HOST_ADDRESS = "127.0.0.2"


def netns_available() -> bool:
    return os.geteuid() == 0 and shutil.which("ip") is not None and shutil.which("socat") is not None


class Namespace:
    """A throwaway network namespace: lo up and a veth pair with 127.0.0.2/32, IPv6 off."""

    def __init__(self) -> None:
        suffix = uuid.uuid4().hex[:6]
        self.name = f"livet-{suffix}"
        self.veth = f"lv{suffix}"
        self.processes: list[subprocess.Popen] = []

    def run(self, *command: str) -> None:
        subprocess.run(["ip", "netns", "exec", self.name, *command], check=True, capture_output=True)

    def create(self) -> None:
        subprocess.run(["ip", "netns", "add", self.name], check=True, capture_output=True)
        self.run("ip", "link", "set", "lo", "up")
        self.run("ip", "link", "add", self.veth, "type", "veth", "peer", "name", f"{self.veth}p")
        self.run("ip", "addr", "add", f"{HOST_ADDRESS}/32", "dev", self.veth)
        self.run("ip", "link", "set", f"{self.veth}p", "up")
        self.run("ip", "link", "set", self.veth, "up")
        for dev in (self.veth, f"{self.veth}p"):
            self.run("sysctl", "-q", "-w", f"net.ipv6.conf.{dev}.disable_ipv6=1")

    def popen(self, *command: str, inside: bool, **kwargs: object) -> subprocess.Popen:
        full = ["ip", "netns", "exec", self.name, *command] if inside else list(command)
        process = subprocess.Popen(full, start_new_session=True, **kwargs)  # type: ignore[call-overload]
        self.processes.append(process)
        return process

    def relay_out(self, port: int, folder: Path) -> None:
        """Make 127.0.0.1:`port` inside the namespace reachable at 127.0.0.1:`port` outside."""
        sock = folder / f"out-{port}.sock"
        self.popen(
            "socat",
            f"UNIX-LISTEN:{sock},fork,unlink-early",
            f"TCP:127.0.0.1:{port}",
            inside=True,
            stderr=subprocess.DEVNULL,
        )
        _wait_path(sock)
        self.popen(
            "socat",
            f"TCP-LISTEN:{port},bind=127.0.0.1,fork,reuseaddr",
            f"UNIX-CONNECT:{sock}",
            inside=False,
            stderr=subprocess.DEVNULL,
        )

    def relay_in(self, port: int, folder: Path) -> None:
        """Make 127.0.0.1:`port` outside reachable at 127.0.0.1:`port` inside (for Janus's events)."""
        sock = folder / f"in-{port}.sock"
        self.popen(
            "socat",
            f"UNIX-LISTEN:{sock},fork,unlink-early",
            f"TCP:127.0.0.1:{port}",
            inside=False,
            stderr=subprocess.DEVNULL,
        )
        _wait_path(sock)
        self.popen(
            "socat",
            f"TCP-LISTEN:{port},bind=127.0.0.1,fork,reuseaddr",
            f"UNIX-CONNECT:{sock}",
            inside=True,
            stderr=subprocess.DEVNULL,
        )

    def destroy(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(5)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    os.killpg(process.pid, signal.SIGKILL)
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)


def _wait_path(path: Path, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{path} did not appear")
        time.sleep(0.02)


@pytest.fixture
def netns() -> Iterator[Namespace]:
    require(netns_available(), "a private network namespace (root, ip and socat)")
    namespace = Namespace()
    namespace.create()
    yield namespace
    namespace.destroy()
