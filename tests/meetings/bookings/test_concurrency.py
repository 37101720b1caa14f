"""
No double booking under concurrent requests: 50 threads, each with its own database connection, try
to book overlapping slots of one room at the same moment. Exactly one wins; every loser gets a
ConflictError naming the winner. Runs on SQLite (serialised IMMEDIATE transactions) and on
PostgreSQL (exclusion constraint) alike.
"""

import threading
import time as clock

import pytest
from django.db import connection

from common.exceptions import ConflictError
from meetings.models import Booking
from meetings.services import bookings as services
from tests.meetings.bookings.conftest import local

WORKERS = 50


def race(room, user, day, workers=WORKERS):
    barrier = threading.Barrier(workers)
    wins, conflicts, errors = [], [], []

    def attempt(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            # Every request overlaps every other: all contain 09:00–09:30.
            booking = services.booking_create(
                room=room,
                title=f"Request {n}",
                starts_at=local(day, 8, n % 60),
                ends_at=local(day, 9, 30 + n % 30),
                booked_by=user,
            )
            wins.append(booking.pk)
        except ConflictError as exc:
            conflicts.append(exc)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(workers)]
    started = clock.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return wins, conflicts, errors, clock.perf_counter() - started


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_conflicting_bookings_exactly_one_wins(room, staff, monday):
    wins, conflicts, errors, _elapsed = race(room, staff, monday)
    assert errors == []
    assert len(wins) == 1
    assert len(conflicts) == WORKERS - 1
    winner = Booking.objects.get()
    assert winner.pk == wins[0]
    assert all(exc.extra["conflicting_booking"]["id"] == winner.pk for exc in conflicts)
    assert all(winner.title in exc.message for exc in conflicts)


@pytest.mark.django_db(transaction=True)
def test_a_booking_made_outside_a_transaction_needs_no_savepoint(room, staff, monday):
    """
    Issue 18 (booking create p95 on 20,000 bookings): a booking made in its own transaction (a form,
    the API) is checked and inserted without a savepoint around the insert, and in the same number
    of statements however many bookings the room has; a loser of a race still learns the winner
    (the test above).
    """
    from django.test.utils import CaptureQueriesContext

    def create(hour: int) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            services.booking_create(
                room=room,
                title=f"Họp {hour}",
                starts_at=local(monday, hour, 0),
                ends_at=local(monday, hour, 30),
                booked_by=staff,
            )
        return [q["sql"] for q in captured.captured_queries]

    first = create(8)
    assert not any(sql.upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT")) for sql in first)
    for hour in range(9, 16):
        create(hour)
    assert len(create(16)) == len(first)
