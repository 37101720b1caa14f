"""camera_offline: who is told when a site's cameras go offline (once per incident) and when they are back."""

import pytest

from accounts.roles import Role
from cameras.models import CameraIncident
from cameras.probes import ProbeResult
from cameras.services import camera_health_record
from notifications.choices import NotificationKind
from notifications.models import Notification
from notifications.services import notification_preferences_set
from sites.choices import UnitKind
from tests.cameras.factories import CameraFactory
from tests.factories.sites import SiteFactory, UnitFactory

pytestmark = pytest.mark.django_db

FAIL = ProbeResult(0, False, "tcp", "connection refused")
OK = ProbeResult(0, True, "done")


def test_camera_offline_tells_the_sites_technicians_and_officers(make_user, probe_settings):
    district = UnitFactory(kind=UnitKind.DISTRICT)
    commune, other_commune = UnitFactory(parent=district), UnitFactory(parent=district)
    camera = CameraFactory(site=SiteFactory(unit=commune, name="UBND xã Tam Hải"), name="Cổng chính", code="th-cong")
    told = {
        make_user(Role.TECHNICIAN),  # district technician, no unit
        make_user(Role.TECHNICIAN, unit=district),  # district technician tied to the district
        make_user(Role.TECHNICIAN, unit=commune),
        make_user(Role.COMMUNE_OFFICER, unit=commune),
    }
    not_told = {
        make_user(Role.COMMUNE_OFFICER, unit=other_commune),
        make_user(Role.TECHNICIAN, unit=other_commune),
        make_user(Role.COMMUNE_OFFICER),  # an officer tied to no commune is no commune's officer
        make_user(Role.COMMUNE_OFFICER, unit=commune, is_active=False),
        make_user(Role.FINANCE),
        make_user(Role.FINANCE, unit=commune),
        make_user(Role.LEADER),
        make_user(Role.POLICE_OPERATOR, unit=commune),
    }
    # Flap suppression: nobody hears of the first failures, nor of failures once offline.
    for _ in range(probe_settings.CAMERA_OFFLINE_AFTER_FAILURES - 1):
        assert camera_health_record(camera_id=camera.pk, result=FAIL) is None
    assert not Notification.objects.exists()
    assert camera_health_record(camera_id=camera.pk, result=FAIL) == "offline"
    camera_health_record(camera_id=camera.pk, result=FAIL)

    rows = Notification.objects.filter(kind=NotificationKind.CAMERA_OFFLINE)
    assert {n.recipient for n in rows} == told
    assert not told & not_told and rows.count() == len(told)
    row = rows.first()
    assert row.title == "Camera Cổng chính (th-cong) at UBND xã Tam Hải is offline"
    assert row.url == CameraIncident.objects.get(site=camera.site).get_absolute_url()
    assert "connection refused" in row.body


def test_recovering_and_going_offline_again_tells_again(make_user, probe_settings):
    camera = CameraFactory()
    technician = make_user(Role.TECHNICIAN)
    for result in [FAIL] * 3 + [OK] * 2 + [FAIL] * 3:
        camera_health_record(camera_id=camera.pk, result=result)
    titles = list(Notification.objects.filter(recipient=technician).order_by("pk").values_list("title", flat=True))
    # Two outages, two incidents; the first one's recovery is told once.
    assert [t.split()[-1] for t in titles] == ["offline", "online", "offline"]


def test_switching_off_in_app_suppresses_it(make_user, probe_settings):
    camera = CameraFactory()
    quiet = make_user(Role.TECHNICIAN, email="ky.thuat@nuithanh.gov.vn")
    other = make_user(Role.TECHNICIAN)
    notification_preferences_set(user=quiet, choices={NotificationKind.CAMERA_OFFLINE: (False, False)})
    for _ in range(3):
        camera_health_record(camera_id=camera.pk, result=FAIL)
    assert list(Notification.objects.values_list("recipient", flat=True)) == [other.pk]
