"""
Uptime counts every stretch a camera was not seen working over the window shown: recorded outages,
and the time since it was last seen when it is offline or faulty now (issue 14: a faulty camera last
seen three days ago read 100 %). A camera marked faulty keeps its outage open until it is seen again.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from cameras.choices import CameraStatus, Health
from cameras.models import Camera, CameraOutage
from cameras.probes import ProbeResult
from cameras.selectors import camera_uptimes
from cameras.services import camera_health_record, camera_save
from tests.cameras.factories import CameraFactory

pytestmark = pytest.mark.django_db

OK = ProbeResult(0, True, "done")
FAIL = ProbeResult(0, False, "tcp", "connection refused")


def uptimes(camera, now):
    camera.refresh_from_db()
    return tuple(
        camera_uptimes(cameras=[camera], window=window, now=now)[camera.pk]
        for window in (timedelta(hours=24), timedelta(days=30))
    )


def test_faulty_camera_last_seen_three_days_ago_is_not_up():
    """The demo's faulty cameras: seeded offline, last seen 3 days ago, no outage row."""
    now = timezone.now()
    camera = CameraFactory(status=CameraStatus.FAULTY, maintenance=True)
    Camera.objects.filter(pk=camera.pk).update(
        health=Health.OFFLINE,
        health_changed_at=now - timedelta(days=3),
        last_seen_at=now - timedelta(days=3),
        monitored_since=now - timedelta(days=30),
    )
    day, month = uptimes(camera, now)
    assert day == 0.0
    assert month == pytest.approx(100 * (1 - 3 / 30), abs=0.01)


def test_offline_camera_counts_from_when_it_was_last_seen_without_double_counting():
    now = timezone.now()
    camera = CameraFactory()
    Camera.objects.filter(pk=camera.pk).update(
        health=Health.OFFLINE,
        last_seen_at=now - timedelta(hours=6),
        monitored_since=now - timedelta(days=2),
    )
    # The outage opens at the first failed probe, a minute after the camera was last seen.
    CameraOutage.objects.create(camera=camera, started_at=now - timedelta(hours=6) + timedelta(minutes=1))
    day, _month = uptimes(camera, now)
    assert day == pytest.approx(100 * (1 - 6 / 24), abs=0.01)


def test_time_faulty_still_counts_after_the_camera_is_repaired(probe_settings):
    """Marked faulty while offline, repaired two days later: the two days stay down."""
    start = timezone.now() - timedelta(days=5)
    camera = CameraFactory()
    for minute in range(3):
        result = OK if minute == 0 else FAIL
        camera_health_record(camera_id=camera.pk, result=result, at=start + timedelta(minutes=minute))
    camera_health_record(camera_id=camera.pk, result=FAIL, at=start + timedelta(minutes=3))
    camera.refresh_from_db()
    assert camera.health == Health.OFFLINE
    camera.status = CameraStatus.FAULTY
    camera_save(camera=camera)
    assert CameraOutage.objects.get(camera=camera).ended_at is None  # faulty is not "back"

    repaired = start + timedelta(days=2)
    camera.refresh_from_db()
    camera.status = CameraStatus.IN_SERVICE
    camera_save(camera=camera)
    for minute in range(2):
        camera_health_record(camera_id=camera.pk, result=OK, at=repaired + timedelta(minutes=minute))
    camera.refresh_from_db()
    assert camera.health == Health.ONLINE
    outage = CameraOutage.objects.get(camera=camera)
    assert outage.ended_at == repaired
    _day, month = uptimes(camera, timezone.now())
    assert month == pytest.approx(100 * (1 - (2 * 24 * 60 - 1) / (5 * 24 * 60)), abs=0.05)


def test_faulty_camera_going_back_into_service_and_failing_reuses_its_open_outage(probe_settings):
    camera = CameraFactory()
    camera_health_record(camera_id=camera.pk, result=OK)
    for _ in range(3):
        camera_health_record(camera_id=camera.pk, result=FAIL)
    camera.refresh_from_db()
    camera.status = CameraStatus.FAULTY
    camera_save(camera=camera)
    camera.refresh_from_db()
    camera.status = CameraStatus.IN_SERVICE
    camera_save(camera=camera)
    for _ in range(3):
        camera_health_record(camera_id=camera.pk, result=FAIL)
    camera.refresh_from_db()
    assert camera.health == Health.OFFLINE
    assert CameraOutage.objects.filter(camera=camera).count() == 1
