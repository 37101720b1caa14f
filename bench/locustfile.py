"""
Locust users of a briefing morning: office users browsing the portal and booking rooms, in steps.

Run by bench/briefing_morning.py (which seeds the data, starts the server, the boards' websockets,
Janus's events and the camera sweep); it passes, in BRIEFING_PLAN (a JSON file):
    {"users": [[username, password], ...], "pages": [path, ...], "rooms": [room id, ...],
     "steps": [users, ...], "step_seconds": 30, "out": "path of the samples file"}
Each request's (time, name, ms, failed) is written to `out` when Locust stops, so the driver can cut
the run by step. Locust runs in a virtualenv of its own (requirements-bench.txt): it monkey-patches
with gevent, which the portal's own processes must not be.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from datetime import UTC, datetime, timedelta

from locust import HttpUser, LoadTestShape, between, events, task

PLAN = json.loads(open(os.environ["BRIEFING_PLAN"], encoding="utf-8").read())  # noqa: SIM115 (read at import)
SAMPLES: list[tuple[float, str, float, bool]] = []
_accounts = itertools.cycle(PLAN["users"])
_numbers = itertools.count()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs) -> None:
    SAMPLES.append((time.time(), f"{request_type} {name}", response_time, exception is not None))


@events.quitting.add_listener
def _dump(environment, **kwargs) -> None:
    with open(PLAN["out"], "w", encoding="utf-8") as out:
        json.dump(SAMPLES, out)


class OfficeUser(HttpUser):
    """An office clerk: opens the portal's pages and books a room now and then."""

    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.username, password = next(_accounts)
        self.number = next(_numbers)
        self.bookings = 0
        page = self.client.get("/accounts/login/", name="login page")
        token = CSRF.search(page.text)
        self.client.post(
            "/accounts/login/",
            data={"username": self.username, "password": password, "csrfmiddlewaretoken": token[1] if token else ""},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="login",
        )

    @task(8)
    def browse(self) -> None:
        path = random.choice(PLAN["pages"])
        self.client.get(path, name=path)

    @task(1)
    def book(self) -> None:
        """A half-hour booking of its own slot (no clash with another user's: clashes are refused)."""
        self.bookings += 1
        start = datetime.now(tz=UTC).replace(minute=0, second=0, microsecond=0) + timedelta(
            days=1, hours=self.number * 1000 + self.bookings
        )
        room = PLAN["rooms"][self.number % len(PLAN["rooms"])]
        with self.client.post(
            "/api/bookings/",
            json={
                "room": room,
                "title": f"Họp {self.username} {self.bookings}",
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(minutes=30)).isoformat(),
                "confirm_holiday": True,  # slots run years ahead and meet Tết: the clerk confirms, as the form asks
            },
            headers={"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Referer": f"{self.host}/"},
            name="POST /api/bookings/",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")


class Steps(LoadTestShape):
    """PLAN["steps"] users, each for PLAN["step_seconds"]; all started within the step's first seconds."""

    def tick(self):
        elapsed = self.get_run_time()
        index = int(elapsed // PLAN["step_seconds"])
        if index >= len(PLAN["steps"]):
            return None
        users = PLAN["steps"][index]
        return users, max(1, users)  # spawn rate: a step's users arrive within about a second
