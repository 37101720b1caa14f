"""
delegation_to_confirm and booking_to_approve as the meetings services send them: who is told, the
link they follow, and a cost that does not grow with the number of people told.
"""

from datetime import time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from meetings.models import Meeting, RoomBookingPolicy
from meetings.services import bookings as booking_services
from meetings.services import briefings as briefing_services
from notifications.choices import NotificationKind
from notifications.models import Notification
from sites.models import AdministrativeUnit, BridgePoint
from tests.factories.sites import RoomFactory

pytestmark = pytest.mark.django_db


def commune_bridge_point(code: str) -> BridgePoint:
    return BridgePoint.objects.filter(room__site__unit__code=code, role="participant").first()


def new_meeting(office, title: str, days: int) -> Meeting:
    starts_at = timezone.now() + timedelta(days=days)
    return briefing_services.meeting_create(
        user=office,
        title=title,
        chair="Chủ tịch UBND huyện",
        host_bridge_point=BridgePoint.objects.get(code="dc-ubnd-huyen-nui-thanh"),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        book_room=False,
    )


def invite_queries(meeting: Meeting, codes: list[str]) -> int:
    with CaptureQueriesContext(connection) as queries:
        briefing_services.meeting_invite(meeting=meeting, bridge_points=[commune_bridge_point(c) for c in codes])
    return len(queries)


def test_delegation_to_confirm_reaches_each_invited_communes_officers_with_their_invitation(demo, make_user):
    tam_hai, tam_giang, tam_tien = (
        AdministrativeUnit.objects.get(code=c) for c in ("tam-hai", "tam-giang", "tam-tien")
    )
    officers = [make_user(Role.COMMUNE_OFFICER, unit=tam_hai), make_user(Role.COMMUNE_OFFICER, unit=tam_hai)]
    giang_officer = make_user(Role.COMMUNE_OFFICER, unit=tam_giang)
    not_invited = make_user(Role.COMMUNE_OFFICER, unit=tam_tien)
    technician = make_user(Role.TECHNICIAN, unit=tam_hai)
    district_officer = make_user(Role.COMMUNE_OFFICER)  # tied to no commune
    meeting = new_meeting(make_user(Role.OFFICE_STAFF), "Giao ban phòng chống bão số 13", days=2)
    briefing_services.meeting_invite(
        meeting=meeting, bridge_points=[commune_bridge_point("tam-hai"), commune_bridge_point("tam-giang")]
    )
    hai_url = reverse(
        "meetings:delegation_edit", args=[meeting.invitations.get(bridge_point__room__site__unit=tam_hai).pk]
    )
    for officer in officers:
        (notice,) = Notification.objects.filter(recipient=officer)
        assert notice.kind == NotificationKind.DELEGATION_TO_CONFIRM and notice.url == hai_url
        assert "Giao ban phòng chống bão số 13" in notice.title
    (giang_notice,) = Notification.objects.filter(recipient=giang_officer)
    assert giang_notice.url != hai_url
    assert not Notification.objects.filter(recipient__in=[not_invited, technician, district_officer]).exists()


def test_delegation_notices_cost_the_same_with_more_officers_per_commune(demo, make_user):
    codes = ["tam-hai", "tam-giang", "tam-tien"]
    office = make_user(Role.OFFICE_STAFF)
    for code in codes:
        make_user(Role.COMMUNE_OFFICER, unit=AdministrativeUnit.objects.get(code=code))
    few = invite_queries(new_meeting(office, "Giao ban tuần 1", days=2), codes)
    for code in codes:
        for _ in range(4):
            make_user(Role.COMMUNE_OFFICER, unit=AdministrativeUnit.objects.get(code=code))
    many = invite_queries(new_meeting(office, "Giao ban tuần 2", days=3), codes)
    assert many == few
    assert Notification.objects.filter(kind=NotificationKind.DELEGATION_TO_CONFIRM).count() == 3 + 15


def test_booking_to_approve_costs_the_same_with_more_approvers_and_dates(make_user):
    def series_queries(room, count: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            booking_services.booking_series_create(
                room=room,
                title="Họp giao ban tối",
                rrule=f"FREQ=DAILY;COUNT={count}",
                first_date=timezone.localdate() + timedelta(days=1),
                start_time=time(19),
                end_time=time(21),
                booked_by=staff,
                skip_holidays=False,
            )
        return len(queries)

    staff = make_user(Role.OFFICE_STAFF)
    small, large = RoomFactory(), RoomFactory()
    for room, approvers in ((small, 1), (large, 6)):
        policy = RoomBookingPolicy.objects.create(room=room, opens_at=time(7), closes_at=time(17))
        policy.approvers.add(*[make_user(Role.LEADER) for _ in range(approvers)])
    few, many = series_queries(small, 2), series_queries(large, 20)
    notices = Notification.objects.filter(kind=NotificationKind.BOOKING_TO_APPROVE)
    assert notices.count() == 1 + 6  # one per approver for the whole series
    # The dates are written in bulk; telling six approvers about twenty dates costs what one about two does.
    assert many == few
