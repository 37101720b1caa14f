"""
The office staff's day with the booking pages, in Chromium through the real pages and in
Vietnamese, at laptop (1280 px) and tablet (800 px) width: book the hall from a click on the week
calendar, make a weekly series across Tết (the Tết dates skipped and listed), see the week of Tết
with its Saturday and Sunday, and book a single date of Tết only after confirming it. No page
overflows sideways. Screenshots go to SCREENSHOT_DIR when it is set.
"""

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.roles import Role
from tests.browser import log_in

pytestmark = pytest.mark.browser


def next_tet() -> tuple[date, date]:
    """The next Tết Nguyên Đán at least four weeks away, and its fourth day (Mùng bốn)."""
    from meetings.selectors.bookings import public_holidays

    today = timezone.localdate()
    days = public_holidays([today.year, today.year + 1, today.year + 2], language="vi")
    tet = min(d for d, name in days.items() if name == "Tết Nguyên Đán" and d >= today + timedelta(weeks=4))
    return tet, min(d for d, name in days.items() if name.startswith("Mùng bốn") and d > tet)


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def shot(page, name: str) -> None:
    if os.environ.get("SCREENSHOT_DIR"):
        Path(os.environ["SCREENSHOT_DIR"]).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{os.environ['SCREENSHOT_DIR']}/{name}.png", full_page=True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 800])
