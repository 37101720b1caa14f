"""
Exports (issue 15): every `/export/` action of the API answers `?format=xlsx` and `?format=csv` (DRF
read `format` as a renderer and answered 404), and formulas in stored text reach no spreadsheet live.
"""

import io

import pytest
from openpyxl import load_workbook

from accounts.roles import Role
from sites.models import Equipment

pytestmark = pytest.mark.django_db

EXPORTS = ["units", "sites", "rooms", "equipment", "recorders", "cameras"]


@pytest.mark.parametrize("prefix", EXPORTS)
def test_every_api_export_answers_xlsx_and_csv(api, make_user, demo, prefix):
    user = make_user(Role.ADMINISTRATOR)
    response = api(user).get(f"/api/{prefix}/export/?format=xlsx")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    header = next(load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert header[0] == "code"
    response = api(user).get(f"/api/{prefix}/export/?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeffcode".encode())
    response = api(user).get(f"/api/{prefix}/export/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


def test_an_export_refused_to_a_role_is_still_a_json_403(api, make_user, demo):
    response = api(make_user(None)).get("/api/equipment/export/?format=xlsx")
    assert response.status_code == 403
    assert "message" in response.json()


def test_stored_formulas_and_control_characters_export_as_plain_text(api, make_user, demo):
    user = make_user(Role.ADMINISTRATOR)
    Equipment.objects.filter(pk=Equipment.objects.order_by("pk").first().pk).update(
        model='=HYPERLINK("http://evil.example/x")\x01'
    )
    response = api(user).get("/api/equipment/export/?format=xlsx")
    assert response.status_code == 200
    values = [c for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True) for c in row]
    assert '\'=HYPERLINK("http://evil.example/x")' in values
