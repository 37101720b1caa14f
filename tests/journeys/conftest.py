"""
Fixtures for the journeys (issue 14): each role's main day through the real pages, in Vietnamese, in
Debian's headless Chromium, logged in as the demo user of that role.

The demo data (`manage.py seed_demo`, 10–20 s) is loaded once for the module and committed, because the
portal answers from a server thread (uvicorn: HTTP and the live pages' websockets) with its own database
connection; the database is flushed at the module's end, as a transactional test would. One Chromium
serves the module. The journeys share the demo data, so each leaves what it did in place and works on
objects of its own (its own meeting) or on demo objects no other journey touches.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import translation

from accounts.demo import demo_password
from tests.browser import chromium
from tests.common.test_crawl import ENGLISH_WORDS
from tests.janus_server import janus  # noqa: F401  (fixture)
from tests.live.conftest import PortalServer

SCREENSHOTS = Path(os.environ.get("JOURNEY_SCREENSHOTS", "/tmp/journeys"))
WIDTHS = (1280, 800)

# English UI words that must not show on a Vietnamese page (the crawl's list, tests/common/test_crawl.py):
# whole words, case-sensitive.
_ENGLISH = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in ENGLISH_WORDS) + r")(?![\w-])")


@pytest.fixture(scope="module")
def demo_portal(django_db_setup, django_db_blocker) -> Iterator[PortalServer]:
    """The demo data, committed, and the portal serving it (uvicorn in a thread); flushed at the end."""
    with django_db_blocker.unblock():
        with translation.override("vi"):
            call_command("seed_demo", stdout=io.StringIO())
        server = PortalServer()
        server.start()
        try:
            yield server
        finally:
            server.stop()
            connections.close_all()
            _flush()


def _flush() -> None:
    """
    Empty the database as a transactional test does. SQLite's flush deletes row by row, which the trigger
    keeping approved minutes immutable refuses (meetings/migrations/_minutes_guard.py): it is lifted for
    the flush only. (PostgreSQL truncates, which row triggers do not see.)
    """
    from django.db import connection

    if connection.vendor != "sqlite":
        call_command("flush", interactive=False, verbosity=0)
        return
    from meetings.migrations._minutes_guard import SQLITE_TRIGGERS

    drop_no_delete, create_no_delete = SQLITE_TRIGGERS[1], SQLITE_TRIGGERS[3]
    assert "no_delete" in drop_no_delete and "no_delete" in create_no_delete
    with connection.cursor() as cursor:
        cursor.execute(drop_no_delete)
    try:
        call_command("flush", interactive=False, verbosity=0)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(create_no_delete)


@pytest.fixture(scope="module")
def journey_browser() -> Iterator[object]:
    with chromium() as instance:
        yield instance


@pytest.fixture
def _django_db_helper(django_db_setup, django_db_blocker) -> Iterator[None]:
    """
    pytest-django's per-test database handling, replaced for the journeys (marked `django_db` so that the
    test database is set up): no transaction around the test and no flush after it, so what a test sets
    up is committed and seen by the server thread, and the demo data stays for the next journey.
    """
    with django_db_blocker.unblock():
        yield


@pytest.fixture(autouse=True)
def _vietnamese(settings) -> Iterator[None]:
    settings.LANGUAGE_CODE = "vi"
    with translation.override("vi"):
        yield


class Journey:
    """One demo user's pages in one browser context: log in, go, check both widths, screenshot."""

    def __init__(self, browser: object, server: PortalServer, username: str, name: str) -> None:
        self.server = server
        self.name = name
        self.step = 0
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900}, locale="vi-VN")
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(f"JS error: {error}"))
        # Server errors, and anything the page asks for that is not there (a page asked for /favicon.ico).
        self.page.on(
            "response",
            lambda response: (
                (response.status >= 500 or response.status == 404)
                and self.errors.append(f"{response.status} {response.url}")
            ),
        )
        self.page.on("dialog", lambda dialog: dialog.accept())
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.log_in(username)

    def url(self, path: str) -> str:
        return f"{self.server.url}{path}"

    def log_in(self, username: str) -> None:
        page = self.page
        page.goto(self.url("/accounts/login/"))
        page.fill("#id_username", username)
        page.fill("#id_password", demo_password())
        page.press("#id_password", "Enter")
        page.wait_for_url(self.url("/"))

    def goto(self, path: str) -> object:
        response = self.page.goto(self.url(path))
        assert response.status == 200, f"{path}: {response.status}"
        return response

    def text(self) -> str:
        return " ".join(self.page.locator("body").inner_text().split())

    def check(self, label: str) -> str:
        """
        The page as it is now at both widths: no sideways overflow, no English UI word, no server error
        or script error so far; a screenshot of each width. Returns the page's text.
        """
        self.step += 1
        self.page.wait_for_load_state("networkidle")
        text = self.text()
        english = sorted(set(_ENGLISH.findall(text)))
        assert not english, f"{label}: English words {english} on {self.page.url}: {text[:400]}"
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 900})
            overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            self.page.screenshot(
                path=str(SCREENSHOTS / f"{self.name}-{self.step:02d}-{label}-{width}.png"), full_page=True
            )
            assert overflow <= 0, f"{label}: {overflow} px sideways overflow at {width} px on {self.page.url}"
        self.page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        assert not self.errors, f"{label}: {self.errors}"
        return text

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def journey(journey_browser, demo_portal) -> Iterator[object]:
    """journey(username, name) → a Journey logged in as that demo user; closed at the end."""
    opened: list[Journey] = []

    def make(username: str, name: str | None = None) -> Journey:
        opened.append(Journey(journey_browser, demo_portal, username, name or username))
        return opened[-1]

    yield make
    for item in opened:
        item.close()
