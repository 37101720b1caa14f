"""
Bookings API: the permission triad on every endpoint (anonymous 401, wrong role 403, another
commune's object 404), bad input (400 / 409 with the conflicting booking), and the actions.
"""

from datetime import time, timedelta

import pytest

from accounts.roles import Role
from meetings.models import Booking, BookingSeries, RoomBookingPolicy, SkippedDate
from meetings.services import bookings as services
from sites.models import AdministrativeUnit, Room
from tests.meetings.bookings.conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(demo, make_user):
    return make_user(Role.COMMUNE_OFFICER, unit=AdministrativeUnit.objects.get(code="tam-hai"))


@pytest.fixture
def commune_rooms(demo):
    return {
        code: Room.objects.get(site__unit__code=code, bridge_point__isnull=False) for code in ("tam-hai", "tam-giang")
    }


@pytest.fixture
def objects(commune_rooms, staff, approver, monday):
    """Per commune: a booking, a recurring booking with one skipped date, a policy."""
    made = {}
    for code, room in commune_rooms.items():
        clash = services.booking_create(
            room=room, title=f"Họp {code}", starts_at=local(monday, 8), ends_at=local(monday, 10), booked_by=staff
        )
        series = services.booking_series_create(
            room=room,
            title=f"Giao ban {code}",
            rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=3",
            first_date=monday,
            start_time=time(7, 30),
            end_time=time(9),
            booked_by=staff,
            skip_holidays=False,
        )
        policy = RoomBookingPolicy.objects.create(room=room, max_duration_minutes=120)
        policy.approvers.add(approver)
        made[code] = {
            "bookings": clash,
            "booking-series": series,
            "skipped-dates": series.skipped_dates.get(),
            "booking-policies": policy,
        }
    return made


ENDPOINTS = ["bookings", "booking-series", "skipped-dates", "booking-policies"]


@pytest.mark.parametrize("basename", ENDPOINTS)
def test_api_triad(api, make_user, officer, objects, basename):
    own, other = objects["tam-hai"][basename], objects["tam-giang"][basename]
    url = f"/api/{basename}/"
    assert api().get(url).status_code == 401
    assert api().get(f"{url}{own.pk}/").status_code == 401
    assert api(make_user(Role.FINANCE)).get(url).status_code == 403
    assert api(make_user(None)).get(f"{url}{own.pk}/").status_code == 403
    client = api(officer)
    listed = client.get(url, {"page_size": 500})
    assert listed.status_code == 200
    ids = {row["id"] for row in listed.json()["results"]}
    assert own.pk in ids and other.pk not in ids
    assert client.get(f"{url}{own.pk}/").status_code == 200
    assert client.get(f"{url}{other.pk}/").status_code == 404
    assert client.get(f"{url}{own.pk}/history/").status_code == 200


def test_commune_officer_cannot_book_or_act(api, officer, objects, commune_rooms, monday):
    own = objects["tam-hai"]["bookings"]
    client = api(officer)
    body = {
        "room": commune_rooms["tam-hai"].pk,
        "title": "x",
        "starts_at": local(monday, 14).isoformat(),
        "ends_at": local(monday, 15).isoformat(),
    }
    assert client.post("/api/bookings/", body, format="json").status_code == 403
    assert client.post(f"/api/bookings/{own.pk}/cancel/").status_code == 403
    assert client.post(f"/api/bookings/{own.pk}/approve/").status_code == 403  # not the room's approver
    assert client.post(f"/api/skipped-dates/{objects['tam-hai']['skipped-dates'].pk}/readd/").status_code == 403
    assert client.post(f"/api/booking-series/{objects['tam-hai']['booking-series'].pk}/cancel/").status_code == 403
    other = objects["tam-giang"]
    assert client.post(f"/api/bookings/{other['bookings'].pk}/cancel/").status_code == 404
    assert client.post(f"/api/skipped-dates/{other['skipped-dates'].pk}/readd/").status_code == 404
    assert Booking.objects.filter(status=Booking.Status.CANCELLED).count() == 0


def test_create_confirmed_and_tentative(api, staff, objects, commune_rooms, monday):
    client = api(staff)
    room = commune_rooms["tam-hai"]
    ok = client.post(
        "/api/bookings/",
        {
            "room": room.pk,
            "title": "Tiếp dân",
            "starts_at": local(monday, 14).isoformat(),
            "ends_at": local(monday, 15).isoformat(),
        },
        format="json",
    )
    assert ok.status_code == 201, ok.json()
    assert ok.json()["status"] == "confirmed" and ok.json()["booked_by"] == str(staff)
    long = client.post(
        "/api/bookings/",
        {
            "room": room.pk,
            "title": "Tập huấn",
            "starts_at": local(monday, 13).isoformat().replace("13:00", "15:00"),
            "ends_at": local(monday, 18).isoformat(),
        },
        format="json",
    )
    assert long.status_code == 201 and long.json()["status"] == "tentative"


