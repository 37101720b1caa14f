"""`seed_demo --scale province` (issue 18): the province is built once, in bulk, and a second run changes nothing."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from cameras import demo_province as cameras_province
from cameras.models import Camera, CameraOutage
from investments.models import InvestmentPlan, PlanLine
from meetings import demo_province as meetings_province
from meetings.models import Meeting, MeetingInvitation, Minutes, MinutesTask, RollCall
from sites import demo_province as sites_province
from sites.models import AdministrativeUnit, BridgePoint, Equipment


@pytest.fixture
def small_province(monkeypatch):
    """The real builders with fewer rows, so that the test runs in seconds."""
    monkeypatch.setattr(sites_province, "EQUIPMENT_ROWS", 600)
    monkeypatch.setattr(sites_province, "COMMUNES_PER_DISTRICT", 3)
    monkeypatch.setattr(cameras_province, "CAMERAS", 300)
    monkeypatch.setattr(meetings_province, "WEEKS_PAST", 3)
    monkeypatch.setattr(meetings_province, "WEEKS_AHEAD", 1)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            AdministrativeUnit,
            BridgePoint,
            Equipment,
            Camera,
            CameraOutage,
            Meeting,
            MeetingInvitation,
            RollCall,
            Minutes,
            MinutesTask,
            InvestmentPlan,
            PlanLine,
        )
    }


@pytest.mark.django_db
def test_province_is_built_once(small_province):
    call_command("seed_demo", scale="district", stdout=io.StringIO())
    district = counts()
    call_command("seed_demo", scale="province", stdout=io.StringIO(), stderr=io.StringIO())
    province = counts()
    assert AdministrativeUnit.objects.filter(code__regex=r"^prov-d\d\d$").count() == 10
    assert province["AdministrativeUnit"] - district["AdministrativeUnit"] == 10 + 10 * 3
    assert province["Equipment"] - district["Equipment"] == 600
    assert province["Camera"] - district["Camera"] == 300
    assert province["CameraOutage"] > district["CameraOutage"]
    # Ten districts × (3 past + 1 coming) weekly briefings, every commune invited, minutes of the held ones.
    new_meetings = Meeting.objects.filter(title__startswith="Giao ban tỉnh mẫu")
    # (This week's is over when the test runs after its end, 15:30 local time.)
    assert new_meetings.count() == 40
    held = new_meetings.filter(status=Meeting.Status.ENDED).count()
    assert held == new_meetings.filter(ends_at__lt=timezone.now()).count() in (30, 40)
    assert MeetingInvitation.objects.filter(meeting__in=new_meetings).count() == 40 * 3
    assert Minutes.objects.filter(meeting__in=new_meetings, status="approved").exists()
    assert MinutesTask.objects.filter(meeting__in=new_meetings).count() == held * 3
    assert InvestmentPlan.objects.filter(code__startswith="ke-hoach-prov-d").count() == 10
    assert province["PlanLine"] > district["PlanLine"]

    call_command("seed_demo", scale="province", stdout=io.StringIO(), stderr=io.StringIO())
    assert counts() == province
