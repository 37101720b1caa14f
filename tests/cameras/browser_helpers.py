"""Helpers for the camera browser tests: the portal over uvicorn, probes recorded outside Playwright's loop."""

import os
import threading
from pathlib import Path

import pytest
from django.db import connections

from cameras.probes import ProbeResult
from cameras.services import camera_health_record
from tests.live.conftest import PortalServer

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/cameras"))


@pytest.fixture
def portal_server(transactional_db):
    server = PortalServer()
    server.start()
    yield server
    server.stop()


def sweep_in_thread(cameras, *, ok: bool) -> None:
    """One health cycle for `cameras`, run outside Playwright's event loop (the broadcast uses async_to_sync)."""
    errors: list[BaseException] = []

    def target():
        try:
            for camera in cameras:
                result = ProbeResult(camera.pk, ok, "done" if ok else "tcp", "" if ok else "connection refused")
                camera_health_record(camera_id=camera.pk, result=result)
        except BaseException as exc:  # reported in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()  # this thread's connection would outlive the test database

    worker = threading.Thread(target=target)
    worker.start()
    worker.join(30)
    assert not errors, errors


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
