"""Booking services: overlaps, the room policy, approval, cancelling, rescheduling."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection

from accounts.roles import Role
from common.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from meetings.models import Booking
from meetings.services import bookings as services
from notifications.choices import NotificationKind
from notifications.models import Notification
from tests.factories.sites import RoomFactory
from tests.meetings.bookings.conftest import evening_series, local, next_weekday

pytestmark = pytest.mark.django_db


def book(room, user, start, end, title="Giao ban"):
    return services.booking_create(room=room, title=title, starts_at=start, ends_at=end, booked_by=user)


def test_free_slot_is_confirmed_at_once_and_history_records_who(room, staff, monday):
    booking = book(room, staff, local(monday, 7, 30), local(monday, 9))
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.history.get().history_user == staff


def test_overlap_is_refused_naming_the_existing_booking(room, staff, monday):
    first = book(room, staff, local(monday, 8), local(monday, 10), title="Họp UBND")
    with pytest.raises(ConflictError) as caught:
        book(room, staff, local(monday, 9), local(monday, 11))
    assert caught.value.extra["conflicting_booking"]["id"] == first.pk
    assert "Họp UBND" in caught.value.message
    assert "08:00" in caught.value.message  # local time, not UTC
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("start", "end"),
    [((7, 0), (8, 30)), ((9, 30), (12, 0)), ((8, 30), (9, 30)), ((8, 0), (10, 0)), ((6, 0), (12, 0))],
)
def test_every_kind_of_overlap_conflicts(room, staff, monday, start, end):
    book(room, staff, local(monday, 8), local(monday, 10))
    with pytest.raises(ConflictError):
        book(room, staff, local(monday, *start), local(monday, *end))


def test_touching_bookings_and_other_rooms_do_not_conflict(room, staff, monday):
    book(room, staff, local(monday, 8), local(monday, 10))
    assert book(room, staff, local(monday, 10), local(monday, 11)).pk
    assert book(room, staff, local(monday, 7), local(monday, 8)).pk
    assert book(RoomFactory(), staff, local(monday, 8), local(monday, 10)).pk


def test_cancelled_and_rejected_bookings_free_the_slot(room, staff, monday):
    first = book(room, staff, local(monday, 8), local(monday, 10))
    services.booking_cancel(booking=first, user=staff)
    second = book(room, staff, local(monday, 8), local(monday, 10))
    assert second.status == Booking.Status.CONFIRMED


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ((10, 0), (9, 0), "end after it starts"),
        ((10, 0), (10, 0), "end after it starts"),
    ],
)
def test_end_before_start_is_refused(room, staff, monday, start, end, message):
    with pytest.raises(ApplicationError, match=message):
        book(room, staff, local(monday, *start), local(monday, *end))
    assert not Booking.objects.exists()


def test_past_and_unbookable_rooms_are_refused(room, staff, monday):
    yesterday = monday - timedelta(days=30)
    with pytest.raises(ApplicationError, match="past"):
        book(room, staff, local(yesterday, 8), local(yesterday, 9))
    room.is_bookable = False
    room.save()
    with pytest.raises(ApplicationError, match="not open for booking"):
        book(room, staff, local(monday, 8), local(monday, 9))


def test_in_policy_is_confirmed(policy, room, staff, monday):
    assert book(room, staff, local(monday, 7, 30), local(monday, 9)).status == Booking.Status.CONFIRMED


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("too_long", "Longer than 240"),
        ("outside_hours", "opening hours"),
        ("weekend", "weekend"),
        ("far", "days ahead"),
    ],
)
def test_out_of_policy_is_tentative_with_the_reason(policy, room, staff, case, reason):
    monday = next_weekday(0)
    start, end = {
        "too_long": (local(monday, 8), local(monday, 12, 30)),
        "outside_hours": (local(monday, 17), local(monday, 19)),
        "weekend": (local(monday + timedelta(days=5), 8), local(monday + timedelta(days=5), 10)),
        "far": (local(next_weekday(0, after_days=90), 8), local(next_weekday(0, after_days=90), 10)),
    }[case]
    booking = book(room, staff, start, end)
    assert booking.status == Booking.Status.TENTATIVE
    reasons = services.policy_violations(policy=policy, starts_at=start, ends_at=end)
    assert len(reasons) == 1 and reason in reasons[0]


def test_tentative_booking_notifies_the_approver_in_app_and_by_mail_after_commit(
    policy, room, staff, approver, make_user, monday, django_capture_on_commit_callbacks
):
    bystander = make_user(Role.LEADER, email="other@example.test")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        booking = book(room, staff, local(monday, 17), local(monday, 19))
        assert mail.outbox == []  # nothing leaves before commit
    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [["approver@example.test"]]
    (notice,) = Notification.objects.filter(recipient=approver)
    assert notice.kind == NotificationKind.BOOKING_TO_APPROVE and notice.url == booking.get_absolute_url()
    assert "Hội trường lớn" in notice.title
    assert not Notification.objects.filter(recipient__in=[staff, bystander]).exists()
    services.booking_approve(booking=booking, user=approver)
    notice.refresh_from_db()
    assert notice.is_read  # answered: off the approver's to-do list


def test_confirmed_booking_notifies_no_one(policy, room, staff, monday):
    book(room, staff, local(monday, 8), local(monday, 10))
    assert not Notification.objects.exists()


def test_a_tentative_series_sends_one_notification(policy, room, staff, approver, monday):
    series = evening_series(room, staff, monday, count=4)
    (notice,) = Notification.objects.filter(recipient=approver)
    assert notice.url == series.get_absolute_url() and "4" in notice.title
    assert notice.body.count("Giao ban chiều thứ Hai") == 4


def test_tentative_holds_the_room(policy, room, staff, monday):
    tentative = book(room, staff, local(monday, 17), local(monday, 19))
    with pytest.raises(ConflictError) as caught:
        book(room, staff, local(monday, 16), local(monday, 17, 30))
    assert caught.value.extra["conflicting_booking"]["id"] == tentative.pk


def test_approver_approves_only_for_their_rooms(policy, room, staff, approver, make_user, monday):
    tentative = book(room, staff, local(monday, 17), local(monday, 19))
    with pytest.raises(PermissionDeniedError):
        services.booking_approve(booking=tentative, user=staff)
    other_room_policy = RoomFactory()
    other = book(other_room_policy, staff, local(monday, 17), local(monday, 19))
    assert other.status == Booking.Status.CONFIRMED  # no policy: confirmed at once
    approved = services.booking_approve(booking=tentative, user=approver, note="Đồng ý")
    assert approved.status == Booking.Status.CONFIRMED
    record = approved.history.first()
    assert record.history_user == approver and record.history_change_reason == "Đồng ý"
    with pytest.raises(ApplicationError, match="Only tentative"):
        services.booking_approve(booking=approved, user=approver)


def test_reject_frees_the_slot(policy, room, staff, approver, monday):
    tentative = book(room, staff, local(monday, 17), local(monday, 19))
    assert services.booking_reject(booking=tentative, user=approver).status == Booking.Status.REJECTED
    assert book(room, staff, local(monday, 17), local(monday, 18)).status == Booking.Status.TENTATIVE


def test_cancel_rules(room, staff, make_user, monday):
    from accounts.roles import Role

    booking = book(room, staff, local(monday, 8), local(monday, 9))
    with pytest.raises(PermissionDeniedError):
        services.booking_cancel(booking=booking, user=make_user(Role.LEADER))
    services.booking_cancel(booking=booking, user=staff)
    with pytest.raises(ApplicationError, match="already"):
        services.booking_cancel(booking=booking, user=staff)


def test_moving_a_booking_checks_the_slot_and_the_policy_again(policy, room, staff, monday):
    first = book(room, staff, local(monday, 8), local(monday, 9))
    second = book(room, staff, local(monday, 10), local(monday, 11))
    with pytest.raises(ConflictError):
        services.booking_update(booking=second, user=staff, starts_at=local(monday, 8, 30))
    second.refresh_from_db()
    assert second.starts_at == local(monday, 10)
    moved = services.booking_update(booking=first, user=staff, starts_at=local(monday, 16), ends_at=local(monday, 18))
    assert moved.status == Booking.Status.TENTATIVE  # now outside opening hours
    renamed = services.booking_update(booking=second, user=staff, title="Đổi tên")
    assert renamed.title == "Đổi tên" and renamed.status == Booking.Status.CONFIRMED


def test_the_database_itself_refuses_overlaps(room, staff, monday):
    """PostgreSQL: the exclusion constraint refuses an overlap that bypasses the service and the service
    maps it to a ConflictError naming the winner. SQLite has no such constraint (serialised check)."""
    from django.db import IntegrityError, transaction

    first = book(room, staff, local(monday, 8), local(monday, 10))
    sneaky = Booking(room=room, title="x", starts_at=local(monday, 9), ends_at=local(monday, 11), booked_by=staff)
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError, match=services.NO_OVERLAP_CONSTRAINT), transaction.atomic():
            sneaky.save()
        with pytest.raises(ConflictError) as caught:
            services._save_guarded(sneaky)
        assert caught.value.extra["conflicting_booking"]["id"] == first.pk
        # Inactive bookings are outside the constraint.
        Booking.objects.create(
            room=room,
            title="y",
            starts_at=local(monday, 9),
            ends_at=local(monday, 11),
            booked_by=staff,
            status=Booking.Status.CANCELLED,
        )
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'meetings_booking'")
            assert services.NO_OVERLAP_CONSTRAINT not in cursor.fetchone()[0]
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert Booking.objects.filter(status__in=Booking.ACTIVE_STATUSES).count() == 1


def test_approving_the_whole_series_answers_its_notice(policy, room, staff, approver, monday):
    series = evening_series(room, staff, monday)
    (notice,) = Notification.objects.filter(recipient=approver)
    services.booking_series_approve(series=series, user=approver)
    notice.refresh_from_db()
    assert notice.is_read


def test_a_series_notice_stays_until_its_last_date_is_decided(policy, room, staff, approver, monday):
    series = evening_series(room, staff, monday)
    (notice,) = Notification.objects.filter(recipient=approver)
    first, second, third = series.bookings.order_by("starts_at")
    services.booking_approve(booking=first, user=approver)
    services.booking_reject(booking=second, user=approver)
    notice.refresh_from_db()
    assert not notice.is_read  # one date still waits
    services.booking_cancel(booking=third, user=staff)  # withdrawn by the one who booked: nothing left
    notice.refresh_from_db()
    assert notice.is_read


def test_one_date_of_a_series_points_to_the_series(policy, room, staff, approver, monday):
    series = evening_series(room, staff, monday, count=1)
    (notice,) = Notification.objects.filter(recipient=approver)
    assert notice.url == series.get_absolute_url() and "1 booking" in notice.title


def test_cancelling_a_tentative_booking_answers_its_notice(policy, room, staff, approver, monday):
    booking = book(room, staff, local(monday, 17), local(monday, 19))
    (notice,) = Notification.objects.filter(recipient=approver)
    services.booking_cancel(booking=booking, user=staff)
    notice.refresh_from_db()
    assert notice.is_read


def test_the_approver_booking_out_of_policy_is_not_told(policy, room, approver, monday):
    booking = book(room, approver, local(monday, 17), local(monday, 19))
    assert booking.status == Booking.Status.TENTATIVE
    assert not Notification.objects.exists()
