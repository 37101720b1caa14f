"""
What a new user tripped over in bookings (issue 14): the recurring booking's weekday boxes and its
rule in words, a single booking on a public holiday, the calendar (a click on an empty cell books,
the whole day, full titles), every free window of the free-slot search, and a meeting held on a room
booking that still waits for its approver.
"""

import re
from datetime import date, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import Role
from common.exceptions import ConflictError
from meetings.models import Booking, BookingSeries, Meeting, RoomBookingPolicy
from meetings.models.bookings import rule_in_words
from meetings.selectors import bookings as selectors
from meetings.selectors.bookings import public_holidays
from meetings.services import bookings as services
from tests.meetings.bookings.conftest import local, next_weekday

pytestmark = pytest.mark.django_db


def next_holiday(name_part: str, *, after_days: int = 2) -> date:
    """The next public holiday whose (Vietnamese) name contains `name_part`, e.g. "Mùng bốn" Tết."""
    today = timezone.localdate()
    found = sorted(
        day
        for day, name in public_holidays([today.year, today.year + 1, today.year + 2], language="vi").items()
        if name_part in name and day >= today + timedelta(days=after_days)
    )
    return found[0]


@pytest.fixture
def vi(settings):
    settings.LANGUAGE_CODE = "vi"


#
# 1. Weekdays as boxes; the rule in words
#


