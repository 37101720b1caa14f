"""Readiness and today's bookings on the home dashboards, and readiness on the district map."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from dashboards.status import Level
from live import services
from live.models import ReadinessCheck
from live.panels import not_ready
from meetings.services import bookings as booking_services
from tests.factories.sites import RoomFactory
from tests.live.helpers import readiness_complete
from tests.pages import panel_html

pytestmark = pytest.mark.django_db


def test_office_sees_todays_bookings_and_briefings_with_readiness(client, make_briefing, make_user):
    now = timezone.localtime()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    # Both happen today whatever the time the test runs: halfway between midnight and now.
    briefing = make_briefing(n=3, starts_in=-(now - midnight) / 2)
    first, second, _third = briefing.meeting.invitations.order_by("pk")
    readiness_complete(first)
    services.readiness_record(invitation=second, user=briefing.organiser, camera_ok=True)
    start = midnight + (now - midnight) / 4
    booking_services.booking_create(
        room=RoomFactory(name="Phòng họp số 2"),
        title="Tiếp công dân",
        starts_at=start,
        ends_at=start + timedelta(minutes=1),
        booked_by=briefing.organiser,
        allow_past=True,
    )
    client.force_login(make_user(Role.OFFICE_STAFF))
    panel = panel_html(client.get(reverse("home")).content.decode(), "meetings.today")
    assert "Giao ban tuần" in panel and "Tiếp công dân" in panel and "Phòng họp số 2" in panel
    assert "1 ready<" in panel and "1 partly<" in panel and "1 not ready<" in panel
    assert reverse("live:readiness", args=[briefing.meeting.pk]) in panel


def test_approvers_see_bookings_waiting_for_them_only(client, make_user):
    from datetime import time

    from meetings.models import RoomBookingPolicy

    approver, other = make_user(Role.LEADER), make_user(Role.LEADER)
    room = RoomFactory(name="Hội trường")
    policy = RoomBookingPolicy.objects.create(room=room, max_duration_minutes=60, opens_at=time(7), closes_at=time(17))
    policy.approvers.add(approver)
    start = timezone.localtime() + timedelta(days=2)
    booking_services.booking_create(
        room=room, title="Hội nghị cả ngày", starts_at=start, ends_at=start + timedelta(hours=3), booked_by=other
    )
    client.force_login(approver)
    assert "Hội nghị cả ngày" in panel_html(
        client.get(reverse("home")).content.decode(), "meetings.bookings_to_approve"
    )
    client.force_login(other)
    assert 'data-panel="meetings.bookings_to_approve"' not in client.get(reverse("home")).content.decode()


def test_commune_technician_sees_own_bridge_points_readiness_with_console_link(client, make_briefing, make_user):
    briefing = make_briefing(n=2, starts_in=timedelta(days=1))
    own, other = briefing.meeting.invitations.order_by("pk")
    readiness_complete(own)
    client.force_login(make_user(Role.TECHNICIAN, unit=briefing.communes[0]))
    panel = panel_html(client.get(reverse("home")).content.decode(), "live.readiness")
    assert own.bridge_point.janus_display in panel and "readiness-green" in panel
    assert other.bridge_point.janus_display not in panel
    assert reverse("live:join", args=[briefing.meeting.pk, own.bridge_point.pk]) in panel


def test_district_technician_sees_every_site_and_the_board_link(client, make_briefing, make_user):
    briefing = make_briefing(n=2, starts_in=timedelta(days=1))
    client.force_login(make_user(Role.TECHNICIAN))
    panel = panel_html(client.get(reverse("home")).content.decode(), "live.readiness")
    assert panel.count("readiness-red") == 2
    assert reverse("live:readiness", args=[briefing.meeting.pk]) in panel


def test_map_marks_sites_not_ready_within_the_hour_only(make_briefing):
    soon = make_briefing(n=3, starts_in=timedelta(minutes=30))
    first, second, third = soon.meeting.invitations.order_by("pk")
    readiness_complete(first)
    ReadinessCheck.objects.create(invitation=second, camera_ok=True)
    later = make_briefing(n=1, starts_in=timedelta(days=2))
    sites = {inv.pk: inv.bridge_point.room.site_id for inv in (first, second, third)}
    later_site = later.sites[0].room.site_id
    found = not_ready([*sites.values(), later_site])
    assert sites[first.pk] not in found and later_site not in found
    assert found[sites[second.pk]][0] == Level.WARNING and found[sites[third.pk]][0] == Level.DANGER
    assert "Giao ban tuần" in found[sites[third.pk]][1]


@pytest.mark.parametrize("role", [Role.OFFICE_STAFF, Role.TECHNICIAN])
def test_panels_cost_the_same_with_more_meetings_and_sites(
    client, make_briefing, make_user, role, django_assert_max_num_queries
):
    from django.core.cache import cache

    cache.set("dashboards:health", {"ok": True, "checks": {}}, 60)
    make_briefing(n=1, starts_in=timedelta(minutes=20))
    client.force_login(make_user(role))
    client.get(reverse("home"))
    with django_assert_max_num_queries(40) as before:
        client.get(reverse("home"))
    for hours in (1, 2, 3):
        make_briefing(n=5, starts_in=timedelta(hours=hours))
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    for i in range(12):  # today's bookings, each in its own room (allow_past: whatever the hour)
        start = midnight + timedelta(minutes=5 * i)
        booking_services.booking_create(
            room=RoomFactory(),
            title=f"Họp {i}",
            starts_at=start,
            ends_at=start + timedelta(minutes=5),
            booked_by=make_user(Role.OFFICE_STAFF),
            allow_past=True,
        )
    with django_assert_max_num_queries(len(before)):
        client.get(reverse("home"))


def test_readiness_panel_shows_the_first_briefings_and_counts_the_rest(client, make_briefing, make_user):
    from meetings.models import Meeting, MeetingInvitation

    first = make_briefing(n=1, starts_in=timedelta(hours=1))
    bridge_point = first.sites[0]
    for day in range(1, 8):
        later = make_briefing(n=1, starts_in=timedelta(days=day, hours=-2))
        MeetingInvitation.objects.create(meeting=later.meeting, bridge_point=bridge_point)
    cancelled = make_briefing(n=1, starts_in=timedelta(hours=2), status=Meeting.Status.CANCELLED)
    MeetingInvitation.objects.create(meeting=cancelled.meeting, bridge_point=bridge_point)
    too_far = make_briefing(n=1, starts_in=timedelta(days=9))
    MeetingInvitation.objects.create(meeting=too_far.meeting, bridge_point=bridge_point)
    Meeting.objects.filter(pk=cancelled.meeting.pk).update(title="Họp đã hủy")
    Meeting.objects.filter(pk=too_far.meeting.pk).update(title="Họp tháng sau")

    client.force_login(make_user(Role.COMMUNE_OFFICER, unit=first.communes[0]))
    panel = panel_html(client.get(reverse("home")).content.decode(), "live.readiness")
    assert panel.count(bridge_point.janus_display) == 6  # six briefings shown, one badge each
    assert "and 2 more briefings" in panel  # 8 within the week
    assert "Họp đã hủy" not in panel and "Họp tháng sau" not in panel


def test_a_commune_officers_readiness_panel_costs_the_same_with_more_briefings(
    client, make_briefing, make_user, django_assert_max_num_queries
):
    from django.core.cache import cache

    from meetings.models import MeetingInvitation

    cache.set("dashboards:health", {"ok": True, "checks": {}}, 60)
    first = make_briefing(n=2, starts_in=timedelta(hours=1))
    client.force_login(make_user(Role.COMMUNE_OFFICER, unit=first.communes[0]))
    client.get(reverse("home"))
    with django_assert_max_num_queries(40) as before:
        client.get(reverse("home"))
    for day in range(1, 6):
        later = make_briefing(n=4, starts_in=timedelta(days=day))
        MeetingInvitation.objects.create(meeting=later.meeting, bridge_point=first.sites[0])
    with django_assert_max_num_queries(len(before)):
        html = client.get(reverse("home")).content.decode()
    assert panel_html(html, "live.readiness").count(first.sites[0].janus_display) == 6


def test_map_status_costs_the_same_with_more_briefings(make_briefing, django_assert_num_queries):
    soon = make_briefing(n=2, starts_in=timedelta(minutes=30))
    sites = [bp.room.site_id for bp in soon.sites]
    with django_assert_num_queries(1):
        assert len(not_ready(sites)) == 2
    for minutes in (10, 20, 40):
        more = make_briefing(n=5, starts_in=timedelta(minutes=minutes))
        sites += [bp.room.site_id for bp in more.sites]
    with django_assert_num_queries(1):
        assert len(not_ready(sites)) == 17
