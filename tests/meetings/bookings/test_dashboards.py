"""Bookings on the home dashboards: today's bookings, and the bookings waiting for an approver."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from meetings.models import Booking, RoomBookingPolicy
from meetings.services import bookings as services
from tests.factories.sites import RoomFactory, SiteFactory
from tests.meetings.bookings.conftest import evening_series, local
from tests.pages import panel_html

pytestmark = pytest.mark.django_db


def home(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def book(room, user, start, end, title):
    return services.booking_create(
        room=room, title=title, starts_at=start, ends_at=end, booked_by=user, allow_past=True
    )


#
# Today's bookings
#


def test_today_shows_what_overlaps_today_with_its_status(client, staff):
    today = timezone.localdate()
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    hall, room = RoomFactory(name="Hội trường Huyện ủy"), RoomFactory(name="Phòng họp số 2")
    book(hall, staff, local(yesterday, 20), local(today, 0, 30), "Trực bão qua đêm")
    book(room, staff, local(today, 0, 30), local(today, 1), "Tiếp công dân")
    book(room, staff, local(today, 2), local(today, 3), "Họp đã hủy")
    book(room, staff, local(tomorrow, 8), local(tomorrow, 9), "Họp ngày mai")
    tentative = book(hall, staff, local(today, 1), local(today, 2), "Hội ý chờ duyệt")
    Booking.objects.filter(title="Họp đã hủy").update(status=Booking.Status.CANCELLED)
    Booking.objects.filter(pk=tentative.pk).update(status=Booking.Status.TENTATIVE)

    panel = panel_html(home(client, staff), "meetings.today")
    assert "Trực bão qua đêm" in panel and "Tiếp công dân" in panel and "Hội ý chờ duyệt" in panel
    assert "Họp đã hủy" not in panel and "Họp ngày mai" not in panel
    assert panel.index("Trực bão qua đêm") < panel.index("Tiếp công dân") < panel.index("Hội ý chờ duyệt")
    assert "Phòng họp số 2" in panel and "Tentative" in panel and "Confirmed" in panel
    assert "No briefing today." in panel


def test_a_commune_host_sees_its_communes_rooms_only(client, staff, make_user):
    today = timezone.localdate()
    commune_room = RoomFactory(name="Phòng họp UBND xã")
    book(commune_room, staff, local(today, 0, 30), local(today, 1), "Họp dân thôn 3")
    book(RoomFactory(name="Hội trường huyện"), staff, local(today, 1), local(today, 2), "Họp huyện")
    host = make_user(Role.HOST, unit=commune_room.site.unit)
    panel = panel_html(home(client, host), "meetings.today")
    assert "Họp dân thôn 3" in panel and "Họp huyện" not in panel


def test_leaders_and_technicians_have_no_today_panel(client, make_user):
    for role in (Role.LEADER, Role.TECHNICIAN, Role.FINANCE):
        assert 'data-panel="meetings.today"' not in home(client, make_user(role))


#
# Bookings to approve
#


def test_waiting_bookings_one_row_per_series_none_that_ended(client, policy, room, staff, approver, monday):
    evening_series(room, staff, monday, count=4)
    single = book(room, staff, local(monday + timedelta(days=1), 7), local(monday + timedelta(days=1), 16), "Cả ngày")
    ended = book(room, staff, local(monday - timedelta(days=30), 7), local(monday - timedelta(days=30), 8), "Cũ")
    Booking.objects.filter(pk=ended.pk).update(
        status=Booking.Status.TENTATIVE,
        starts_at=timezone.now() - timedelta(hours=3),
        ends_at=timezone.now() - timedelta(hours=2),
    )
    panel = panel_html(home(client, approver), "meetings.bookings_to_approve")
    assert panel.count("Giao ban chiều thứ Hai") == 1 and "4 dates" in panel
    assert "Cả ngày" in panel and ">Cũ<" not in panel
    assert reverse("meetings:booking_action", args=[single.pk, "approve"]) in panel
    assert reverse("meetings:booking_action", args=[single.pk, "reject"]) in panel
    series_id = Booking.objects.filter(title="Giao ban chiều thứ Hai").values_list("series_id", flat=True)[0]
    assert reverse("meetings:bookingseries_action", args=[series_id, "approve"]) in panel
    assert 'data-panel="meetings.bookings_to_approve"' not in home(client, staff)  # not an approver


def test_a_commune_officer_named_approver_sees_the_panel(client, staff, make_user, monday):
    room = RoomFactory(name="Hội trường xã", site=SiteFactory())
    officer = make_user(Role.COMMUNE_OFFICER, unit=room.site.unit)
    policy = RoomBookingPolicy.objects.create(room=room, max_duration_minutes=60)
    policy.approvers.add(officer)
    book(room, staff, local(monday, 8), local(monday, 11), "Hội nghị nhân dân")
    assert "Hội nghị nhân dân" in panel_html(home(client, officer), "meetings.bookings_to_approve")


def test_approving_from_the_dashboard_comes_back_to_it(client, policy, room, staff, approver, monday):
    first = book(room, staff, local(monday, 8), local(monday, 13), "Hội nghị A")
    second = book(room, staff, local(monday, 14), local(monday, 19), "Hội nghị B")
    client.force_login(approver)
    response = client.post(reverse("meetings:booking_action", args=[first.pk, "approve"]), {"next": "/"})
    assert response.status_code == 302 and response.url == "/"
    first.refresh_from_db()
    assert first.status == Booking.Status.CONFIRMED
    response = client.post(
        reverse("meetings:booking_action", args=[second.pk, "reject"]), {"next": "https://example.org/"}
    )
    assert response.url == second.get_absolute_url()  # never off the portal
    second.refresh_from_db()
    assert second.status == Booking.Status.REJECTED
    assert 'data-panel="meetings.bookings_to_approve"' not in home(client, approver)


def test_approving_a_series_from_the_dashboard(client, policy, room, staff, approver, monday):
    series = evening_series(room, staff, monday, count=3)
    client.force_login(approver)
    response = client.post(reverse("meetings:bookingseries_action", args=[series.pk, "approve"]), {"next": "/"})
    assert response.url == "/"
    assert set(series.bookings.values_list("status", flat=True)) == {Booking.Status.CONFIRMED}


def test_approver_panel_costs_the_same_with_more_waiting(
    client, policy, room, staff, approver, monday, django_assert_max_num_queries
):
    book(room, staff, local(monday, 8), local(monday, 13), "Hội nghị A")
    evening_series(room, staff, monday, count=2, title="Họp định kỳ MO")
    client.force_login(approver)
    client.get(reverse("home"))
    with django_assert_max_num_queries(40) as before:
        client.get(reverse("home"))
    for week in range(1, 15):
        day = monday + timedelta(weeks=week)
        book(room, staff, local(day, 8), local(day, 13), f"Hội nghị {week}")
    for name in ("TU", "WE", "TH"):
        evening_series(room, staff, monday, count=5, title=f"Họp định kỳ {name}", day=name)
    with django_assert_max_num_queries(len(before)):
        html = client.get(reverse("home")).content.decode()
    assert "See all bookings to decide" in panel_html(html, "meetings.bookings_to_approve")