def test_overlap_is_409_with_the_conflicting_booking(api, staff, objects, commune_rooms, monday):
    existing = objects["tam-hai"]["bookings"]
    response = api(staff).post(
        "/api/bookings/",
        {
            "room": commune_rooms["tam-hai"].pk,
            "title": "x",
            "starts_at": local(monday, 9, 30).isoformat(),
            "ends_at": local(monday, 11).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["extra"]["conflicting_booking"]["id"] == existing.pk
    assert existing.title in body["message"]


def test_end_before_start_is_400_and_saves_nothing(api, staff, commune_rooms, monday):
    count = Booking.objects.count()
    response = api(staff).post(
        "/api/bookings/",
        {
            "room": commune_rooms["tam-hai"].pk,
            "title": "x",
            "starts_at": local(monday, 11).isoformat(),
            "ends_at": local(monday, 10).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"message", "extra"} and "end after" in response.json()["message"]
    missing = api(staff).post("/api/bookings/", {"room": commune_rooms["tam-hai"].pk}, format="json")
    assert missing.status_code == 400 and {"title", "starts_at", "ends_at"} <= set(missing.json()["extra"]["fields"])
    assert Booking.objects.count() == count


def test_series_api_too_many_occurrences_and_skips(api, staff, objects, commune_rooms, monday, settings):
    settings.BOOKING_SERIES_MAX_OCCURRENCES = 10
    client = api(staff)
    body = {
        "room": commune_rooms["tam-hai"].pk,
        "title": "Giao ban",
        "rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=11",
        "first_date": monday.isoformat(),
        "start_time": "07:30",
        "end_time": "09:00",
        "skip_holidays": False,
    }
    too_many = client.post("/api/booking-series/", body, format="json")
    assert too_many.status_code == 400 and too_many.json()["extra"]["max_occurrences"] == 10
    assert BookingSeries.objects.count() == 2
    body["rrule"] = "FREQ=DAILY;COUNT=3"
    created = client.post("/api/booking-series/", {**body, "start_time": "09:00", "end_time": "11:00"}, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    # Monday 09:00–11:00 clashes with the demo meeting 08:00–10:00; Tuesday and Wednesday are free.
    assert data["booking_count"] == 2
    assert [s["reason"] for s in data["skipped_dates"]] == ["conflict"]
    assert data["skipped_dates"][0]["conflicting_booking"] == objects["tam-hai"]["bookings"].pk


def test_actions_approve_reject_cancel_readd(api, staff, approver, objects, commune_rooms, monday):
    room = commune_rooms["tam-hai"]
    tentative = services.booking_create(
        room=room, title="Dài", starts_at=local(monday, 13), ends_at=local(monday, 17), booked_by=staff
    )
    assert tentative.status == Booking.Status.TENTATIVE
    assert api(staff).post(f"/api/bookings/{tentative.pk}/approve/").status_code == 403
    awaiting = api(approver).get("/api/bookings/awaiting-decision/").json()
    assert [row["id"] for row in awaiting["results"]] == [tentative.pk]
    approved = api(approver).post(f"/api/bookings/{tentative.pk}/approve/", {"note": "OK"}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "confirmed"
    again = api(approver).post(f"/api/bookings/{tentative.pk}/reject/")
    assert again.status_code == 400
    clash = objects["tam-hai"]["bookings"]
    skipped = objects["tam-hai"]["skipped-dates"]
    assert api(staff).post(f"/api/skipped-dates/{skipped.pk}/readd/").status_code == 409
    assert api(staff).post(f"/api/bookings/{clash.pk}/cancel/").json()["status"] == "cancelled"
    readded = api(staff).post(f"/api/skipped-dates/{skipped.pk}/readd/")
    assert readded.status_code == 201
    assert SkippedDate.objects.get(pk=skipped.pk).readded_booking_id == readded.json()["id"]
    assert api(staff).delete(f"/api/bookings/{clash.pk}/").status_code == 405


def test_filters_and_free_slots(api, staff, objects, commune_rooms, monday):
    client = api(staff)
    room = commune_rooms["tam-hai"]
    rows = client.get(
        "/api/bookings/", {"room": room.pk, "date_from": monday.isoformat(), "date_to": monday.isoformat()}
    ).json()["results"]
    assert {r["title"] for r in rows} == {"Họp tam-hai"}
    mine = client.get("/api/bookings/", {"mine": "true", "status": "confirmed", "page_size": 100}).json()
    assert mine["count"] == Booking.objects.filter(booked_by=staff, status="confirmed").count()
    slots = client.get(
        "/api/bookings/free-slots/",
        {"duration_minutes": 120, "date_from": monday.isoformat(), "date_to": monday.isoformat(), "room": room.pk},
    ).json()
    # Monday: 07:30–09:00 series (clash at 08:00–10:00 skipped it), meeting 08:00–10:00 → first gap 10:00.
    assert slots[0]["room"] == room.pk
    assert slots[0]["starts_at"].startswith(local(monday, 10).isoformat()[:16])
    too_short = client.get(
        "/api/bookings/free-slots/",
        {"duration_minutes": 5, "date_from": monday.isoformat(), "date_to": monday.isoformat()},
    )
    assert too_short.status_code == 400 and "duration_minutes" in too_short.json()["extra"]["fields"]
    backwards = client.get(
        "/api/bookings/free-slots/",
        {"duration_minutes": 60, "date_from": monday.isoformat(), "date_to": (monday - timedelta(days=1)).isoformat()},
    )
    assert backwards.status_code == 400 and "date_to" in backwards.json()["extra"]["fields"]


def test_policy_api_validates_hours(api, make_user, commune_rooms):
    admin = make_user(Role.ADMINISTRATOR)
    response = api(admin).post(
        "/api/booking-policies/",
        {"room": commune_rooms["tam-hai"].pk, "opens_at": "17:00", "closes_at": "07:00"},
        format="json",
    )
    assert response.status_code == 400 and "closes_at" in response.json()["extra"]["fields"]
    assert (
        api(make_user(Role.TECHNICIAN))
        .post("/api/booking-policies/", {"room": commune_rooms["tam-hai"].pk}, format="json")
        .status_code
        == 403
    )
