"""
Health recording: flap suppression (offline after N failures, back after M successes), outages,
alerts, uptime, maintenance skip, and a full sweep against real loopback servers.
"""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from cameras.choices import AlertKind, CameraStatus, Health
from cameras.models import Camera, CameraAlert, CameraOutage
from cameras.probes import ProbeResult
from cameras.selectors import camera_uptimes
from cameras.services import camera_health_record, camera_health_sweep
from tests.cameras.conftest import closed_port
from tests.cameras.factories import CameraFactory

pytestmark = pytest.mark.django_db

OK = ProbeResult(0, True, "done")
FAIL = ProbeResult(0, False, "tcp", "connection refused")


def record(camera, result, at=None):
    return camera_health_record(camera_id=camera.pk, result=result, at=at)


def test_offline_only_after_n_consecutive_failures(probe_settings, django_capture_on_commit_callbacks):
    camera = CameraFactory()
    assert record(camera, OK) is None  # first success: unknown → online, no alert
    camera.refresh_from_db()
    assert camera.health == Health.ONLINE
    start = timezone.now()
    with django_capture_on_commit_callbacks() as callbacks:
        assert record(camera, FAIL, start) is None
        assert record(camera, OK, start + timedelta(minutes=1)) is None  # a blip resets the count
        assert record(camera, FAIL, start + timedelta(minutes=2)) is None
        assert record(camera, FAIL, start + timedelta(minutes=3)) is None
        assert record(camera, FAIL, start + timedelta(minutes=4)) == "offline"
        assert record(camera, FAIL, start + timedelta(minutes=5)) is None  # already offline: one alert
    camera.refresh_from_db()
    assert camera.health == Health.OFFLINE and camera.consecutive_failures == 4
    assert camera.last_probe_error == "tcp: connection refused"
    outage = CameraOutage.objects.get(camera=camera)
    assert outage.started_at == start + timedelta(minutes=2)  # the first failure of the streak
    assert outage.ended_at is None
    alert = CameraAlert.objects.get(camera=camera)
    assert alert.kind == AlertKind.OFFLINE
    # After commit: one alert broadcast, one "cameras changed" to the site's open pages, and the cached
    # figures that read cameras and incidents (the sites' states, the camera health panel) forgotten.
    assert len(callbacks) == 4


def test_recovery_after_m_consecutive_successes(probe_settings):
    camera = CameraFactory()
    start = timezone.now() - timedelta(hours=1)
    for i in range(3):
        record(camera, FAIL, start + timedelta(minutes=i))
    assert record(camera, OK, start + timedelta(minutes=10)) is None  # one success is not enough
    assert record(camera, FAIL, start + timedelta(minutes=11)) is None
    assert record(camera, OK, start + timedelta(minutes=12)) is None
    assert record(camera, OK, start + timedelta(minutes=13)) == "recovered"
    camera.refresh_from_db()
    assert camera.health == Health.ONLINE and camera.last_seen_at == start + timedelta(minutes=13)
    outage = CameraOutage.objects.get(camera=camera)
    assert outage.ended_at == start + timedelta(minutes=13)
    assert list(CameraAlert.objects.filter(camera=camera).values_list("kind", flat=True)) == [
        AlertKind.RECOVERED,
        AlertKind.OFFLINE,
    ]


def test_health_recording_leaves_inventory_and_history_alone(probe_settings):
    camera = CameraFactory(name="Hành lang")
    versions = camera.history.count()
    Camera.objects.filter(pk=camera.pk).update(name="Renamed by a technician meanwhile")
    for _ in range(3):
        record(camera, FAIL)
    camera.refresh_from_db()
    assert camera.name == "Renamed by a technician meanwhile"
    assert camera.history.count() == versions


def test_maintenance_and_faulty_cameras_are_not_recorded(probe_settings):
    in_maintenance = CameraFactory(maintenance=True)
    faulty = CameraFactory(status=CameraStatus.FAULTY)
    for camera in (in_maintenance, faulty):
        for _ in range(5):
            assert record(camera, FAIL) is None
        camera.refresh_from_db()
        assert camera.health == Health.UNKNOWN and camera.last_probe_at is None
    assert not CameraAlert.objects.exists()


def test_uptime_over_24_hours_and_30_days():
    now = timezone.now()
    camera = CameraFactory()
    Camera.objects.filter(pk=camera.pk).update(monitored_since=now - timedelta(days=40))
    camera.refresh_from_db()
    CameraOutage.objects.create(camera=camera, started_at=now - timedelta(hours=6), ended_at=now - timedelta(hours=3))
    CameraOutage.objects.create(camera=camera, started_at=now - timedelta(days=10), ended_at=now - timedelta(days=9))
    day = camera_uptimes(cameras=[camera], window=timedelta(hours=24), now=now)[camera.pk]
    month = camera_uptimes(cameras=[camera], window=timedelta(days=30), now=now)[camera.pk]
    assert day == pytest.approx(100 * (1 - 3 / 24), abs=0.01)
    assert month == pytest.approx(100 * (1 - 27 / 720), abs=0.01)
    fresh = CameraFactory()
    assert camera_uptimes(cameras=[fresh], window=timedelta(hours=24))[fresh.pk] is None


