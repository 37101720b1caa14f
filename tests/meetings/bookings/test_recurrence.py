"""Recurring bookings: RRULE expansion in local time, holiday and conflict skips, re-adding, limits."""

from datetime import UTC, date, time, timedelta

import pytest
from django.utils import timezone

from common.exceptions import ApplicationError, ConflictError
from meetings.models import Booking, SkippedDate
from meetings.services import bookings as services
from tests.meetings.bookings.conftest import local

pytestmark = pytest.mark.django_db


def weekly(room, user, first: date, rule="FREQ=WEEKLY;BYDAY=MO;COUNT=52", **extra):
    return services.booking_series_create(
        room=room,
        title="Giao ban sáng thứ Hai",
        rrule=rule,
        first_date=first,
        start_time=time(7, 30),
        end_time=time(9, 0),
        booked_by=user,
        **extra,
    )


def next_monday_holiday() -> tuple[date, str]:
    """The next Vietnamese public holiday that falls on a Monday, at least two weeks away."""
    today = timezone.localdate()
    found = services.public_holidays(range(today.year, today.year + 4))
    day = min(d for d in found if d.weekday() == 0 and d > today + timedelta(days=14))
    return day, found[day]


def test_every_monday_for_a_year_in_local_time(room, staff, monday):
    series = weekly(room, staff, monday, skip_holidays=False)
    bookings = list(series.bookings.order_by("starts_at"))
    assert len(bookings) == 52
    for booking in bookings:
        start = timezone.localtime(booking.starts_at)
        assert (start.weekday(), start.time(), timezone.localtime(booking.ends_at).time()) == (0, time(7, 30), time(9))
        # Asia/Ho_Chi_Minh is UTC+7 all year: 07:30 local is 00:30 UTC.
        assert booking.starts_at.astimezone(UTC).time() == time(0, 30)
        assert booking.series_id == series.pk and booking.status == Booking.Status.CONFIRMED
    assert bookings[-1].starts_at.date() == monday + timedelta(weeks=51)


def test_wall_clock_time_survives_a_dst_change(room, staff, settings):
    """Expanded in local time: in a zone with summer time 07:30 stays 07:30 and the UTC instant moves."""
    settings.TIME_ZONE = "Europe/Paris"
    first = date(timezone.localdate().year + 1, 3, 1)
    first += timedelta(days=(0 - first.weekday()) % 7)
    series = weekly(room, staff, first, rule="FREQ=WEEKLY;BYDAY=MO;COUNT=8", skip_holidays=False)
    starts = [b.starts_at for b in series.bookings.order_by("starts_at")]
    assert {timezone.localtime(s).time() for s in starts} == {time(7, 30)}
    assert {s.astimezone(UTC).time() for s in starts} == {time(6, 30), time(5, 30)}


def test_public_holidays_including_tet_are_skipped_and_listed(room, staff):
    holiday, name = next_monday_holiday()
    first = holiday - timedelta(weeks=3)
    series = weekly(room, staff, first, rule="FREQ=WEEKLY;BYDAY=MO;COUNT=6")
    skipped = series.skipped_dates.get()
    assert (skipped.date, skipped.reason, skipped.holiday_name) == (holiday, SkippedDate.Reason.HOLIDAY, name)
    assert name in skipped.explanation
    assert series.bookings.count() == 5
    assert not series.bookings.filter(starts_at__date=holiday).exists()


def test_lunar_new_year_comes_from_the_holidays_library():
    found = services.public_holidays([2027], language="vi")
    assert "Tết Nguyên Đán" in found[date(2027, 2, 6)]  # 1st day of the lunar year 2027


