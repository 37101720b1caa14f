"""
A real Janus for tests: the project's own config (deploy/janus, rendered by
scripts/render_janus_config.py) in a temporary folder, free loopback ports, `janus -F <folder> -o`
started with setsid and stopped by its PID (SIGTERM, then SIGKILL).

Import the fixtures into a test folder's conftest.py:

    from tests.janus_server import janus, janus_factory  # noqa: F401
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.real import require

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from render_janus_config import render  # noqa: E402

ADMIN_SECRET = "test-admin-secret"
API_SECRET = "test-api-secret"
ADMIN_KEY = "test-videoroom-admin-key"
EVENTS_USER = "janus-events"
EVENTS_PASSWORD = "test-events-password"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class JanusProcess:
    """One Janus instance run from its own config folder; `start()`, `stop()`, `restart()`."""

    folder: Path
    events_url: str
    http_port: int = field(default_factory=free_port)
    admin_port: int = field(default_factory=free_port)
    ws_port: int = field(default_factory=free_port)
    netns: str | None = None
    nat_extra: str = ""
    interface: str = "127.0.0.1"
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/janus"

    @property
    def admin_url(self) -> str:
        return f"http://127.0.0.1:{self.admin_port}/admin"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.ws_port}"

    def render(self) -> None:
        rtp_base = 30000 + (self.http_port % 300) * 100
        render(
            self.folder,
            {
                "CONF_DIR": str(self.folder),
                "SERVER_NAME": f"janus-test-{self.http_port}",
                "ADMIN_SECRET": ADMIN_SECRET,
                "API_SECRET": API_SECRET,
                "VIDEOROOM_ADMIN_KEY": ADMIN_KEY,
                "HTTP_PORT": str(self.http_port),
                "ADMIN_PORT": str(self.admin_port),
                "WS_PORT": str(self.ws_port),
                "RTP_RANGE": f"{rtp_base}-{rtp_base + 99}",
                "EVENTS_URL": self.events_url,
                "EVENTS_USER": EVENTS_USER,
                "EVENTS_PASSWORD": EVENTS_PASSWORD,
                "NAT_EXTRA": self.nat_extra,
            },
        )
        if self.interface != "127.0.0.1":
            main = self.folder / "janus.jcfg"
            main.write_text(main.read_text().replace('interface = "127.0.0.1"', f'interface = "{self.interface}"'))

    def start(self, timeout: float = 10.0) -> None:
        if self.process is not None:
            raise RuntimeError("Janus is already running")
        if not (self.folder / "janus.jcfg").exists():
            self.render()
        command = ["janus", "-F", str(self.folder), "-o"]
        if self.netns:
            command = ["ip", "netns", "exec", self.netns, *command]
        log = (self.folder / "janus.log").open("ab")
        self.process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
        log.close()
        if not self.netns:
            self.wait_ready(timeout)

    def wait_ready(self, timeout: float = 10.0, url: str | None = None) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"Janus exited with {self.process.returncode}: {self.log_tail()}")
            try:
                if httpx.get(url or f"{self.url}/info", timeout=0.5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"Janus did not answer within {timeout} s: {self.log_tail()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> None:
        """Stop by PID: SIGTERM (or `sig`), then SIGKILL if it does not exit in time."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_tail(self, lines: int = 30) -> str:
        path = self.folder / "janus.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


@pytest.fixture
def janus_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., JanusProcess]]:
    """janus_factory(events_url=..., start=True, **kwargs) → a running JanusProcess, stopped at teardown."""
    require(shutil.which("janus"), "Janus (apt-get install janus)")
    started: list[JanusProcess] = []

    def make(events_url: str = "", start: bool = True, **kwargs: object) -> JanusProcess:
        folder = tmp_path_factory.mktemp("janus")
        # Without a receiver, events go to a closed port: Janus logs, retries twice and drops them.
        server = JanusProcess(folder=folder, events_url=events_url or f"http://127.0.0.1:{free_port()}/", **kwargs)
        started.append(server)
        if start:
            server.start()
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def janus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JanusProcess]:
    """One Janus for a whole test session, for tests that only create and destroy their own rooms."""
    require(shutil.which("janus"), "Janus (apt-get install janus)")
    server = JanusProcess(
        folder=tmp_path_factory.mktemp("janus-session"), events_url=f"http://127.0.0.1:{free_port()}/"
    )
    server.start()
    yield server
    server.stop()
