"""
Booking benchmarks, on a fresh throw-away database (SQLite file or PostgreSQL test database):

- with N existing bookings (default 20,000 over 40 rooms), creating a booking through the service
  (overlap check, policy, insert, history) p50/p95, beside a plain ORM insert as the baseline, and
  the refused (conflicting) request;
- the week calendar of all rooms: number of queries and time, with 10 and with 40 rooms;
- 50 threads booking overlapping slots of one room at once: wall time and result (exactly one wins).

Run (each under a minute or two on 2 cores):
    DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/python bench/bookings_bench.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bookings \
        DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/python bench/bookings_bench.py
Options: --existing 20000 --samples 300 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time as clock
from datetime import date, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ms(values: list[float]) -> str:
    return f"p50 {statistics.median(values) * 1000:.2f} ms, p95 {pct(values, 0.95) * 1000:.2f} ms (n={len(values)})"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)), timezone.get_default_timezone())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--existing", type=int, default=20_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    test_settings = settings.DATABASES["default"].setdefault("TEST", {})
    if connection.vendor == "sqlite":
        test_settings["NAME"] = str(settings.BASE_DIR / "var" / "bench-bookings.sqlite3")
    else:
        test_settings["NAME"] = "test_portal_bookings_bench"
    print(f"database: {connection.vendor}")
    started = clock.perf_counter()
    old = setup_databases(verbosity=0, interactive=False)
    print(f"fresh database with migrations: {clock.perf_counter() - started:.1f} s")
    try:
        run(args)
    finally:
        connection.close()
        teardown_databases(old, verbosity=0)


def run(args: argparse.Namespace) -> None:
    from django.test import Client

    from accounts.models import User
    from accounts.roles import Role
    from accounts.services import roles_sync, user_set_roles
    from common.exceptions import ConflictError
    from meetings.models import Booking
    from meetings.services import bookings as services
    from tests.factories.sites import RoomFactory

    roles_sync()
    user = User.objects.create_user(username="bench", password="bench-Pass-2026")
    user_set_roles(user=user, roles=[Role.OFFICE_STAFF])
    user = User.objects.get(pk=user.pk)
    rooms = RoomFactory.create_batch(40)
    first_day = timezone.localdate() + timedelta(days=1)

    # Existing bookings: per room, working hours 08:00–18:00 in 1-hour bookings, day after day.
    started = clock.perf_counter()
    per_day = 10
    batch = []
    for n in range(args.existing):
        room = rooms[n % len(rooms)]
        slot = n // len(rooms)
        day = first_day + timedelta(days=slot // per_day)
        hour = 8 + slot % per_day
        batch.append(
            Booking(
                room=room, title=f"Existing {n}", starts_at=at(day, hour), ends_at=at(day, hour + 1), booked_by=user
            )
        )
    Booking.objects.bulk_create(batch, batch_size=2000)
    days_span = args.existing // len(rooms) // per_day + 1
    print(
        f"existing bookings: {Booking.objects.count()} over {len(rooms)} rooms, {days_span} days "
        f"(bulk insert {clock.perf_counter() - started:.1f} s)"
    )

    # Per sample: a plain insert (baseline), a booking through the service into a free evening slot, and
    # a clash with an existing booking (refused).
    baseline, service, conflict = [], [], []
    for i in range(args.samples):
        room = rooms[i % len(rooms)]
        day = first_day + timedelta(days=(i // len(rooms)) * 3 + 1)
        t0 = clock.perf_counter()
        Booking.objects.create(room=room, title="Baseline", starts_at=at(day, 6), ends_at=at(day, 7), booked_by=user)
        baseline.append(clock.perf_counter() - t0)
        t0 = clock.perf_counter()
        services.booking_create(room=room, title="Bench", starts_at=at(day, 19), ends_at=at(day, 20), booked_by=user)
        service.append(clock.perf_counter() - t0)
        t0 = clock.perf_counter()
        try:
            services.booking_create(
                room=room, title="Clash", starts_at=at(day, 9, 30), ends_at=at(day, 10, 30), booked_by=user
            )
        except ConflictError:
            conflict.append(clock.perf_counter() - t0)
    assert len(conflict) == args.samples, "every clash must be refused"
    print(f"plain ORM insert (baseline, no check):   {ms(baseline)}")
    print(f"booking_create (check+policy+history):  {ms(service)}")
    print(f"booking_create refused (ConflictError): {ms(conflict)}")

    # Week calendar: query count and time through the page, with 10 and with all 40 rooms.
    client = Client()
    client.force_login(user)
    week = (first_day + timedelta(days=7)).isoformat()
    for visible in (10, 40):
        # Only the first `visible` rooms are bookable (shown) for this measurement.
        type(rooms[0]).objects.filter(pk__in=[r.pk for r in rooms]).update(is_bookable=False)
        type(rooms[0]).objects.filter(pk__in=[r.pk for r in rooms[:visible]]).update(is_bookable=True)
        times = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                t0 = clock.perf_counter()
                response = client.get("/meetings/bookings/calendar/", {"date": week})
                times.append(clock.perf_counter() - t0)
            assert response.status_code == 200
        html = response.content.decode()
        shown = html.count('class="bk ')
        on_page = html.count('<th class="room-col fw-normal">')  # the calendar shows a page of rooms, a row each
        print(
            f"week calendar, {visible} bookable rooms ({on_page} on the page), {shown} bookings shown: "
            f"{len(queries.captured_queries)} queries, {ms(times)}"
        )

    # 50-way race on one room, several rounds.
    connection.close()
    for round_no in range(args.rounds):
        day = first_day + timedelta(days=days_span + 10 + round_no)
        room = rooms[round_no % len(rooms)]
        barrier = threading.Barrier(50)
        wins, losers, errors = [], [], []

        def attempt(n: int, room=room, day=day, barrier=barrier, wins=wins, losers=losers, errors=errors) -> None:
            try:
                barrier.wait(timeout=30)
                wins.append(
                    services.booking_create(
                        room=room,
                        title=f"Race {n}",
                        starts_at=at(day, 8, n % 60),
                        ends_at=at(day, 9, 30),
                        booked_by=user,
                    ).pk
                )
            except ConflictError as exc:
                losers.append(exc.extra["conflicting_booking"]["id"])
            except Exception as exc:  # reported below
                errors.append(repr(exc))
            finally:
                connection.close()

        threads = [threading.Thread(target=attempt, args=(n,)) for n in range(50)]
        t0 = clock.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = clock.perf_counter() - t0
        named = len(wins) == 1 and all(loser == wins[0] for loser in losers)
        print(
            f"50-way race round {round_no + 1}: {wall * 1000:.0f} ms wall, winners={len(wins)}, "
            f"conflicts={len(losers)} (all name the winner: {named}), other errors={len(errors)} {errors[:2]}"
        )


if __name__ == "__main__":
    main()