def test_open_outage_counts_until_now():
    now = timezone.now()
    camera = CameraFactory()
    Camera.objects.filter(pk=camera.pk).update(monitored_since=now - timedelta(hours=2))
    camera.refresh_from_db()
    CameraOutage.objects.create(camera=camera, started_at=now - timedelta(hours=1))
    assert camera_uptimes(cameras=[camera], window=timedelta(hours=24), now=now)[camera.pk] == 50.0


def test_sweep_against_loopback_servers(probe_settings, loopback, caplog):
    """Answering, silent, malformed and refused cameras; maintenance skipped; passwords never logged."""
    answer = loopback.start("answer")
    silent = loopback.start("silent")
    malformed = loopback.start("malformed")
    digest = loopback.start("digest", username="viewer", password="Pa55-word-xyz")
    good = CameraFactory(stream_url=answer.url())
    authed = CameraFactory(stream_url=digest.url(), username="viewer", password="Pa55-word-xyz")
    hanging = CameraFactory(stream_url=silent.url())
    garbage = CameraFactory(stream_url=malformed.url())
    refused = CameraFactory(stream_url=f"rtsp://127.0.0.1:{closed_port()}/x")
    skipped = CameraFactory(stream_url=answer.url(), maintenance=True)
    caplog.set_level(logging.DEBUG)
    for _ in range(3):
        report = camera_health_sweep()
        assert report.probed == 5 and report.ok == 2
        assert report.seconds < 2.5  # one deadline (1.5 s) at most, the silent camera in parallel
    assert report.went_offline == 3
    states = dict(Camera.objects.values_list("pk", "health"))
    assert states[good.pk] == states[authed.pk] == Health.ONLINE
    assert states[hanging.pk] == states[garbage.pk] == states[refused.pk] == Health.OFFLINE
    assert states[skipped.pk] == Health.UNKNOWN
    assert CameraAlert.objects.filter(kind=AlertKind.OFFLINE).count() == 3
    assert "Pa55-word-xyz" not in caplog.text
    # The silent camera comes back as a proper responder on the same port: recovery after 2 sweeps.
    port = silent.port
    loopback.stop(silent)
    loopback.start("answer", port=port)
    camera_health_sweep()
    assert Camera.objects.get(pk=hanging.pk).health == Health.OFFLINE
    assert camera_health_sweep().recovered == 1
    assert Camera.objects.get(pk=hanging.pk).health == Health.ONLINE


def test_overlapping_sweep_is_skipped(probe_settings):
    from django.core.cache import cache

    from cameras.constants import SWEEP_LOCK_KEY

    cache.set(SWEEP_LOCK_KEY, "1", 30)
    try:
        assert camera_health_sweep().skipped
    finally:
        cache.delete(SWEEP_LOCK_KEY)


def test_beat_schedule_runs_the_sweep_task():
    from portal.celery import collect_beat_schedule

    entry = collect_beat_schedule()["cameras-health-sweep"]
    assert entry["task"] == "cameras.tasks.camera_health_sweep"
    from cameras.tasks import camera_health_sweep as task

    assert task.name == entry["task"]


def test_sweep_task_runs_the_service(probe_settings, loopback):
    from cameras.tasks import camera_health_sweep as task

    server = loopback.start("answer")
    camera = CameraFactory(stream_url=server.url())
    result = task.apply().get()
    assert result["probed"] == 1 and result["ok"] == 1
    assert Camera.objects.get(pk=camera.pk).health == Health.ONLINE


def test_maintenance_ends_the_outage_and_the_camera_returns_without_an_alert(probe_settings):
    from cameras.services import camera_save

    camera = CameraFactory()
    for _ in range(3):
        record(camera, FAIL)
    camera.refresh_from_db()
    assert camera.health == Health.OFFLINE
    camera.maintenance = True
    camera_save(camera=camera)
    camera.refresh_from_db()
    assert camera.health == Health.UNKNOWN and camera.consecutive_failures == 0
    assert CameraOutage.objects.get(camera=camera).ended_at is not None
    camera.maintenance = False
    camera_save(camera=camera)
    assert record(camera, OK) is None
    camera.refresh_from_db()
    assert camera.health == Health.ONLINE
    assert list(CameraAlert.objects.values_list("kind", flat=True)) == [AlertKind.OFFLINE]
