"""
Camera alerts grouped by site and incident (issue 14): one incident per site outage episode, listing
its cameras; one notification when it opens, not one per camera or per cycle; several incidents
acknowledged at once; a recovery notice when the incident clears.
"""

import pytest
from django.urls import reverse

from accounts.roles import Role
from cameras.choices import AlertKind
from cameras.models import CameraAlert, CameraIncident
from cameras.probes import ProbeResult
from cameras.services import camera_health_record, camera_save, incidents_acknowledge
from notifications.choices import NotificationKind
from notifications.models import Notification
from sites.choices import UnitKind
from tests.cameras.factories import CameraFactory
from tests.factories.sites import SiteFactory, UnitFactory

pytestmark = pytest.mark.django_db

OK = ProbeResult(0, True, "done")
FAIL = ProbeResult(0, False, "tcp", "connection refused")


@pytest.fixture
def two_sites(settings, make_user):
    """Tam Giang with 7 cameras, Tam Hải with 2, all online; a district technician and Tam Giang's officer."""
    settings.CAMERA_OFFLINE_AFTER_FAILURES = 2
    settings.CAMERA_ONLINE_AFTER_SUCCESSES = 1
    district = UnitFactory(kind=UnitKind.DISTRICT)
    giang = SiteFactory(name="UBND xã Tam Giang", unit=UnitFactory(parent=district))
    hai = SiteFactory(name="UBND xã Tam Hải", unit=UnitFactory(parent=district))
    cameras = [CameraFactory(site=giang, code=f"tg-{i}") for i in range(1, 8)]
    cameras += [CameraFactory(site=hai, code=f"th-{i}") for i in range(1, 3)]
    for camera in cameras:
        camera_health_record(camera_id=camera.pk, result=OK)
    technician = make_user(Role.TECHNICIAN)
    officer = make_user(Role.COMMUNE_OFFICER, unit=giang.unit)
    return giang, hai, cameras, technician, officer


def cycle(cameras, failing):
    """One health sweep: the cameras in `failing` fail their probe, the others answer."""
    for camera in cameras:
        camera_health_record(camera_id=camera.pk, result=FAIL if camera in failing else OK)


def test_one_incident_and_one_notification_per_site_outage(two_sites):
    giang, hai, cameras, technician, officer = two_sites
    giang_cams, hai_cams = cameras[:7], cameras[7:]
    # Cameras fail over several cycles: 4 of Tam Giang and one of Tam Hải first, then the rest.
    for failing in ([*giang_cams[:4], hai_cams[0]],) * 2 + ([*giang_cams, hai_cams[0]],) * 3:
        cycle(cameras, failing)

    assert CameraAlert.objects.filter(kind=AlertKind.OFFLINE).count() == 8  # each camera's own history
    incidents = CameraIncident.objects.order_by("site__name")
    assert [(i.site, i.ended_at) for i in incidents] == [(giang, None), (hai, None)]
    assert sorted(c.code for c in incidents[0].cameras) == [f"tg-{i}" for i in range(1, 8)]
    assert [c.code for c in incidents[1].cameras] == ["th-1"]
    # One notification per incident: the technician hears of both sites, the officer of their own.
    unread = Notification.objects.filter(kind=NotificationKind.CAMERA_OFFLINE, read_at__isnull=True)
    assert unread.filter(recipient=technician).count() == 2
    assert unread.filter(recipient=officer).count() == 1
    note = unread.get(recipient=officer)
    assert note.url == incidents[0].get_absolute_url()
    assert note.title == "7 cameras at UBND xã Tam Giang are offline"  # kept up to date, not repeated


