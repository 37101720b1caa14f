"""Camera and recorder CSV/XLSX import and export: dry run, bad rows by line, round trip, scoping."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from accounts.roles import Role
from cameras.imports import CameraImportSpec, RecorderImportSpec
from cameras.models import Camera, Recorder
from common.imports import export_csv, export_xlsx, run_import
from sites.models import AdministrativeUnit
from tests.cameras.factories import CameraFactory, RecorderFactory
from tests.factories.sites import SiteFactory

pytestmark = pytest.mark.django_db


def _csv(rows):
    return "\n".join(",".join(str(c) for c in row) for row in rows).encode()


def _xlsx(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def technician(make_user):
    return make_user(Role.TECHNICIAN)


@pytest.fixture
def site():
    return SiteFactory(code="ubnd-x")


def test_recorders_then_cameras_with_dry_run(technician, site):
    recorders = [
        ["code", "name", "site", "kind", "operator", "channels"],
        ["nvr-x", "NVR X", "ubnd-x", "nvr", "Công an", 8],
    ]
    assert run_import(RecorderImportSpec(technician), _xlsx(recorders), "r.xlsx", dry_run=False).written
    rows = [
        ["code", "site", "camera_type", "placement", "floor", "recorder", "recorder_channel", "stream_url", "cost_vnd"],
        ["cam-a", "ubnd-x", "fisheye_360", "corridor", 2, "nvr-x", 1, "rtsp://192.0.2.10:554/s1", 9800000],
        ["cam-b", "ubnd-x", "bullet", "gate", 1, "nvr-x", 2, "", ""],
    ]
    dry = run_import(CameraImportSpec(technician), _csv(rows), "c.csv", dry_run=True)
    assert dry.ok and dry.created == 2 and not Camera.objects.exists()
    real = run_import(CameraImportSpec(technician), _csv(rows), "c.csv", dry_run=False)
    assert real.written
    camera = Camera.objects.get(code="cam-a")
    assert camera.recorder.code == "nvr-x" and camera.floor == 2 and camera.cost_vnd == 9_800_000


def test_bad_rows_are_reported_and_nothing_is_written(technician, site):
    RecorderFactory(code="nvr-small", site=site, channels=4)
    CameraFactory(code="cam-taken", site=site, recorder=Recorder.objects.get(code="nvr-small"), recorder_channel=1)
    count = Camera.objects.count()
    rows = [
        ["code", "site", "camera_type", "recorder", "recorder_channel", "stream_url", "cost_vnd"],
        ["ok-1", "ubnd-x", "dome", "", "", "", ""],  # 2: fine
        ["bad-type", "ubnd-x", "fisheye", "", "", "", ""],  # 3: unknown type
        ["bad-site", "nowhere", "dome", "", "", "", ""],  # 4: unknown site
        ["bad-channel", "ubnd-x", "dome", "nvr-small", "9", "", ""],  # 5: beyond the recorder's channels
        ["taken", "ubnd-x", "dome", "nvr-small", "1", "", ""],  # 6: channel already used
        ["creds", "ubnd-x", "dome", "", "", "rtsp://admin:pw@192.0.2.1/s", ""],  # 7: credentials in the URL
        ["formula", "ubnd-x", "dome", "", "", "", "=1+1"],  # 8: a formula
        ["ok-1", "ubnd-x", "dome", "", "", "", ""],  # 9: repeats line 2
        ["cost", "ubnd-x", "dome", "", "", "", "-5"],  # 10: negative cost (a formula-like '-' too)
        ["no-url", "ubnd-x", "dome", "", "", "ftp://192.0.2.1/x", ""],  # 11: not a stream scheme
    ]
    report = run_import(CameraImportSpec(technician), _csv(rows), "c.csv", dry_run=False)
    assert not report.written
    by_line = {e.line: e.errors for e in report.errors}
    assert set(by_line) == {3, 4, 5, 6, 7, 8, 9, 10, 11}
    assert "camera_type" in by_line[3] and "site" in by_line[4]
    assert "recorder_channel" in by_line[5]
    assert "stream_url" in by_line[7] and "pw" not in str(by_line[7])
    assert "code" in by_line[9]
    assert Camera.objects.count() == count


def test_import_cannot_touch_another_communes_site(make_user, demo):
    tech = make_user(Role.TECHNICIAN, unit=AdministrativeUnit.objects.get(code="tam-hai"))
    rows = [["code", "site", "camera_type"], ["c1", "ubnd-tam-giang", "dome"], ["c2", "ubnd-tam-hai", "dome"]]
    report = run_import(CameraImportSpec(tech), _csv(rows), "c.csv", dry_run=True)
    assert [e.line for e in report.errors] == [2]


def test_export_round_trip_is_unchanged_and_has_no_password(technician, site):
    recorder = RecorderFactory(code="nvr-r", site=site)
    CameraFactory(code="cam-r", site=site, recorder=recorder, recorder_channel=3, password="Sup3r-secret", cost_vnd=5)
    spec = CameraImportSpec(technician)
    content = export_xlsx(spec)
    header = [c.value for c in next(load_workbook(io.BytesIO(content)).active.iter_rows(max_row=1))]
    assert "password" not in header and "recorder" in header
    report = run_import(CameraImportSpec(technician), content, "c.xlsx", dry_run=False)
    assert report.ok and report.unchanged == 1 and report.created == report.updated == 0
    csv_content = export_csv(spec)
    assert b"Sup3r-secret" not in csv_content and b"cam-r" in csv_content
    assert run_import(CameraImportSpec(technician), csv_content, "c.csv", dry_run=True).unchanged == 1
    assert Camera.objects.get(code="cam-r").password == "Sup3r-secret"


def test_import_endpoint_and_pages(api, client, technician, site):
    rows = [["code", "site", "camera_type"], ["via-api", "ubnd-x", "ptz"], ["bad", "ubnd-x", "nope"]]
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("c.csv", _csv(rows), content_type="text/csv")
    response = api(technician).post("/api/cameras/import/", {"file": upload, "dry_run": False}, format="multipart")
    assert response.status_code == 400
    assert response.json()["extra"]["errors"][0]["line"] == 3
    assert not Camera.objects.filter(code="via-api").exists()
    client.force_login(technician)
    assert client.get("/cameras/cameras/export/?format=xlsx").status_code == 200
    assert client.get("/cameras/cameras/import/").status_code == 200
