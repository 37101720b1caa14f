"""Debian's headless Chromium through Playwright, as every browser test launches it."""

import contextlib
import importlib.util
import os
import shutil
from collections.abc import Iterator, Sequence

from django.db import connections

from tests.factories import PASSWORD
from tests.real import require

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Nothing but the portal on loopback resolves: a page that reaches for a CDN fails visibly.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
)


def require_chromium() -> None:
    require(shutil.which("chromium") and importlib.util.find_spec("playwright"), "Chromium with Playwright")


@contextlib.contextmanager
def chromium(executable: str = CHROMIUM, extra_args: Sequence[str] = (), **launch: object) -> Iterator[object]:
    """
    A headless Chromium for the block. Playwright's sync API keeps an event loop running in this thread
    while the test's own ORM calls stay synchronous, so Django's async-safety guard is lifted for the
    block; and the connection asgiref gives this thread meanwhile is closed at its end, or PostgreSQL
    could not drop the test database.
    """
    require_chromium()
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable, args=[*CHROMIUM_ARGS, *extra_args], **launch
            )
            try:
                yield browser
            finally:
                browser.close()
                # While Playwright's loop runs, asgiref gives this thread's ORM calls a connection of
                # their own: close it while that loop still runs, or it outlives the test database.
                connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def page_as(browser: object, base_url: str, cookie: str, **context_options: object) -> object:
    """
    A new page in a context of its own carrying the session `cookie` ("name=value", see
    tests.live.conftest.session_cookie) for `base_url`, in English unless told otherwise. Close it
    with `page.context.close()`.
    """
    name, value = cookie.split("=", 1)
    context = browser.new_context(**{"locale": "en-US", **context_options})
    context.add_cookies([{"name": name, "value": value, "url": base_url}])
    return context.new_page()


def log_in(page: object, base_url: str, user: object) -> object:
    """Sign `user` in through the login form (as a person does) and wait for the home page; returns `page`."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{base_url}/")
    return page


def wait_until(page: object, expression: str, timeout: float = 5000) -> object:
    """
    Poll a JavaScript expression until it is truthy (timeout in ms, as Playwright's). Playwright's own
    `wait_for_function` evaluates its predicate with `eval` inside the page, which the portal's
    Content-Security-Policy forbids; `page.evaluate` goes through DevTools and is allowed.
    """
    import time

    deadline = time.monotonic() + timeout / 1000
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout / 1000:.0f} s: {expression}")
        time.sleep(0.05)
