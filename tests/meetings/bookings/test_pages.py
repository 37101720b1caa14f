"""
Booking pages: the triad (anonymous → login, wrong role → 403, another commune's object → 404),
forms with inline errors, actions, the calendar in a constant number of queries, ICS downloads and
token feeds.
"""

from datetime import time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from meetings.models import Booking, CalendarFeedToken, RoomBookingPolicy
from meetings.services import bookings as services
from sites.models import AdministrativeUnit, Room
from tests.factories.sites import RoomFactory
from tests.meetings.bookings.conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(demo, make_user):
    return make_user(Role.COMMUNE_OFFICER, unit=AdministrativeUnit.objects.get(code="tam-hai"))


@pytest.fixture
def rooms(demo):
    return {
        code: Room.objects.get(site__unit__code=code, bridge_point__isnull=False) for code in ("tam-hai", "tam-giang")
    }


@pytest.fixture
def made(rooms, staff, approver, monday):
    out = {}
    for code, room in rooms.items():
        booking = services.booking_create(
            room=room, title=f"Họp {code}", starts_at=local(monday, 8), ends_at=local(monday, 10), booked_by=staff
        )
        series = services.booking_series_create(
            room=room,
            title=f"Giao ban {code}",
            rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=2",
            first_date=monday,
            start_time=time(7, 30),
            end_time=time(9),
            booked_by=staff,
            skip_holidays=False,
        )
        policy = RoomBookingPolicy.objects.create(room=room, max_duration_minutes=120)
        policy.approvers.add(approver)
        out[code] = {"booking": booking, "bookingseries": series, "roombookingpolicy": policy}
    return out


@pytest.mark.parametrize("name", ["booking", "bookingseries", "roombookingpolicy"])
def test_page_triad(client, make_user, officer, made, name):
    own, other = made["tam-hai"][name], made["tam-giang"][name]
    list_url = reverse(f"meetings:{name}_list")
    detail = reverse(f"meetings:{name}_detail", args=[own.pk])
    response = client.get(detail)
    assert response.status_code == 302 and reverse("login") in response.url
    client.force_login(make_user(Role.FINANCE))
    assert client.get(list_url).status_code == 403
    assert client.get(detail).status_code == 403
    client.force_login(officer)
    listed = client.get(list_url)
    assert listed.status_code == 200
    assert own.title.encode() in listed.content if hasattr(own, "title") else True
    assert client.get(detail).status_code == 200
    assert client.get(reverse(f"meetings:{name}_detail", args=[other.pk])).status_code == 404


@pytest.mark.parametrize(
    "url_name", ["booking_calendar", "booking_free_slots", "booking_feeds", "booking_add", "bookingseries_add"]
)
def test_other_pages_triad(client, make_user, officer, made, url_name):
    url = reverse(f"meetings:{url_name}")
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response.url
    client.force_login(make_user(Role.FINANCE))
    assert client.get(url).status_code == 403
    client.force_login(officer)
    # Commune officers see the calendar and feeds but do not book.
    expected = 403 if url_name.endswith("_add") else 200
    assert client.get(url).status_code == expected


def test_officer_sees_only_own_commune_on_the_calendar(client, officer, made, monday):
    client.force_login(officer)
    page = client.get(reverse("meetings:booking_calendar"), {"date": monday.isoformat()}).content.decode()
    assert "Họp tam-hai" in page and "Họp tam-giang" not in page


def test_other_commune_actions_are_404(client, officer, made):
    client.force_login(officer)
    other = made["tam-giang"]["booking"]
    assert client.post(reverse("meetings:booking_action", args=[other.pk, "cancel"])).status_code == 404
    assert client.get(reverse("meetings:booking_ics", args=[other.pk])).status_code == 404
    skipped_url = reverse("meetings:bookingseries_action", args=[made["tam-giang"]["bookingseries"].pk, "cancel"])
    assert client.post(skipped_url).status_code == 404
    assert Booking.objects.get(pk=other.pk).status == Booking.Status.CONFIRMED


def test_calendar_queries_do_not_grow_with_rooms_and_bookings(client, staff, made, monday, monkeypatch):
    from meetings.selectors import bookings as selectors

    monkeypatch.setattr(selectors, "CALENDAR_ROOMS_PER_PAGE", 100)  # every room on one page
    client.force_login(staff)
    url = reverse("meetings:booking_calendar")
    with CaptureQueriesContext(connection) as before:
        client.get(url, {"date": monday.isoformat()})
    for n in range(15):
        room = RoomFactory()
        for day in range(5):
            services.booking_create(
                room=room,
                title=f"B{n}-{day}",
                starts_at=local(monday + timedelta(days=day), 8),
                ends_at=local(monday + timedelta(days=day), 9),
                booked_by=staff,
            )
    with CaptureQueriesContext(connection) as after:
        week = client.get(url, {"date": monday.isoformat()})
    with CaptureQueriesContext(connection) as day_view:
        day = client.get(url, {"date": monday.isoformat(), "view": "day"})
    assert week.status_code == day.status_code == 200
    assert "B14-4" in week.content.decode() and "B14-0" in day.content.decode()
    assert len(after.captured_queries) == len(before.captured_queries) == len(day_view.captured_queries)


