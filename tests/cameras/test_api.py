"""Camera API: filters, constant query counts in the page size, validation, summaries, demo data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from cameras.choices import CameraStatus
from cameras.models import Camera
from tests.cameras.factories import CameraFactory, RecorderFactory
from tests.factories.sites import SiteFactory

pytestmark = pytest.mark.django_db


def test_list_filtered_by_status_and_site_in_constant_queries(api, make_user, django_assert_max_num_queries):
    site, other = SiteFactory(), SiteFactory()
    recorder = RecorderFactory(site=site, channels=200)
    # With passwords: reading one on a deferred column would cost a query per row.
    CameraFactory.create_batch(60, site=site, recorder=recorder, status=CameraStatus.IN_SERVICE, password="pw")
    CameraFactory.create_batch(5, site=site, status=CameraStatus.FAULTY)
    CameraFactory.create_batch(5, site=other)
    client = api(make_user(Role.POLICE_OPERATOR, unit=site.unit))
    client.get("/api/cameras/", {"page_size": 1})  # loads the user's permissions and units once
    counts = {}
    for size in (5, 60):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/cameras/", {"status": "in_service", "site_id": site.pk, "page_size": size})
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 60 and len(body["results"]) == size
        assert all(row["status"] == "in_service" and row["site"] == site.pk for row in body["results"])
        counts[size] = len(queries)
    assert counts[5] == counts[60]
    with django_assert_max_num_queries(counts[60]):
        client.get("/api/cameras/", {"status": "in_service", "site_id": site.pk, "page_size": 60})


def test_validation_errors_save_nothing(api, make_user):
    site = SiteFactory()
    recorder = RecorderFactory(site=site, channels=4)
    response = api(make_user(Role.TECHNICIAN)).post(
        "/api/cameras/",
        {
            "code": "x y",
            "site": site.pk,
            "camera_type": "fisheye_360",
            "recorder": recorder.pk,
            "recorder_channel": 9,
            "stream_url": "rtsp://admin:pw@192.0.2.1/x",
            "install_date": "2024-01-01",
            "warranty_end": "2023-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert {"code"} <= set(response.json()["extra"]["fields"])
    assert not Camera.objects.exists()


def test_recorder_channels_cannot_shrink_below_used(api, make_user):
    recorder = RecorderFactory(channels=16)
    CameraFactory(site=recorder.site, recorder=recorder, recorder_channel=12)
    response = api(make_user(Role.TECHNICIAN)).patch(f"/api/recorders/{recorder.pk}/", {"channels": 8}, format="json")
    assert response.status_code == 400 and "12" in response.json()["message"]


def test_demo_district_reads_77_of_87_and_reloads_without_changes(demo, api, make_user):
    from cameras import demo as cameras_demo

    cameras_demo.load()
    history = Camera.history.count()
    cameras_demo.load()
    assert Camera.history.count() == history
    rows = api(make_user(Role.POLICE_OPERATOR)).get("/api/cameras/summary/", {"by": "recorder"}).json()
    police = [r for r in rows if "Công an" in r["name"]]
    assert sum(r["total"] for r in police) == 87 and sum(r["working"] for r in police) == 77
    assert Camera.objects.filter(site__code="ubnd-tam-giang").count() == 7
    # Only loopback or TEST-NET-1 addresses, and only Tam Giang's loopback ones are probed.
    for url in Camera.objects.values_list("stream_url", flat=True):
        assert url.startswith(("rtsp://127.0.0.1:", "rtsp://192.0.2."))
    probed = Camera.objects.filter(status="in_service", maintenance=False)
    assert set(probed.values_list("site__code", flat=True)) == {"ubnd-tam-giang"}
    gaps = api(make_user(Role.FINANCE)).get("/api/cameras/gaps/").json()
    assert gaps and {g["reason"] for g in gaps} == {"uncovered", "no_preferred_type"}
