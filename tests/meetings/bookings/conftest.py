"""Fixtures for the booking tests: a hall with a policy and an approver, times in the future."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from meetings.models import RoomBookingPolicy
from meetings.services import bookings as services
from tests.factories.sites import RoomFactory


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """An aware instant at a wall-clock time of the district."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)), timezone.get_default_timezone())


def evening_series(
    room, staff, monday: date, *, count: int = 3, title: str = "Giao ban chiều thứ Hai", day: str = "MO"
):
    """A weekly 17:00–19:00 series from `monday` (past the room's closing time: it waits for approval)."""
    return services.booking_series_create(
        room=room,
        title=title,
        rrule=f"FREQ=WEEKLY;BYDAY={day};COUNT={count}",
        first_date=monday,
        start_time=time(17),
        end_time=time(19),
        booked_by=staff,
        skip_holidays=False,
    )


def next_weekday(weekday: int, *, after_days: int = 7) -> date:
    """The first date with that weekday (0 = Monday) at least `after_days` from today."""
    day = timezone.localdate() + timedelta(days=after_days)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


@pytest.fixture
def staff(make_user):
    return make_user(Role.OFFICE_STAFF, username="vanphong-test")


@pytest.fixture
def approver(make_user):
    return make_user(Role.LEADER, username="approver-test", email="approver@example.test")


@pytest.fixture
def room(db):
    return RoomFactory(name="Hội trường lớn", capacity=300)


@pytest.fixture
def policy(room, approver):
    """Weekdays 07:00–17:30, at most 4 hours, at most 60 days ahead; `approver` decides."""
    policy = RoomBookingPolicy.objects.create(
        room=room, max_duration_minutes=240, max_days_ahead=60, opens_at=time(7), closes_at=time(17, 30)
    )
    policy.approvers.add(approver)
    return policy


@pytest.fixture
def monday() -> date:
    return next_weekday(0)