def test_recovery_clears_the_incident_and_sends_one_notice(two_sites):
    giang, _hai, cameras, _technician, officer = two_sites
    giang_cams = cameras[:7]
    for _ in range(2):
        cycle(cameras, giang_cams)
    incident = CameraIncident.objects.get(site=giang)
    cycle(cameras, giang_cams[:1])  # six back, one still down: still open, nobody told
    incident.refresh_from_db()
    assert incident.ended_at is None
    assert Notification.objects.filter(recipient=officer).count() == 1

    cycle(cameras, [])
    incident.refresh_from_db()
    assert incident.ended_at is not None
    notes = Notification.objects.filter(recipient=officer).order_by("pk")
    assert notes.count() == 2
    offline_note, recovery = notes
    assert offline_note.read_at is not None  # the offline notice is answered by the recovery
    assert recovery.read_at is None and recovery.url == incident.get_absolute_url()
    assert "back online" in recovery.title and "UBND xã Tam Giang" in recovery.title
    # Going down again later is a new incident, told again.
    for _ in range(2):
        cycle(cameras, giang_cams[2:3])
    assert CameraIncident.objects.filter(site=giang).count() == 2
    assert Notification.objects.filter(recipient=officer, read_at__isnull=True).count() == 2


def test_a_camera_leaving_monitoring_can_clear_the_incident(two_sites):
    giang, _hai, cameras, _technician, _officer = two_sites
    for _ in range(2):
        cycle(cameras, cameras[:1])
    incident = CameraIncident.objects.get(site=giang)
    camera = cameras[0]
    camera.refresh_from_db()
    camera.maintenance = True
    camera_save(camera=camera)
    incident.refresh_from_db()
    assert incident.ended_at is not None


def test_acknowledging_several_incidents_at_once(two_sites):
    _giang, _hai, cameras, technician, officer = two_sites
    for _ in range(2):
        cycle(cameras, [cameras[0], cameras[1], cameras[7]])
    incidents = list(CameraIncident.objects.order_by("pk"))
    assert incidents_acknowledge(incidents=incidents, user=technician) == 2
    assert not CameraAlert.objects.filter(acknowledged_at__isnull=True).exists()
    assert set(CameraAlert.objects.values_list("acknowledged_by", flat=True)) == {technician.pk}
    # Somebody took it: the offline notices are answered for everyone.
    assert not Notification.objects.filter(kind=NotificationKind.CAMERA_OFFLINE, read_at__isnull=True).exists()
    assert incidents_acknowledge(incidents=incidents, user=technician) == 0  # twice is harmless
    # A camera joining an acknowledged incident needs looking at again, without a new notification.
    for _ in range(2):
        cycle(cameras, [cameras[0], cameras[1], cameras[2], cameras[7]])
    incidents[0].refresh_from_db()
    assert incidents[0].acknowledged_at is None and incidents[0].ended_at is None
    assert Notification.objects.filter(recipient=officer).count() == 1


def test_bulk_acknowledge_page_acts_on_the_users_own_incidents_only(client, two_sites, make_user):
    giang, hai, cameras, _technician, officer = two_sites
    for _ in range(2):
        cycle(cameras, [cameras[0], cameras[7]])
    mine, other = CameraIncident.objects.get(site=giang), CameraIncident.objects.get(site=hai)
    commune_technician = make_user(Role.TECHNICIAN, unit=giang.unit)
    client.force_login(commune_technician)
    url = reverse("cameras:incident_acknowledge")
    response = client.post(url, {"incident": [mine.pk, other.pk], "next": "/cameras/alerts/"})
    assert response.status_code == 302 and response["Location"] == "/cameras/alerts/"
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.acknowledged_by == commune_technician and other.acknowledged_at is None
    client.force_login(officer)  # officers see alerts but may not acknowledge them
    assert client.post(url, {"incident": [mine.pk]}).status_code == 403


def test_alert_page_lists_incidents_by_site_with_their_cameras(client, two_sites):
    giang, _hai, cameras, technician, _officer = two_sites
    for _ in range(2):
        cycle(cameras, [*cameras[:3], cameras[7]])
    client.force_login(technician)
    html = client.get(reverse("cameras:alert_list")).content.decode()
    assert html.count('name="incident"') == 2  # one checkbox per incident, not per camera
    for code in ("tg-1", "tg-2", "tg-3", "th-1"):
        assert code in html
    incident = CameraIncident.objects.get(site=giang)
    detail = client.get(incident.get_absolute_url())
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "UBND xã Tam Giang" in body and "tg-3" in body and "th-1" not in body
