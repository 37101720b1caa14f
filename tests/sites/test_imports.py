"""CSV/XLSX import and export: dry run, row errors, nothing written on error, round trip."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from accounts.roles import Role
from common.imports import export_csv, export_xlsx, run_import
from sites.imports import EquipmentImportSpec, SiteImportSpec, UnitImportSpec
from sites.models import AdministrativeUnit, Equipment, Site

pytestmark = pytest.mark.django_db


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _csv(rows):
    return "\n".join(",".join(str(c) for c in row) for row in rows).encode()


@pytest.fixture
def tech(make_user, demo):
    return make_user(Role.ADMINISTRATOR)


def test_units_import_with_parent_defined_earlier_in_the_file(tech):
    rows = [
        ["code", "name", "kind", "terrain", "parent"],
        ["new-district", "Huyện Mới", "district", "", "quang-nam"],
        ["new-commune", "Xã Mới", "commune", "mountain", "new-district"],
    ]
    dry = run_import(UnitImportSpec(tech), _xlsx(rows), "u.xlsx", dry_run=True)
    assert dry.ok and dry.created == 2 and not dry.written
    assert not AdministrativeUnit.objects.filter(code="new-commune").exists()
    real = run_import(UnitImportSpec(tech), _xlsx(rows), "u.xlsx", dry_run=False)
    assert real.written
    commune = AdministrativeUnit.objects.get(code="new-commune")
    assert commune.parent.code == "new-district" and commune.versions.count() == 1


def test_bad_rows_are_reported_by_line_and_nothing_is_written(tech):
    count = Equipment.objects.count()
    existing_serial = Equipment.objects.exclude(serial="").first()
    rows = [
        ["code", "site", "kind", "serial", "cost_vnd", "status"],
        ["ok-1", "ubnd-tam-hai", "display", "NEW-1", "1000", "working"],  # line 2: fine
        ["bad-type", "ubnd-tam-hai", "display", "NEW-2", "abc", "working"],  # line 3: not a number
        ["bad-site", "no-such-site", "display", "NEW-3", "1", "working"],  # line 4: unknown site
        ["dup", "ubnd-tam-hai", existing_serial.kind, existing_serial.serial, "1", "working"],  # 5: duplicate serial
        ["formula", "ubnd-tam-hai", "display", '=HYPERLINK("x")', "1", "working"],  # line 6: formula
        ["ok-1", "ubnd-tam-hai", "display", "NEW-6", "1", "working"],  # line 7: repeats line 2's code
    ]
    report = run_import(EquipmentImportSpec(tech), _csv(rows), "e.csv", dry_run=False)
    assert not report.ok and not report.written
    by_line = {e.line: e.errors for e in report.errors}
    assert set(by_line) == {3, 4, 5, 6, 7}
    assert "cost_vnd" in by_line[3]
    assert "site" in by_line[4]
    assert "__all__" in by_line[5] or "serial" in by_line[5]
    assert "serial" in by_line[6]
    assert "code" in by_line[7]
    assert Equipment.objects.count() == count
    assert not Equipment.objects.filter(code="ok-1").exists()


def test_duplicate_serial_within_the_file(tech):
    rows = [
        ["code", "site", "kind", "serial"],
        ["d-1", "ubnd-tam-hai", "display", "SAME"],
        ["d-2", "ubnd-tam-hai", "display", "SAME"],
    ]
    report = run_import(EquipmentImportSpec(tech), _csv(rows), "e.csv", dry_run=False)
    assert [e.line for e in report.errors] == [3] and "serial" in report.errors[0].errors
    assert not Equipment.objects.filter(code__in=["d-1", "d-2"]).exists()


def test_wrong_header_is_a_file_error(tech):
    report = run_import(SiteImportSpec(tech), _csv([["code", "nme"], ["x", "y"]]), "s.csv", dry_run=False)
    assert not report.ok and report.file_errors
    assert "nme" in report.file_errors[0]
    report = run_import(SiteImportSpec(tech), b"PK\x03\x04broken", "s.xlsx", dry_run=True)
    assert report.file_errors


def test_export_round_trips_and_neutralises_formulas(tech):
    site = Site.objects.get(code="ubnd-tam-hai")
    site.address = "=1+2 danger"
    site.save()
    content = export_xlsx(SiteImportSpec(tech))
    sheet = load_workbook(io.BytesIO(content)).active
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "ubnd-tam-hai")
    assert row[header.index("address")] == "'=1+2 danger"
    assert sheet.cell(row=2, column=1).data_type != "f"
    # Import what was exported: everything unchanged, nothing created.
    report = run_import(SiteImportSpec(tech), content, "sites.xlsx", dry_run=False)
    assert report.ok, report.as_dict()
    assert report.created == 0 and report.updated == 0 and report.unchanged == Site.objects.count()
    site.refresh_from_db()
    assert site.address == "=1+2 danger"
    csv_report = run_import(EquipmentImportSpec(tech), export_csv(EquipmentImportSpec(tech)), "e.csv", dry_run=True)
    assert csv_report.ok and csv_report.unchanged == Equipment.objects.count()


def test_dry_run_shows_changes(tech):
    rows = [["code", "site", "kind", "status"], ["tam-hai-display-1", "ubnd-tam-hai", "display", "retired"]]
    if not Equipment.objects.filter(code="tam-hai-display-1").exists():
        rows[1][0] = Equipment.objects.filter(site__code="ubnd-tam-hai").first().code
        rows[1][2] = Equipment.objects.get(code=rows[1][0]).kind
    report = run_import(EquipmentImportSpec(tech), _csv(rows), "e.csv", dry_run=True)
    assert report.ok and report.updated == 1
    assert report.rows[0]["changed"] == ["status"]
    assert Equipment.objects.get(code=rows[1][0]).status != "retired"


def test_officer_import_cannot_touch_other_communes(make_user, demo):
    officer = make_user(Role.COMMUNE_OFFICER, unit=AdministrativeUnit.objects.get(code="tam-hai"))
    rows = [["code", "site", "kind"], ["x-1", "ubnd-tam-giang", "display"]]
    report = run_import(EquipmentImportSpec(officer), _csv(rows), "e.csv", dry_run=False)
    assert not report.ok and "site" in report.errors[0].errors


def test_import_api_and_page(api, client, tech):
    rows = [["code", "site", "kind", "serial"], ["api-1", "ubnd-tam-hai", "display", "API-SN-1"]]
    upload = io.BytesIO(_csv(rows))
    upload.name = "e.csv"
    response = api(tech).post("/api/equipment/import/", {"file": upload, "dry_run": "false"}, format="multipart")
    assert response.status_code == 200, response.json()
    assert Equipment.objects.filter(code="api-1").exists()
    assert Equipment.history.filter(code="api-1", history_type="+", history_user=tech).exists()
    bad = io.BytesIO(_csv([["code", "site", "kind"], ["api-2", "nowhere", "display"]]))
    bad.name = "e.csv"
    response = api(tech).post("/api/equipment/import/", {"file": bad, "dry_run": "false"}, format="multipart")
    assert response.status_code == 400 and response.json()["extra"]["errors"][0]["line"] == 2
    client.force_login(tech)
    page = client.get("/sites/equipment/export/?format=csv")
    assert page.status_code == 200 and b"api-1" in page.content