def test_office_staff_books_the_hall_and_a_weekly_series_across_tet(
    browser, live_server, demo, make_user, settings, width
):
    from meetings.models import Booking, BookingSeries
    from sites.models import Room

    settings.LANGUAGE_CODE = "vi"
    office = make_user(Role.OFFICE_STAFF)
    hall = Room.objects.filter(is_bookable=True).order_by("-capacity", "pk").first()  # Hội trường lớn Huyện ủy
    tet, mung_bon = next_tet()
    before = tet - timedelta(weeks=2)
    week_start = before - timedelta(days=before.weekday())
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    try:
        page = context.new_page()
        log_in(page, live_server.url, office)

        # The week calendar: a click on the hall's empty Wednesday opens the form for it.
        page.goto(
            f"{live_server.url}/meetings/bookings/calendar/?view=week&date={week_start:%Y-%m-%d}&site={hall.site_id}"
        )
        headers = page.locator("table.cal thead th")
        assert headers.count() == 8
        sunday = headers.nth(7)
        assert sunday.is_visible() and sunday.bounding_box()["x"] + sunday.bounding_box()["width"] <= width
        assert no_horizontal_overflow(page)
        shot(page, f"calendar-week-{width}")
        wednesday = week_start + timedelta(days=2)
        page.locator(f'td[data-room="{hall.pk}"][data-day="{wednesday:%Y-%m-%d}"]').click(position={"x": 10, "y": 10})
        page.wait_for_url("**/meetings/bookings/add/**")
        assert page.input_value("#id_room") == str(hall.pk)
        assert page.input_value("#id_starts_at") == f"{wednesday:%Y-%m-%d}T07:00"
        page.fill("#id_title", "Hội nghị triển khai nhiệm vụ năm mới của UBND huyện và các xã, thị trấn")
        page.fill("#id_ends_at", f"{wednesday:%Y-%m-%d}T11:30")
        shot(page, f"booking-form-{width}")
        page.click("form.card button[type=submit]")
        page.wait_for_url("**/meetings/bookings/*/")
        assert page.locator(".alert", has_text="Đã đặt và xác nhận").is_visible()
        assert Booking.objects.filter(room=hall, status=Booking.Status.CONFIRMED).count() == 1

        # A weekly series on the weekday of Mùng bốn Tết, from three weeks before to three weeks after.
        weekday = mung_bon.weekday()
        first = mung_bon - timedelta(weeks=3)
        until = mung_bon + timedelta(weeks=3)
        page.goto(f"{live_server.url}/meetings/bookings/series/add/")
        boxes = page.locator('input[name="weekdays"]')
        assert boxes.count() == 7
        labels = page.locator("fieldset#id_weekdays label").all_inner_texts()
        assert labels == ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]
        page.select_option("#id_room", str(hall.pk))
        page.fill("#id_title", "Giao ban chuyên môn hằng tuần")
        page.fill("#id_first_date", f"{first:%Y-%m-%d}")
        page.fill("#id_start_time", "14:00")
        page.fill("#id_end_time", "16:00")
        page.check(f"#id_weekdays_{weekday}")
        page.fill("#id_until", f"{until:%Y-%m-%d}")
        assert no_horizontal_overflow(page)
        shot(page, f"series-form-{width}")
        page.click("form.card button[type=submit]")
        page.wait_for_url("**/meetings/bookings/series/*/")
        series = BookingSeries.objects.get(title="Giao ban chuyên môn hằng tuần")
        day_name = labels[weekday]
        assert page.locator('[data-testid="rule"]').inner_text() == f"{day_name} hằng tuần đến {until:%d/%m/%Y}"
        skipped = page.locator(".list-group-item", has_text="Ngày lễ")
        assert skipped.count() >= 1
        assert page.locator(".list-group-item", has_text="Mùng bốn Tết Nguyên Đán").count() == 1
        assert series.skipped_dates.filter(date=mung_bon).exists()
        assert series.bookings.count() + series.skipped_dates.count() == 7
        assert no_horizontal_overflow(page)
        shot(page, f"series-detail-{width}")

        # The week of Tết: the holiday names on their days, Saturday and Sunday on screen.
        tet_week = mung_bon - timedelta(days=mung_bon.weekday())
        page.goto(
            f"{live_server.url}/meetings/bookings/calendar/?view=week&date={tet_week:%Y-%m-%d}&site={hall.site_id}"
        )
        assert page.locator("th.holiday", has_text="Mùng bốn Tết Nguyên Đán").is_visible()
        assert page.locator("table.cal thead th").nth(7).is_visible()
        assert no_horizontal_overflow(page)
        shot(page, f"calendar-tet-{width}")

        # A single booking on Mùng bốn Tết: warned, then booked once confirmed.
        page.goto(f"{live_server.url}/meetings/bookings/add/?room={hall.pk}")
        page.fill("#id_title", "Gặp mặt đầu xuân")
        page.fill("#id_starts_at", f"{mung_bon:%Y-%m-%d}T08:00")
        page.fill("#id_ends_at", f"{mung_bon:%Y-%m-%d}T10:00")
        page.click("form.card button[type=submit]")
        warning = page.locator(".invalid-feedback", has_text="ngày nghỉ lễ")
        assert warning.is_visible() and "Mùng bốn Tết Nguyên Đán" in warning.inner_text()
        assert not Booking.objects.filter(title="Gặp mặt đầu xuân").exists()
        assert no_horizontal_overflow(page)
        shot(page, f"holiday-warning-{width}")
        page.check("#id_confirm_holiday")
        page.click("form.card button[type=submit]")
        page.wait_for_url("**/meetings/bookings/*/")
        assert page.locator('[data-testid="holiday"]').inner_text() == "Ngày lễ: Mùng bốn Tết Nguyên Đán"
        assert Booking.objects.filter(title="Gặp mặt đầu xuân").exists()
        assert no_horizontal_overflow(page)
        shot(page, f"holiday-booking-{width}")

        # The day view of the first booking: the whole day, the full title readable.
        page.goto(
            f"{live_server.url}/meetings/bookings/calendar/?view=day&date={wednesday:%Y-%m-%d}&site={hall.site_id}"
        )
        assert page.locator(".day-list a", has_text="Hội nghị triển khai nhiệm vụ năm mới").is_visible()
        assert page.locator(".hours span").count() == 24
        assert no_horizontal_overflow(page)
        shot(page, f"calendar-day-{width}")
    finally:
        context.close()
