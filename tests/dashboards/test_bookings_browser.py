"""
The office staff's dashboard on a busy day, in a real browser at tablet and laptop width: today's
bookings and briefings with their readiness, and the bookings to approve with their buttons; nothing
overflows sideways. Set SCREENSHOT_DIR to keep the screenshots.
"""

import os
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.roles import Role
from tests.browser import log_in
from tests.dashboards.test_browser import browser, no_horizontal_overflow  # noqa: F401  (fixture)
from tests.live.helpers import readiness_complete

pytestmark = pytest.mark.browser


def at(hour: int, minute: int = 0, days: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(hour, minute)))


def busy_day(office):
    """Today's bookings of the hall and the host room, a briefing of all communes, bookings to approve."""
    from live.models import ReadinessCheck
    from meetings.models import Booking, RoomBookingPolicy
    from meetings.selectors.briefings import InviteGroup, bridge_points_for_group
    from meetings.services import bookings as booking_services
    from meetings.services import briefings as briefing_services
    from sites.choices import BridgePointRole
    from sites.models import BridgePoint, Room

    host = BridgePoint.objects.filter(role=BridgePointRole.HOST).select_related("room").first()
    hall = Room.objects.exclude(pk=host.room_id).filter(is_bookable=True).order_by("-capacity").first()
    meeting = briefing_services.meeting_create(
        user=office,
        title="Giao ban trực tuyến UBND huyện với các xã, thị trấn",
        chair="Chủ tịch UBND huyện",
        host_bridge_point=host,
        # Under way whenever the test runs, so it is today's and still to watch.
        starts_at=timezone.now() - timedelta(minutes=10),
        ends_at=timezone.now() + timedelta(hours=2),
        invited=bridge_points_for_group(group=InviteGroup.ALL),
        book_room=False,
    )
    for index, invitation in enumerate(meeting.invitations.order_by("pk")):
        if index < 9:
            readiness_complete(invitation)
        elif index < 13:
            ReadinessCheck.objects.create(invitation=invitation, camera_ok=True)
    for title, room, start, end in (
        ("Giao ban trực tuyến UBND huyện với các xã, thị trấn", host.room, at(13, 30), at(16, 30)),
        ("Tiếp công dân định kỳ", hall, at(7, 30), at(9)),
        ("Hội nghị triển khai nhiệm vụ kinh tế – xã hội quý IV năm 2026", hall, at(9, 30), at(11, 30)),
        ("Họp tổ công tác chuyển đổi số", hall, at(19), at(23, 30)),
    ):
        booking_services.booking_create(
            room=room, title=title, starts_at=start, ends_at=end, booked_by=office, allow_past=True
        )
    Booking.objects.filter(title="Họp tổ công tác chuyển đổi số").update(status=Booking.Status.TENTATIVE)
    policy = RoomBookingPolicy.objects.create(room=hall, max_duration_minutes=120, opens_at=time(7), closes_at=time(17))
    approver = office
    policy.approvers.add(approver)
    other = office.__class__.objects.create_user(username="chuyenvien", password="x", first_name="Trần Thị Bình")
    booking_services.booking_create(
        room=hall,
        title="Hội nghị tổng kết công tác năm",
        starts_at=at(7, 30, 3),
        ends_at=at(16, 30, 3),
        booked_by=other,
    )
    booking_services.booking_series_create(
        room=hall,
        title="Họp chi bộ cuối ngày",
        rrule="FREQ=WEEKLY;BYDAY=FR;COUNT=6",
        first_date=timezone.localdate() + timedelta(days=1),
        start_time=time(17),
        end_time=time(18, 30),
        booked_by=other,
        skip_holidays=False,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [768, 1366])
def test_office_dashboard_on_a_busy_day(browser, live_server, demo, make_user, width):  # noqa: F811
    office = make_user(Role.OFFICE_STAFF)
    busy_day(office)
    context = browser.new_context(viewport={"width": width, "height": 1000}, locale="vi-VN")
    try:
        page = context.new_page()
        log_in(page, live_server.url, office)
        page.wait_for_load_state("networkidle")
        today = page.locator('[data-panel="meetings.today"]')
        assert today.is_visible()
        assert today.locator("text=Tiếp công dân định kỳ").count() == 1
        approve = page.locator('[data-panel="meetings.bookings_to_approve"]')
        assert approve.is_visible()
        assert approve.locator("button.btn-success").count() >= 2  # a booking and a series (today's until it ends)
        assert no_horizontal_overflow(page)
        if os.environ.get("SCREENSHOT_DIR"):
            Path(os.environ["SCREENSHOT_DIR"]).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{os.environ['SCREENSHOT_DIR']}/office-{width}.png", full_page=True)
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_commune_technician_sees_its_bridge_points_readiness(browser, live_server, demo, make_user):  # noqa: F811
    from sites.models import AdministrativeUnit

    busy_day(make_user(Role.OFFICE_STAFF))
    technician = make_user(Role.TECHNICIAN, unit=AdministrativeUnit.objects.get(code="tam-hai"))
    context = browser.new_context(viewport={"width": 768, "height": 1000}, locale="vi-VN")
    try:
        page = context.new_page()
        log_in(page, live_server.url, technician)
        page.wait_for_load_state("networkidle")
        panel = page.locator('[data-panel="live.readiness"]')
        assert panel.is_visible()
        assert panel.locator("a.badge").count() == 1  # Tam Hải's own bridge point only
        assert no_horizontal_overflow(page)
        if os.environ.get("SCREENSHOT_DIR"):
            page.screenshot(path=f"{os.environ['SCREENSHOT_DIR']}/technician-768.png", full_page=True)
    finally:
        context.close()