def test_booking_form_shows_conflict_inline_and_books(client, staff, rooms, made, monday):
    client.force_login(staff)
    url = reverse("meetings:booking_add")
    form = {
        "room": rooms["tam-hai"].pk,
        "title": "Trùng",
        "starts_at": f"{monday:%Y-%m-%d}T09:00",
        "ends_at": f"{monday:%Y-%m-%d}T09:30",
        "notes": "",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Họp tam-hai" in page and reverse("meetings:booking_detail", args=[made["tam-hai"]["booking"].pk]) in page
    backwards = client.post(
        url, {**form, "starts_at": f"{monday:%Y-%m-%d}T12:00", "ends_at": f"{monday:%Y-%m-%d}T11:00"}
    )
    assert backwards.status_code == 200 and "invalid-feedback" in backwards.content.decode()
    ok = client.post(url, {**form, "starts_at": f"{monday:%Y-%m-%d}T13:00", "ends_at": f"{monday:%Y-%m-%d}T14:00"})
    assert ok.status_code == 302
    booking = Booking.objects.get(title="Trùng")
    assert timezone.localtime(booking.starts_at).time() == time(13) and booking.booked_by == staff


def test_series_form_books_and_lists_skips(client, staff, rooms, made, monday):
    client.force_login(staff)
    response = client.post(
        reverse("meetings:bookingseries_add"),
        {
            "room": rooms["tam-hai"].pk,
            "title": "Giao ban tuần",
            "first_date": monday.isoformat(),
            "start_time": "09:00",
            "end_time": "10:00",
            "frequency": "WEEKLY",
            "interval": 1,
            "weekdays": ["MO", "WE"],
            "count": 4,
            "skip_holidays": "on",
            "notes": "",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    page = client.get(response.url).content.decode()
    assert "Họp tam-hai" in page  # the Monday clash is listed as the skip reason
    series = made["tam-hai"]["bookingseries"].__class__.objects.get(title="Giao ban tuần")
    assert series.rrule == "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE;COUNT=4"
    assert series.bookings.count() + series.skipped_dates.count() == 4
    missing_end = client.post(
        reverse("meetings:bookingseries_add"),
        {
            "room": rooms["tam-hai"].pk,
            "title": "x",
            "first_date": monday.isoformat(),
            "start_time": "09:00",
            "end_time": "10:00",
            "frequency": "WEEKLY",
            "interval": 1,
        },
    )
    assert missing_end.status_code == 200 and "until" in missing_end.context["form"].errors


def test_approve_from_the_page(client, staff, approver, rooms, made, monday):
    long = services.booking_create(
        room=rooms["tam-hai"], title="Dài", starts_at=local(monday, 13), ends_at=local(monday, 17), booked_by=staff
    )
    client.force_login(staff)
    detail = client.get(long.get_absolute_url()).content.decode()
    assert "120" in detail and "approve/" not in detail  # the rule it breaks, no buttons for the booker
    client.post(reverse("meetings:booking_action", args=[long.pk, "approve"]))
    assert Booking.objects.get(pk=long.pk).status == Booking.Status.TENTATIVE
    client.force_login(approver)
    assert "approve/" in client.get(long.get_absolute_url()).content.decode()
    client.post(reverse("meetings:booking_action", args=[long.pk, "approve"]), {"note": "Đồng ý"})
    assert Booking.objects.get(pk=long.pk).status == Booking.Status.CONFIRMED


def test_free_slot_page_proposes_slots(client, staff, rooms, made, monday):
    client.force_login(staff)
    page = client.get(
        reverse("meetings:booking_free_slots"),
        {
            "duration_minutes": 60,
            "date_from": monday.isoformat(),
            "date_to": monday.isoformat(),
            "site": rooms["tam-hai"].site.pk,
        },
    )
    assert page.status_code == 200
    results = page.context["results"]
    # 07:00–08:00 is free (the series skipped that Monday), then the meeting holds 08:00–10:00.
    assert [(s.starts_at, s.ends_at) for s in results[0][1][:2]] == [
        (local(monday, 7), local(monday, 8)),
        (local(monday, 10), local(monday, 11)),
    ]


def test_ics_download_and_token_feeds(client, make_user, staff, officer, rooms, made):
    client.force_login(staff)
    booking = made["tam-hai"]["booking"]
    ics = client.get(reverse("meetings:booking_ics", args=[booking.pk]))
    body = ics.content.decode()
    assert ics["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in body and f"UID:booking-{booking.pk}@" in body and "SUMMARY:Họp tam-hai" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert body.endswith("END:VCALENDAR\r\n")

    client.force_login(officer)
    client.get(reverse("meetings:booking_feeds"))
    key = CalendarFeedToken.objects.get(user=officer).key
    client.logout()
    own_room, other_room = rooms["tam-hai"], rooms["tam-giang"]
    feed = client.get(reverse("meetings:booking_feed_room", args=[key, own_room.pk]))
    assert feed.status_code == 200 and "Họp tam-hai" in feed.content.decode()
    assert client.get(reverse("meetings:booking_feed_room", args=[key, other_room.pk])).status_code == 404
    assert client.get(reverse("meetings:booking_feed_room", args=["not-a-key", own_room.pk])).status_code == 404
    # Mine: the staff member's own bookings; the officer booked none.
    staff_key = services.calendar_token_get_or_create(user=staff).key
    mine = client.get(reverse("meetings:booking_feed_mine", args=[staff_key])).content.decode()
    assert mine.count("BEGIN:VEVENT") == Booking.objects.filter(booked_by=staff).count()
    assert "VEVENT" not in client.get(reverse("meetings:booking_feed_mine", args=[key])).content.decode()
    # A reset key retires the old links.
    client.force_login(officer)
    client.post(reverse("meetings:booking_feeds"))
    client.logout()
    assert client.get(reverse("meetings:booking_feed_room", args=[key, own_room.pk])).status_code == 404


def test_feed_of_a_user_who_lost_the_role_is_404(client, make_user, rooms, made):
    user = make_user(Role.OFFICE_STAFF)
    key = services.calendar_token_get_or_create(user=user).key
    assert client.get(reverse("meetings:booking_feed_mine", args=[key])).status_code == 200
    user.is_active = False
    user.save()
    assert client.get(reverse("meetings:booking_feed_mine", args=[key])).status_code == 404


def test_office_staff_sets_a_room_policy_with_approvers(client, staff, approver, rooms):
    client.force_login(staff)
    url = reverse("meetings:roombookingpolicy_add")
    bad = client.post(url, {"room": rooms["tam-hai"].pk, "opens_at": "17:00", "closes_at": "07:00"})
    assert bad.status_code == 200 and not RoomBookingPolicy.objects.exists()
    ok = client.post(
        url,
        {
            "room": rooms["tam-hai"].pk,
            "max_duration_minutes": 180,
            "opens_at": "07:00",
            "closes_at": "17:00",
            "approvers": [approver.pk],
        },
    )
    assert ok.status_code == 302
    policy = RoomBookingPolicy.objects.get(room=rooms["tam-hai"])
    assert list(policy.approvers.all()) == [approver]
    assert "180" in client.get(policy.get_absolute_url()).content.decode()


def test_calendar_shows_a_page_of_rooms_with_links_to_the_others(client, staff, made, monday, monkeypatch):
    """
    Issue 18: a province's hundreds of rooms are shown a page at a time; the page links keep the view,
    the date and the site, and moving to another week keeps the page.
    """
    from meetings.selectors import bookings as selectors

    monkeypatch.setattr(selectors, "CALENDAR_ROOMS_PER_PAGE", 2)
    client.force_login(staff)
    url = reverse("meetings:booking_calendar")
    rooms = list(selectors.bookable_rooms(user=staff))
    assert len(rooms) > 4
    first = client.get(url, {"date": monday.isoformat(), "view": "day"})
    grid = first.context["grid"]
    assert [row.room for row in grid.rows] == rooms[:2] and grid.page.paginator.num_pages == -(-len(rooms) // 2)
    html = first.content.decode()
    assert f"?date={monday.isoformat()}&amp;view=day&amp;page=2" in html
    assert f"Phòng 1–2 / {len(rooms)}" in html or f"Rooms 1–2 of {len(rooms)}" in html
    second = client.get(url, {"date": monday.isoformat(), "view": "day", "page": 2})
    assert [row.room for row in second.context["grid"].rows] == rooms[2:4]
    # The previous and next weeks keep the page of rooms.
    assert "&page=2" in second.content.decode().split('aria-label="Previous"')[0].rsplit("<a", 1)[1]
    last = client.get(url, {"date": monday.isoformat(), "page": 999})  # past the end: the last page
    assert last.context["grid"].page.number == last.context["grid"].page.paginator.num_pages