def test_the_weekday_picker_is_seven_boxes_that_save(client, staff, room, vi):
    client.force_login(staff)
    page = client.get(reverse("meetings:bookingseries_add")).content.decode()
    boxes = re.findall(r'<input type="checkbox"[^>]*name="weekdays"[^>]*value="(\w\w)"[^>]*id="(id_weekdays_\d)"', page)
    assert [value for value, _id in boxes] == ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    labels = [
        re.search(rf'<label class="form-check-label" for="{box_id}">([^<]+)</label>', page)[1] for _v, box_id in boxes
    ]
    assert labels == ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]

    monday = next_weekday(0)
    until = monday + timedelta(weeks=4)
    response = client.post(
        reverse("meetings:bookingseries_add"),
        {
            "room": room.pk,
            "title": "Giao ban sáng thứ Hai",
            "first_date": monday.isoformat(),
            "start_time": "07:30",
            "end_time": "09:00",
            "frequency": "WEEKLY",
            "interval": 1,
            "weekdays": ["MO"],
            "until": until.isoformat(),
            "skip_holidays": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    series = BookingSeries.objects.get(title="Giao ban sáng thứ Hai")
    detail = client.get(response.url).content.decode()
    words = f"Thứ Hai hằng tuần đến {until:%d/%m/%Y}"
    assert f'data-testid="rule" title="{series.rrule}">{words}</dd>' in detail
    with translation.override("en"):
        assert series.rule_text == f"Every Monday until {until:%d/%m/%Y}"
    listing = client.get(reverse("meetings:bookingseries_list")).content.decode()
    assert words in listing and "FREQ=" not in listing


@pytest.mark.parametrize(
    ("rule", "vi_text", "en_text"),
    [
        (
            "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270301T235959",
            "Thứ Hai hằng tuần đến 01/03/2027",
            "Every Monday until 01/03/2027",
        ),
        (
            "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE,FR;COUNT=12",
            "Thứ Hai, Thứ Tư và Thứ Sáu hằng tuần, 12 lần",
            "Every Monday, Wednesday and Friday, 12 times",
        ),
        ("FREQ=WEEKLY;INTERVAL=2;COUNT=5", "Thứ Năm, 2 tuần một lần, 5 lần", "Every 2 weeks on Thursday, 5 times"),
        ("FREQ=DAILY;UNTIL=20270115", "Hằng ngày đến 15/01/2027", "Every day until 15/01/2027"),
        ("FREQ=MONTHLY;COUNT=1", "Ngày 7 hằng tháng, 1 lần", "Monthly on day 7, 1 time"),
    ],
)
def test_a_rule_reads_in_words(rule, vi_text, en_text):
    first = date(2027, 1, 7)  # a Thursday
    with translation.override("vi"):
        assert rule_in_words(rule, first) == vi_text
    with translation.override("en"):
        assert rule_in_words(rule, first) == en_text


def test_an_unusual_rule_is_shown_as_it_is():
    assert rule_in_words("FREQ=MONTHLY;BYDAY=1MO;COUNT=3", date(2027, 1, 4)) is None
    series = BookingSeries(rrule="FREQ=MONTHLY;BYSETPOS=-1;BYDAY=FR;COUNT=3", first_date=date(2027, 1, 29))
    assert series.rule_text == series.rrule


#
# 2. A single booking on a public holiday
#


def test_a_booking_on_a_public_holiday_is_made_only_when_confirmed(client, staff, room, vi):
    day = next_holiday("Mùng bốn")
    client.force_login(staff)
    data = {
        "room": room.pk,
        "title": "Họp đầu xuân",
        "starts_at": f"{day:%Y-%m-%d}T08:00",
        "ends_at": f"{day:%Y-%m-%d}T10:00",
        "notes": "",
    }
    warned = client.post(reverse("meetings:booking_add"), data)
    assert warned.status_code == 200
    assert not Booking.objects.filter(title="Họp đầu xuân").exists()
    page = warned.content.decode()
    assert f"{day:%d/%m/%Y} – Mùng bốn Tết Nguyên Đán" in page
    assert 'type="checkbox" name="confirm_holiday"' in page  # the box to confirm appears with the warning

    made = client.post(reverse("meetings:booking_add"), {**data, "confirm_holiday": "on"})
    assert made.status_code == 302
    booking = Booking.objects.get(title="Họp đầu xuân")
    detail = client.get(booking.get_absolute_url()).content.decode()
    assert "Mùng bốn Tết Nguyên Đán" in detail and 'data-testid="holiday"' in detail

    # An ordinary working day asks nothing; the form has no box to tick.
    plain = client.get(reverse("meetings:booking_add")).content.decode()
    assert 'type="hidden" name="confirm_holiday"' in plain
    workday = next_weekday(1, after_days=3)
    while selectors.holidays_during(starts_at=local(workday, 8), ends_at=local(workday, 9)):
        workday += timedelta(days=7)
    ok = client.post(
        reverse("meetings:booking_add"),
        {
            **data,
            "title": "Họp thường",
            "starts_at": f"{workday:%Y-%m-%d}T08:00",
            "ends_at": f"{workday:%Y-%m-%d}T09:00",
        },
    )
    assert ok.status_code == 302


#
# 3. Calendar and free slots
#


def test_a_click_on_an_empty_cell_opens_the_form_for_that_room_day_and_time(client, staff, room, vi):
    monday = next_weekday(0)
    services.booking_create(
        room=room, title="Sáng", starts_at=local(monday, 7), ends_at=local(monday, 9), booked_by=staff
    )
    client.force_login(staff)
    week = client.get(reverse("meetings:booking_calendar"), {"view": "week", "date": monday.isoformat()})
    links = re.findall(r'<a class="add-slot" href="([^"]+)"', week.content.decode())
    first_free = (
        f"/meetings/bookings/add/?room={room.pk}&starts_at={monday:%Y-%m-%d}T09:00&ends_at={monday:%Y-%m-%d}T10:00"
    )
    assert first_free in links  # Monday 07:00–09:00 is taken: the click proposes 09:00–10:00
    assert len([link for link in links if f"room={room.pk}&" in link]) == 7  # Saturday and Sunday too

    form = client.get(first_free).content.decode()
    assert f'<option value="{room.pk}" selected>' in form
    assert f'value="{monday:%Y-%m-%d}T09:00"' in form and f'value="{monday:%Y-%m-%d}T10:00"' in form

    day = client.get(reverse("meetings:booking_calendar"), {"view": "day", "date": monday.isoformat()}).content.decode()
    hours = re.findall(rf'<a class="slot"[^>]*href="[^"]*room={room.pk}&starts_at={monday:%Y-%m-%d}T(\d\d):00', day)
    assert hours == [f"{h:02d}" for h in range(24)]


def test_the_day_view_covers_the_whole_day_and_shows_whole_titles(client, staff, room, vi):
    monday = next_weekday(0)
    title = "Họp tổ công tác chuyển đổi số và cải cách hành chính cuối ngày"
    late = services.booking_create(
        room=room, title=title, starts_at=local(monday, 23), ends_at=local(monday, 23, 45), booked_by=staff
    )
    grid = selectors.calendar(user=staff, start=monday, days=1)
    (block,) = next(row for row in grid.rows if row.room == room).cells[0].blocks
    assert (block.left, block.width) == (95.83, 3.12)  # 23:00–23:45 of 24 hours, not squeezed at the edge
    assert grid.hours == list(range(24))
    client.force_login(staff)
    day = client.get(reverse("meetings:booking_calendar"), {"view": "day", "date": monday.isoformat()}).content.decode()
    link = f'<a class="bk confirmed" href="{late.get_absolute_url()}" title="{title} (Đã xác nhận)">'
    assert f"{link}23:00–23:45 {title}</a>" in day
    week = client.get(
        reverse("meetings:booking_calendar"), {"view": "week", "date": monday.isoformat()}
    ).content.decode()
    assert f"23:00–23:45 {title}</a>" in week
    assert "text-overflow: ellipsis" not in week


def test_the_free_slot_search_gives_every_free_window_of_every_day(client, staff, room, policy, vi):
    monday = next_weekday(0)
    while any(monday + timedelta(days=i) in public_holidays([monday.year, monday.year + 1]) for i in range(14)):
        monday += timedelta(weeks=1)
    for start, end in ((9, 10), (13, 14)):
        services.booking_create(
            room=room, title="Họp", starts_at=local(monday, start), ends_at=local(monday, end), booked_by=staff
        )
    found = selectors.free_slots(
        user=staff, duration=timedelta(minutes=60), date_from=monday, date_to=monday + timedelta(days=13)
    )
    slots = dict(found)[room]
    mondays = [(s.starts_at, s.window_ends_at) for s in slots if s.day == monday]
    assert mondays == [
        (local(monday, 7), local(monday, 9)),
        (local(monday, 10), local(monday, 13)),
        (local(monday, 14), local(monday, 17, 30)),
    ]
    assert all(s.ends_at - s.starts_at == timedelta(minutes=60) for s in slots)
    # Every working day of the two weeks, each free from opening to closing but Monday.
    assert sorted({s.day for s in slots}) == [monday + timedelta(days=i) for i in range(14) if i % 7 < 5]
    assert len(slots) == 3 + 9

    client.force_login(staff)
    page = client.get(
        reverse("meetings:booking_free_slots"),
        {"duration_minutes": 60, "date_from": monday.isoformat(), "date_to": monday.isoformat(), "site": room.site.pk},
    ).content.decode()
    assert page.count('data-testid="free-window"') == 3
    assert "trống 10:00–13:00" in page


#
# 4. A meeting on a tentative booking
#


@pytest.fixture
def tentative_meeting(demo, make_user):
    """A 90-minute briefing in the host room whose policy allows 60 minutes: its booking waits."""
    from meetings.services import briefings as briefing_services
    from sites.models import BridgePoint

    host = BridgePoint.objects.get(code="dc-ubnd-huyen-nui-thanh")
    office = make_user(Role.OFFICE_STAFF)
    approver = make_user(Role.LEADER, username="duyet-phong")
    policy = RoomBookingPolicy.objects.create(room=host.room, max_duration_minutes=60)
    policy.approvers.add(approver)
    starts_at = timezone.now() + timedelta(minutes=20)
    meeting = briefing_services.meeting_create(
        user=office,
        title="Giao ban tháng",
        chair="Chủ tịch UBND huyện",
        host_bridge_point=host,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=90),
    )
    assert meeting.booking.status == Booking.Status.TENTATIVE
    return meeting, office, approver


def test_the_meeting_page_says_the_booking_waits_and_the_approver_decides_there(client, tentative_meeting, vi):
    meeting, office, approver = tentative_meeting
    client.force_login(office)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert 'data-testid="room-booking"' in page and "Tạm đặt" in page and "duyet-phong" in page
    assert "approve/" not in page  # the organiser is told, not given the approver's buttons

    client.force_login(approver)
    page = client.get(meeting.get_absolute_url()).content.decode()
    approve = reverse("meetings:booking_action", args=[meeting.booking_id, "approve"])
    assert approve in page
    response = client.post(approve, {"next": meeting.get_absolute_url()})
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    meeting.booking.refresh_from_db()
    assert meeting.booking.status == Booking.Status.CONFIRMED
    assert "Tạm đặt" not in client.get(meeting.get_absolute_url()).content.decode()


def test_a_meeting_on_an_unapproved_booking_starts_only_when_the_host_confirms(api, tentative_meeting, vi):
    from live.models import MediaServer
    from live.services.lifecycle import meeting_start

    meeting, office, _approver = tentative_meeting
    MediaServer.objects.create(name="janus-1", server_name="janus-1", api_url="http://127.0.0.1:1/janus")
    with pytest.raises(ConflictError) as refused:
        meeting_start(meeting=meeting, user=office)
    assert "Phòng họp" in refused.value.message or meeting.booking.room.name in refused.value.message
    assert "chờ" in refused.value.message.lower()
    assert refused.value.extra["confirm"] == "confirm_unapproved_booking"
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED

    client = api(office)
    url = f"/api/live/meetings/{meeting.pk}/start/"
    answer = client.post(url, {}, format="json")
    assert answer.status_code == 409 and answer.json()["extra"]["booking_status"] == "tentative"
    started = client.post(url, {"confirm_unapproved_booking": True}, format="json")
    assert started.status_code == 200, started.content
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.LIVE


def test_a_meeting_on_a_confirmed_booking_starts_without_a_question(tentative_meeting):
    from live.models import MediaServer
    from live.services.lifecycle import meeting_start

    meeting, office, approver = tentative_meeting
    services.booking_approve(booking=meeting.booking, user=approver)
    MediaServer.objects.create(name="janus-1", server_name="janus-1", api_url="http://127.0.0.1:1/janus")
    assert meeting_start(meeting=meeting, user=office).status == Meeting.Status.LIVE


def test_a_booking_left_tentative_is_announced_when_the_meeting_is_made(client, demo, make_user, vi):
    from sites.models import BridgePoint

    host = BridgePoint.objects.get(code="dc-ubnd-huyen-nui-thanh")
    RoomBookingPolicy.objects.create(room=host.room, max_duration_minutes=60)
    office = make_user(Role.OFFICE_STAFF)
    client.force_login(office)
    start = timezone.localtime(timezone.now() + timedelta(days=3)).replace(hour=8, minute=0)
    response = client.post(
        reverse("meetings:meeting_add"),
        {
            "title": "Giao ban quý",
            "chair": "Chủ tịch UBND huyện",
            "host_bridge_point": host.pk,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        },
        follow=True,
    )
    assert response.redirect_chain, response.context["form"].errors
    assert "chờ" in " ".join(str(m) for m in response.context["messages"]).lower()


def test_opening_hours_are_not_asked_at_the_weekend_cells(staff, room):
    """A past day proposes nothing; a future day's first free hour starts at the working day."""
    yesterday = timezone.localdate() - timedelta(days=1)
    grid = selectors.calendar(user=staff, start=yesterday, days=7)
    cells = next(row for row in grid.rows if row.room == room).cells
    assert cells[0].suggest is None
    assert cells[2].suggest == (local(cells[2].day, 7), local(cells[2].day, 8))
    assert time(7) == selectors.WORKDAY_START
