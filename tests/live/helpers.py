"""Helpers for end-to-end tests: a board websocket watcher and a publisher subprocess."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

PUBLISHER = Path(__file__).with_name("publisher.py")


class BoardWatcher:
    """
    Watches a meeting's board websocket from a thread, applying the snapshot and deltas the way the
    page does (and checking that delta numbers have no gaps).
    """

    def __init__(self, url: str, cookie: str, origin: str) -> None:
        self.url, self.cookie, self.origin = url, cookie, origin
        self.rows: dict[str, dict[str, Any]] = {}
        self.meeting: dict[str, Any] = {}
        self.seq: int | None = None
        self.messages: list[dict[str, Any]] = []
        self.history: list[tuple[str, dict[str, Any]]] = []  # (key, row) in arrival order
        self.gaps = 0
        self.lock = threading.Condition()
        self.loop = asyncio.new_event_loop()
        self.socket: Any = None
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._run(),), daemon=True)
        self.received_at: list[float] = []

    def start(self) -> BoardWatcher:
        self.thread.start()
        self.wait(lambda: self.seq is not None, message="no snapshot")
        return self

    def stop(self) -> None:
        if self.socket is not None:
            asyncio.run_coroutine_threadsafe(self.socket.close(), self.loop)
        self.thread.join(5)

    async def _run(self) -> None:
        import websockets

        async with websockets.connect(
            self.url, additional_headers={"Cookie": self.cookie}, origin=self.origin, open_timeout=5
        ) as socket:
            self.socket = socket
            async for raw in socket:
                message = json.loads(raw)
                with self.lock:
                    self.received_at.append(time.monotonic())
                    self.messages.append(message)
                    self._apply(message)
                    self.lock.notify_all()
                if message["type"] == "delta" and message["data"].get("meeting"):
                    await socket.send(json.dumps({"type": "resync"}))

    def _apply(self, message: dict[str, Any]) -> None:
        data = message["data"]
        if message["type"] == "heartbeat":
            return  # the page's liveness check (test_stale_browser.py), not a change
        if message["type"] == "snapshot":
            self.rows = {str(r["key"]): r for r in data["participants"]}
            self.meeting = data["meeting"]
            self.seq = data["seq"]
            for key, row in self.rows.items():
                self.history.append((key, row))
            return
        if self.seq is not None and data["seq"] <= self.seq:
            return
        if self.seq is not None and data["seq"] != self.seq + 1:
            self.gaps += 1
        self.seq = data["seq"]
        for row in data["participants"]:
            self.rows[str(row["key"])] = row
            self.history.append((str(row["key"]), row))
        if data.get("meeting"):
            self.meeting = data["meeting"]

    def row(self, key: int | str) -> dict[str, Any]:
        return self.rows.get(str(key), {})

    def wait(self, predicate: Callable[[], object], timeout: float = 10, message: str = "") -> None:
        deadline = time.monotonic() + timeout
        with self.lock:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    pytest.fail(f"board: {message or 'condition not met'}; rows={list(self.rows.values())}")
                self.lock.wait(remaining)

    def states_seen(self, key: int | str) -> list[str]:
        return [row["state"] for k, row in self.history if k == str(key)]


class Publisher:
    """tests/live/publisher.py in the test's network namespace; its JSON lines are collected."""

    def __init__(
        self,
        netns: Any,
        ws_url: str,
        config: dict[str, Any],
        claim: Callable[[int], object] | None = None,
        display: str | None = None,
        participant_id: int | None = None,
        tone: float = 0,
    ) -> None:
        """
        `claim(session_id)` tells the portal the Janus session before the join, as the room page does;
        without it the portal refuses the publisher as an impostor. `display` and `participant_id`
        override the site's own, to try impersonation.
        """
        self.events: list[dict[str, Any]] = []
        self.lock = threading.Condition()
        self.claim = claim
        self.process = netns.popen(
            # --name=value: a token may start with "-".
            sys.executable,
            str(PUBLISHER),
            f"--ws={ws_url}",
            f"--room={config['room']}",
            f"--pin={config['pin']}",
            f"--token={config['token']}",
            f"--id={participant_id or config['id']}",
            f"--display={display or config['display']}",
            *(["--wait-claim"] if claim else []),
            *([f"--tone={tone}"] if tone else []),
            inside=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("event") == "session" and self.claim is not None:
                self.claim(event["id"])
                assert self.process.stdin is not None
                self.process.stdin.write("go\n")
                self.process.stdin.flush()
            with self.lock:
                self.events.append(event)
                self.lock.notify_all()

    def wait_event(self, name: str, timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                for event in self.events:
                    if event.get("event") == name:
                        return event
                if any(e.get("event") == "error" for e in self.events):
                    pytest.fail(f"publisher error: {self.events}")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    stderr = self.process.stderr.read() if self.process.poll() is not None else ""
                    pytest.fail(f"publisher: no {name!r} in {self.events} {stderr[-1500:]}")
                self.lock.wait(remaining)

    def leave(self) -> None:
        if self.process.poll() is None and self.process.stdin is not None:
            try:
                self.process.stdin.write("leave\n")
                self.process.stdin.flush()
            except BrokenPipeError:
                return
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def readiness_complete(invitation: Any) -> None:
    """A site that did everything: checklist, and a test call that published media Janus received."""
    from django.utils import timezone

    from live.models import ReadinessCheck

    ReadinessCheck.objects.create(
        invitation=invitation,
        camera_ok=True,
        microphone_ok=True,
        display_ok=True,
        link_ok=True,
        test_call_at=timezone.now(),
        test_call_published=True,
        test_call_media_received=True,
    )


def claim_as(client: Any, url: str) -> Callable[[int], None]:
    """A `Publisher` claim that posts the session to the portal as the site's user (from any thread)."""

    def claim(session_id: int) -> None:
        from django.db import connection

        try:
            response = client.post(url, {"session_id": session_id}, "application/json")
            assert response.status_code == 204, response.content
        finally:
            connection.close()

    return claim


def in_thread(function):
    """Run a Django test client call off Playwright's loop thread (the broadcast needs async_to_sync)."""
    result = {}

    def run():
        try:
            result["value"] = function()
        except BaseException as exc:  # re-raised in the test's thread, with its traceback
            result["error"] = exc

    worker = threading.Thread(target=run)
    worker.start()
    # Ending a meeting took over 30 s once on a loaded machine, and over 60 s once on a machine half as
    # fast running both databases' suites side by side (SQLite writers wait up to 30 s for the lock).
    worker.join(90)
    if "error" in result:
        raise result["error"]
    if "value" not in result:  # where the call is stuck, so that the next failure says why
        import traceback

        stack = "".join(traceback.format_stack(sys._current_frames()[worker.ident]))
        raise AssertionError(f"the call did not return within 90 s; it is at:\n{stack}")
    return result["value"]


def delta_data(message: dict[str, Any]) -> dict[str, Any]:
    """The data of a `live.delta` channel message (`broadcast.delta_message`: the page's JSON, encoded once)."""
    page_message = json.loads(message["text"])
    assert page_message["type"] == "delta"
    return page_message["data"]
