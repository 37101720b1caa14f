"""
Public holidays in the reader's language, and the API's holiday warning (issue 14).

The names come from the holidays library's own catalogues: "Mùng bốn Tết Nguyên Đán" on a Vietnamese
page, "Fourth Day of Lunar New Year" on an English one, on the calendar, a recurring booking's skipped
dates and the API. The REST API asks for the same confirmation as the booking page: a booking on a
public holiday without `confirm_holiday: true` is refused with 400 naming the holiday.
"""

from datetime import date, time, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from meetings.models import Booking
from meetings.selectors.bookings import holiday_name, public_holidays
from meetings.services import bookings as services
from tests.meetings.bookings.conftest import local, next_weekday

pytestmark = pytest.mark.django_db

FOURTH_DAY_VI, FOURTH_DAY_EN = "Mùng bốn Tết Nguyên Đán", "Fourth Day of Lunar New Year"


def next_fourth_day_of_tet(*, after_days: int = 2) -> date:
    """The next fourth day of Tết (Mùng bốn) at least `after_days` away."""
    today = timezone.localdate()
    found = public_holidays([today.year, today.year + 1, today.year + 2], language="en")
    return min(d for d, name in found.items() if name == FOURTH_DAY_EN and d >= today + timedelta(days=after_days))


def in_language(client, code: str):
    """The browser's language choice, as the language switcher leaves it."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    return client


def test_the_names_follow_the_language():
    assert public_holidays([2027], language="vi")[date(2027, 2, 9)] == FOURTH_DAY_VI
    assert public_holidays([2027], language="en")[date(2027, 2, 9)] == FOURTH_DAY_EN
    assert holiday_name(date(2027, 2, 6), language="en-us") == "Lunar New Year"
    assert holiday_name(date(2027, 2, 6), language="vi") == "Tết Nguyên Đán"
    assert holiday_name(date(2027, 2, 11), language="vi") == ""  # a working day
    # A language the library has no names in: the country's own default, not an error.
    assert public_holidays([2027], language="fr")[date(2027, 2, 9)] == FOURTH_DAY_EN


@pytest.mark.parametrize(
    ("language", "name", "other"), [("en", FOURTH_DAY_EN, FOURTH_DAY_VI), ("vi", FOURTH_DAY_VI, FOURTH_DAY_EN)]
)
def test_the_calendar_names_the_holiday_in_the_page_language(client, staff, room, language, name, other):
    day = next_fourth_day_of_tet()
    client.force_login(staff)
    page = in_language(client, language).get(
        reverse("meetings:booking_calendar"), {"view": "week", "date": day.isoformat()}
    )
    text = page.content.decode()
    assert page.status_code == 200 and name in text and other not in text


def test_a_skipped_date_is_named_in_the_readers_language(client, api, staff, room):
    day = next_fourth_day_of_tet(after_days=8)
    series = services.booking_series_create(
        room=room,
        title="Giao ban đầu xuân",
        rrule="FREQ=DAILY;COUNT=3",
        first_date=day - timedelta(days=1),
        start_time=time(8),
        end_time=time(9),
        booked_by=staff,
    )
    skipped = series.skipped_dates.get(date=day)
    # Stored in the portal's language (English under the test settings); read in the reader's.
    assert skipped.holiday_name == FOURTH_DAY_EN
    client.force_login(staff)
    for language, name, other in (("vi", FOURTH_DAY_VI, FOURTH_DAY_EN), ("en", FOURTH_DAY_EN, FOURTH_DAY_VI)):
        text = in_language(client, language).get(series.get_absolute_url()).content.decode()
        assert name in text and other not in text, language
        answer = in_language(api(staff), language).get(f"/api/skipped-dates/{skipped.pk}/").json()
        assert answer["holiday_name"] == name and name in answer["explanation"], answer


#
# The API asks for the same confirmation as the page
#


def booking_body(room, day: date, **extra) -> dict:
    return {
        "room": room.pk,
        "title": "Họp đầu xuân",
        "starts_at": local(day, 8).isoformat(),
        "ends_at": local(day, 10).isoformat(),
        **extra,
    }


@pytest.mark.parametrize(
    ("language", "name", "words"), [("en", FOURTH_DAY_EN, "public holiday"), ("vi", FOURTH_DAY_VI, "ngày nghỉ lễ")]
)
def test_an_api_booking_on_a_holiday_is_refused_unless_confirmed(api, staff, room, language, name, words):
    day = next_fourth_day_of_tet()
    client = in_language(api(staff), language)
    refused = client.post("/api/bookings/", booking_body(room, day), format="json")
    assert refused.status_code == 400, refused.json()
    body = refused.json()
    assert f"{day:%d/%m/%Y} – {name}" in body["message"] and words in body["message"].lower()
    assert "confirm_holiday" in body["message"] and "confirm_holiday" in body["extra"]["fields"]
    assert body["extra"]["holidays"] == [{"date": day.isoformat(), "name": name}]
    assert not Booking.objects.filter(title="Họp đầu xuân").exists()

    made = client.post("/api/bookings/", booking_body(room, day, confirm_holiday=True), format="json")
    assert made.status_code == 201, made.json()
    assert "confirm_holiday" not in made.json()  # write-only: the booking has no such field
    assert Booking.objects.get(title="Họp đầu xuân").starts_at == local(day, 8)


def test_moving_a_booking_onto_a_holiday_asks_too_and_other_edits_do_not(api, staff, room):
    day = next_fourth_day_of_tet()
    workday = next_weekday(1, after_days=3)
    while holiday_name(workday):
        workday += timedelta(days=7)
    client = api(staff)
    plain = client.post("/api/bookings/", booking_body(room, workday), format="json")
    assert plain.status_code == 201, plain.json()  # a working day asks nothing
    url = f"/api/bookings/{plain.json()['id']}/"
    onto = {"starts_at": local(day, 8).isoformat(), "ends_at": local(day, 10).isoformat()}
    moved = client.patch(url, onto, format="json")
    assert moved.status_code == 400 and FOURTH_DAY_EN in moved.json()["message"]
    assert Booking.objects.get(pk=plain.json()["id"]).starts_at == local(workday, 8)
    confirmed = client.patch(url, {**onto, "confirm_holiday": True}, format="json")
    assert confirmed.status_code == 200, confirmed.json()
    # Once it is on the holiday, renaming it does not ask again (the page does not either).
    renamed = client.patch(url, {"title": "Họp mừng xuân"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["title"] == "Họp mừng xuân"


def test_the_schema_documents_the_confirmation(client, admin_user):
    client.force_login(admin_user)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    assert "confirm_holiday" in components["BookingRequest"]["properties"]
    assert "confirm_holiday" in components["PatchedBookingRequest"]["properties"]
    assert "confirm_holiday" not in components["Booking"]["properties"]
    create = schema["paths"]["/api/bookings/"]["post"]["responses"]
    assert "confirm_holiday" in create["400"]["description"] and "201" in create and "409" in create
    assert "confirm_holiday" in schema["paths"]["/api/bookings/{id}/"]["patch"]["responses"]["400"]["description"]
