"""
Demo bookings (idempotent `load()`): room policies for the hall and the district host room, the
weekly Monday 07:30 briefing for the coming months, a few one-off bookings of the hall, one
tentative booking waiting for the leader's approval. Dates are relative to today.
"""

from contextlib import suppress
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import User
from common.exceptions import ApplicationError
from meetings.models import Booking, BookingSeries, RoomBookingPolicy
from meetings.services.bookings import booking_create, booking_series_create
from sites.models import Room

HOST_ROOM = "ubnd-huyen-nui-thanh-hop"
HALL = "hoi-truong-huyen-uy-hop"
BRIEFING = "Giao ban trực tuyến sáng thứ Hai"


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)), timezone.get_default_timezone())


def _one_off(room: Room, user: User, title: str, day: date, start: tuple[int, int], end: tuple[int, int]) -> None:
    if Booking.objects.filter(room=room, title=title).exists():
        return
    # A taken slot (the demo loaded again on another day) is skipped: demo data is best effort.
    with suppress(ApplicationError):
        booking_create(room=room, title=title, starts_at=_at(day, *start), ends_at=_at(day, *end), booked_by=user)


def load() -> None:
    from accounts import demo as accounts_demo

    accounts_demo.load()  # bookings need their bookers; idempotent
    office = User.objects.get(username="vanphong")
    leader = User.objects.get(username="lanhdao")
    host_room, hall = Room.objects.get(code=HOST_ROOM), Room.objects.get(code=HALL)

    hall_policy, _ = RoomBookingPolicy.objects.get_or_create(
        room=hall,
        defaults={"max_duration_minutes": 240, "max_days_ahead": 60, "opens_at": time(7), "closes_at": time(17, 30)},
    )
    if not hall_policy.approvers.filter(pk=leader.pk).exists():  # add() would record history every run
        hall_policy.approvers.add(leader)
    host_policy, _ = RoomBookingPolicy.objects.get_or_create(
        room=host_room,
        defaults={"max_duration_minutes": 240, "max_days_ahead": 190, "opens_at": time(7), "closes_at": time(17, 30)},
    )
    if not host_policy.approvers.filter(pk=office.pk).exists():
        host_policy.approvers.add(office)

    today = timezone.localdate()
    monday = today + timedelta(days=(7 - today.weekday()) % 7 or 7)
    # One-offs first, so that the series records the clash with the first one as a skipped date.
    _one_off(
        host_room, office, "Làm việc với Sở Thông tin và Truyền thông", monday + timedelta(weeks=3), (7, 0), (8, 30)
    )
    _one_off(
        hall, office, "Hội nghị triển khai nhiệm vụ kinh tế – xã hội", monday + timedelta(days=2), (8, 0), (11, 30)
    )
    _one_off(hall, office, "Tập huấn chuyển đổi số cho cán bộ xã", monday + timedelta(days=9), (13, 30), (16, 30))
    _one_off(hall, office, "Họp Ban Thường vụ mở rộng", monday + timedelta(days=15), (7, 30), (10, 0))
    # Too long for the hall (over 4 hours): tentative until the leader approves.
    _one_off(hall, office, "Hội nghị tổng kết công tác năm", monday + timedelta(days=18), (7, 30), (16, 30))

    if not BookingSeries.objects.filter(room=host_room, title=BRIEFING).exists():
        booking_series_create(
            room=host_room,
            title=BRIEFING,
            rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=26",
            first_date=monday,
            start_time=time(7, 30),
            end_time=time(9, 0),
            booked_by=office,
            notes="Giao ban UBND huyện với 17 xã, thị trấn.",
        )
