"""
Hostile import files (issue 15): spreadsheet bombs, over-long CSV fields and echoed input are refused
with a short, clear error on every import endpoint, API and pages, and never read in full.
"""

import io
import tracemalloc

import pytest
from django.urls import reverse

from accounts.roles import Role
from common.imports import QUOTE_MAX_CHARS, run_import
from sites.imports import EquipmentImportSpec
from tests.common.xlsx_files import huge_cell_xlsx, many_rows_xlsx

pytestmark = pytest.mark.django_db

API_IMPORTS = ["units", "sites", "rooms", "equipment", "recorders", "cameras"]
PAGE_IMPORTS = [
    "sites:administrativeunit_import",
    "sites:site_import",
    "sites:room_import",
    "sites:equipment_import",
    "cameras:camera_import",
    "cameras:recorder_import",
]
HEADER = ["code", "site", "kind"]


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """296 KB on disk, one cell of 300,000,000 characters (the file of the report)."""
    return huge_cell_xlsx(HEADER, 300_000_000)


@pytest.fixture
def tech(make_user, demo):
    return make_user(Role.ADMINISTRATOR)


def _upload(content: bytes, name: str) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def _post_everywhere(api, client, user, content: bytes, name: str) -> list[str]:
    """Every import endpoint's answer: the API's 400 message list and the page's text."""
    answers = []
    for prefix in API_IMPORTS:
        response = api(user).post(
            f"/api/{prefix}/import/", {"file": _upload(content, name), "dry_run": "true"}, format="multipart"
        )
        assert response.status_code == 400, (prefix, response.status_code)
        assert len(response.content) < 4000, prefix
        answers.append(" ".join(response.json()["extra"]["file_errors"]))
    client.force_login(user)
    for name_ in PAGE_IMPORTS:
        response = client.post(reverse(name_), {"file": _upload(content, name)})
        assert response.status_code == 200, name_
        assert len(response.content) < 200_000, name_
        answers.append(response.content.decode())
    return answers


def test_a_300_million_character_cell_is_refused_quickly_in_little_memory(api, client, tech, bomb):
    assert len(bomb) < 400_000
    tracemalloc.start()
    try:
        report = run_import(EquipmentImportSpec(tech), bomb, "bomb.xlsx", dry_run=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.file_errors == ["The XLSX file unpacks to more than 100 MB."]
    assert peak < 20 * 2**20, peak  # the file itself is 0.3 MB; openpyxl needed 2 GB
    for answer in _post_everywhere(api, client, tech, bomb, "bomb.xlsx"):
        assert "unpacks to more than 100 MB" in answer
        assert "AAAAAAAAAA" not in answer


def test_a_long_cell_is_refused_at_the_limit_without_reading_it_whole(tech, settings):
    settings.IMPORT_MAX_CELL_CHARS = 1000
    content = huge_cell_xlsx(HEADER, 50 * 2**20)  # under the unpacked-size limit
    tracemalloc.start()
    try:
        report = run_import(EquipmentImportSpec(tech), content, "long.xlsx", dry_run=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.file_errors == ["A cell has more than 1000 characters."]
    assert peak < 5 * 2**20, peak  # 50 MB of text, never held


def test_a_sheet_with_too_many_rows_is_refused_without_reading_past_the_limit(tech, settings):
    settings.IMPORT_MAX_ROWS = 1000
    # The XML is broken right after row 1,010: reading any further would be "cannot be read".
    content = many_rows_xlsx(HEADER, 4_000_000, broken_after=1010)
    report = run_import(EquipmentImportSpec(tech), content, "rows.xlsx", dry_run=True)
    assert report.file_errors == ["The file has more than 1000 rows."]
    # The same file cut after 999 rows is read to its (broken) end.
    content = many_rows_xlsx(HEADER, 4_000_000, broken_after=999)
    report = run_import(EquipmentImportSpec(tech), content, "rows.xlsx", dry_run=True)
    assert report.file_errors == ["The XLSX file cannot be read."]


def test_the_default_row_limit_stops_a_long_sheet_early(tech):
    content = many_rows_xlsx(HEADER, 4_000_000, broken_after=50_005)
    report = run_import(EquipmentImportSpec(tech), content, "rows.xlsx", dry_run=True)
    assert report.file_errors == ["The file has more than 50000 rows."]


def test_a_csv_field_over_the_csv_module_limit_is_a_clear_400_everywhere(api, client, tech):
    content = ("code,site,kind\n" + "x" * 131_073 + ",ubnd-tam-hai,display\n").encode()
    for answer in _post_everywhere(api, client, tech, content, "field.csv"):
        assert "Line 2: a cell has more than 10000 characters." in answer
        assert "x" * 100 not in answer


def test_messages_never_quote_more_than_a_few_dozen_characters_of_input(api, tech):
    long_code = "s" * 5000
    content = f"code,site,kind,{'z' * 3000}\n".encode()
    report = run_import(EquipmentImportSpec(tech), content, "cols.csv", dry_run=True)
    assert report.file_errors and len(report.file_errors[0]) < 200
    content = f"code,site,kind\ne-1,{long_code},display\ne-2,ubnd-tam-hai,{'k' * 5000}\n".encode()
    report = run_import(EquipmentImportSpec(tech), content, "rows.csv", dry_run=True)
    messages = [m for e in report.errors for ms in e.errors.values() for m in ms]
    assert len(report.errors) == 2, messages
    assert all(len(m) < 200 for m in messages), messages
    assert any("s" * QUOTE_MAX_CHARS + "…" in m for m in messages), messages
