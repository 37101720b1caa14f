"""Fixtures for briefings: the demo district, one user per role, an upcoming and a past briefing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from common.exceptions import ConflictError
from meetings.selectors.briefings import InviteGroup, bridge_points_for_group
from meetings.services import briefings as services
from sites.models import AdministrativeUnit, BridgePoint


@pytest.fixture
def host(demo):
    return BridgePoint.objects.get(code="dc-ubnd-huyen-nui-thanh")


@pytest.fixture
def office(make_user):
    return make_user(Role.OFFICE_STAFF, first_name="Hoa", last_name="Lê Thị")


@pytest.fixture
def leader(make_user):
    return make_user(Role.LEADER)


@pytest.fixture
def officer(demo, make_user):
    """A commune officer of Tam Hải (an island commune)."""
    return make_user(Role.COMMUNE_OFFICER, unit=AdministrativeUnit.objects.get(code="tam-hai"))


@pytest.fixture
def other_officer(demo, make_user):
    return make_user(Role.COMMUNE_OFFICER, unit=AdministrativeUnit.objects.get(code="tam-giang"))


def make_meeting(office, host, *, starts_in=timedelta(days=2), group=InviteGroup.ALL, title="Giao ban tuần"):
    """A meeting in the host room; when that slot is already booked by another test meeting, the
    next free two-hour slot (the room cannot be double booked)."""
    starts_at = timezone.now() + starts_in
    for _attempt in range(10):
        try:
            meeting = services.meeting_create(
                user=office,
                title=title,
                chair="Nguyễn Văn A – Chủ tịch UBND huyện",
                host_bridge_point=host,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=90),
                invited=bridge_points_for_group(group=group),
            )
            break
        except ConflictError:
            starts_at += timedelta(hours=2)
    first = services.agenda_item_save(meeting=meeting, title="Kinh tế - xã hội", duration_minutes=15)
    services.agenda_item_save(meeting=meeting, title="Phòng chống thiên tai", duration_minutes=10, parent=first)
    return meeting


@pytest.fixture
def meeting(office, host):
    """An upcoming briefing (in two days) with all 17 communes invited."""
    return make_meeting(office, host)


@pytest.fixture
def mountain_meeting(office, host):
    """An upcoming briefing of the mountain communes only: Tam Hải is not invited."""
    return make_meeting(office, host, group="mountain", title="Giao ban miền núi")


def invitation_of(meeting, unit_code):
    return meeting.invitations.get(bridge_point__room__site__unit__code=unit_code)