def test_conflicts_are_skipped_naming_the_booking_and_can_be_readded_later(room, staff, monday):
    clash = services.booking_create(
        room=room,
        title="Hội nghị tổng kết",
        starts_at=local(monday + timedelta(weeks=2), 8),
        ends_at=local(monday + timedelta(weeks=2), 11),
        booked_by=staff,
    )
    series = weekly(room, staff, monday, rule="FREQ=WEEKLY;BYDAY=MO;COUNT=4", skip_holidays=False)
    skipped = series.skipped_dates.get()
    assert skipped.reason == SkippedDate.Reason.CONFLICT and skipped.conflicting_booking == clash
    assert "Hội nghị tổng kết" in skipped.explanation
    # While the room is still taken, adding the date back is refused with the same booking named.
    with pytest.raises(ConflictError) as caught:
        services.skipped_date_readd(skipped=skipped, user=staff)
    assert caught.value.extra["conflicting_booking"]["id"] == clash.pk
    services.booking_cancel(booking=clash, user=staff)
    booking = services.skipped_date_readd(skipped=skipped, user=staff)
    skipped.refresh_from_db()
    assert skipped.readded_booking == booking and booking.series == series
    assert timezone.localtime(booking.starts_at).time() == time(7, 30)
    with pytest.raises(ApplicationError, match="already"):
        services.skipped_date_readd(skipped=skipped, user=staff)


def test_a_skipped_holiday_can_be_readded_on_purpose(room, staff):
    holiday, _name = next_monday_holiday()
    series = weekly(room, staff, holiday - timedelta(weeks=1), rule="FREQ=WEEKLY;BYDAY=MO;COUNT=2")
    booking = services.skipped_date_readd(skipped=series.skipped_dates.get(), user=staff)
    assert timezone.localdate(booking.starts_at) == holiday


def test_too_many_occurrences_is_refused_and_saves_nothing(room, staff, monday, settings):
    settings.BOOKING_SERIES_MAX_OCCURRENCES = 30
    with pytest.raises(ApplicationError) as caught:
        weekly(room, staff, monday, rule="FREQ=WEEKLY;BYDAY=MO;COUNT=31")
    assert caught.value.extra["max_occurrences"] == 30 and "30" in caught.value.message
    with pytest.raises(ApplicationError):
        weekly(room, staff, monday, rule="FREQ=DAILY")  # unbounded
    assert not Booking.objects.exists()
    assert room.booking_series.count() == 0


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=HOURLY;COUNT=5",
        "FREQ=WEEKLY;BYHOUR=9;COUNT=3",
        "nonsense",
        "FREQ=WEEKLY;BYDAY=XX;COUNT=3",
        "FREQ=WEEKLY;COUNT=0",
    ],
)
def test_bad_rules_are_refused(room, staff, monday, rule):
    with pytest.raises(ApplicationError):
        weekly(room, staff, monday, rule=rule)
    assert not Booking.objects.exists()


def test_end_before_start_and_past_series_are_refused(room, staff, monday):
    with pytest.raises(ApplicationError, match="end after"):
        services.booking_series_create(
            room=room,
            title="x",
            rrule="FREQ=WEEKLY;COUNT=2",
            first_date=monday,
            start_time=time(9),
            end_time=time(8),
            booked_by=staff,
        )
    with pytest.raises(ApplicationError, match="past"):
        weekly(room, staff, monday - timedelta(weeks=10), rule="FREQ=WEEKLY;BYDAY=MO;COUNT=20")


def test_out_of_policy_dates_wait_and_the_approver_confirms_the_series(policy, room, staff, approver, monday):
    """The 60-day horizon: later Mondays are tentative until the room's approver approves them all."""
    series = weekly(room, staff, monday, rule="FREQ=WEEKLY;BYDAY=MO;COUNT=20", skip_holidays=False)
    tentative = series.bookings.filter(status=Booking.Status.TENTATIVE).count()
    assert 0 < tentative < 20
    assert services.booking_series_approve(series=series, user=approver) == tentative
    assert not series.bookings.filter(status=Booking.Status.TENTATIVE).exists()


def test_cancelling_a_series_frees_its_upcoming_dates(room, staff, monday):
    series = weekly(room, staff, monday, rule="FREQ=WEEKLY;BYDAY=MO;COUNT=5", skip_holidays=False)
    assert services.booking_series_cancel(series=series, user=staff) == 5
    assert services.booking_create(
        room=room, title="x", starts_at=local(monday, 8), ends_at=local(monday, 9), booked_by=staff
    ).pk
