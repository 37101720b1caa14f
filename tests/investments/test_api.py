"""
The investments API: the permission triad on every endpoint (anonymous 401, no role 403, a commune
officer sees the own commune's lines only and nothing else), writes by finance, approval by
leaders, 409 on a stale version, summary totals, exports read back.
"""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from accounts.roles import Role
from investments.models import (
    Allocation,
    CatalogueItem,
    ItemPrice,
    KitLine,
    Phase,
    PlanLine,
    Spending,
    StandardKit,
)
from investments.selectors import plan_totals
from sites.models import Site

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("catalogue-items", CatalogueItem),
    ("item-prices", ItemPrice),
    ("standard-kits", StandardKit),
    ("kit-lines", KitLine),
    ("investment-plans", None),
    ("plan-phases", Phase),
    ("plan-lines", PlanLine),
    ("allocations", Allocation),
    ("spending", Spending),
]


def _some(model, plan):
    from investments.models import InvestmentPlan

    return plan if model is None else (model or InvestmentPlan).objects.first()


@pytest.mark.parametrize(("basename", "model"), ENDPOINTS)
def test_api_triad(api, make_user, inv_demo, officer, finance, leader, basename, model):
    obj = _some(model, inv_demo)
    url, detail = f"/api/{basename}/", f"/api/{basename}/{obj.pk}/"
    assert api().get(url).status_code == 401
    assert api(make_user(None)).get(url).status_code == 403
    assert api(make_user(Role.TECHNICIAN)).get(detail).status_code == 403
    for user in (finance, leader, make_user(Role.ADMINISTRATOR)):
        assert api(user).get(url).status_code == 200
        assert api(user).get(detail).status_code == 200
    if basename == "plan-lines":
        return
    assert api(officer).get(url).status_code == 403


def test_officer_reads_own_lines_only(api, inv_demo, officer):
    own = PlanLine.objects.filter(site__unit__code="tam-hai").first()
    other = PlanLine.objects.filter(site__unit__code="tam-giang").first()
    client = api(officer)
    rows = client.get("/api/plan-lines/", {"page_size": 1000}).json()["results"]
    assert rows and {r["site"] for r in rows} == {own.site_id}
    assert client.get(f"/api/plan-lines/{own.pk}/").status_code == 200
    assert client.get(f"/api/plan-lines/{other.pk}/").status_code == 404
    assert client.patch(f"/api/plan-lines/{own.pk}/", {"quantity": 9, "plan_version": 1}).status_code == 403
    assert client.post(f"/api/plan-lines/{own.pk}/deliver/").status_code == 403
    assert client.get(f"/api/investment-plans/{inv_demo.pk}/summary/").status_code == 403


DECISION = {"decision_number": "123/QĐ-UBND", "decision_date": "2026-02-01"}


def test_leader_cannot_edit_finance_cannot_approve(api, inv_demo, finance, leader):
    line = PlanLine.objects.filter(plan=inv_demo).first()
    body = {"quantity": 2, "plan_version": inv_demo.version}
    assert api(leader).patch(f"/api/plan-lines/{line.pk}/", body).status_code == 403
    assert (
        api(finance).post(f"/api/investment-plans/{inv_demo.pk}/approve/", {"version": inv_demo.version}).status_code
        == 403
    )
    response = api(leader).post(
        f"/api/investment-plans/{inv_demo.pk}/approve/", {"version": inv_demo.version, **DECISION}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["number"] == 1


def test_finance_edits_lines_with_the_version(api, inv_demo, finance):
    line = PlanLine.objects.filter(plan=inv_demo).first()
    client = api(finance)
    response = client.patch(
        f"/api/plan-lines/{line.pk}/", {"quantity": 3, "plan_version": inv_demo.version}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["amount_vnd"] == 3 * line.unit_price_vnd
    stale = client.patch(
        f"/api/plan-lines/{line.pk}/", {"quantity": 4, "plan_version": inv_demo.version}, format="json"
    )
    assert stale.status_code == 409
    assert stale.json()["extra"]["current_version"] == inv_demo.version + 1
    missing = client.patch(f"/api/plan-lines/{line.pk}/", {"quantity": 4}, format="json")
    assert missing.status_code == 400


def test_create_line_bad_input(api, inv_demo, finance):
    client = api(finance)
    site = Site.objects.get(code="ubnd-tam-hai")
    item = CatalogueItem.objects.get(code="ups-2kva")
    base = {"plan": inv_demo.pk, "site": site.pk, "item": item.pk, "plan_version": inv_demo.version}
    assert client.post("/api/plan-lines/", {**base, "quantity": -1}, format="json").status_code == 400
    assert (
        client.post("/api/plan-lines/", {**base, "quantity": 1, "unit_price_vnd": -5}, format="json").status_code == 400
    )
    unpriced = CatalogueItem.objects.create(code="np", name="Chưa có giá", equipment_kind="other")
    response = client.post("/api/plan-lines/", {**base, "item": unpriced.pk, "quantity": 1}, format="json")
    assert response.status_code == 400 and "Chưa có giá" in response.json()["message"]
    ok = client.post("/api/plan-lines/", {**base, "quantity": 2}, format="json")
    assert ok.status_code == 201 and ok.json()["amount_vnd"] == 16_600_000


def test_plan_put_conflict(api, inv_demo, finance):
    client = api(finance)
    url = f"/api/investment-plans/{inv_demo.pk}/"
    assert client.patch(url, {"title": "A", "version": inv_demo.version}, format="json").status_code == 200
    response = client.patch(url, {"title": "B", "version": inv_demo.version}, format="json")
    assert response.status_code == 409
    assert "changed this plan" in response.json()["message"] or response.json()["message"]


def test_generate_and_summary(api, inv_demo, finance):
    client = api(finance)
    site = Site.objects.get(code="ubnd-tam-hai")
    response = client.post(
        f"/api/investment-plans/{inv_demo.pk}/generate/",
        {"version": inv_demo.version, "site_ids": [site.pk]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["sites"] == 1 and response.json()["cameras_checked"] in (True, False)
    summary = client.get(f"/api/investment-plans/{inv_demo.pk}/summary/").json()
    totals = plan_totals(plan=inv_demo)
    assert summary["total_vnd"] == totals.total_vnd
    assert sum(r["amount_vnd"] for r in summary["by_site"]) == totals.total_vnd
    assert summary["funding"]["totals"]["planned_vnd"] == totals.total_vnd
    assert client.get(f"/api/investment-plans/{inv_demo.pk}/reuses/").status_code == 200


def test_allocation_answers_warnings(api, inv_demo, finance, settings):
    settings.INVESTMENTS_OVERRUN_BLOCKS = False
    phase = inv_demo.phases.get(number=3)
    body = {"plan": inv_demo.pk, "phase": phase.pk, "year": 2028, "source": "province", "amount_vnd": 10**12}
    response = api(finance).post("/api/allocations/", body, format="json")
    assert response.status_code == 201
    assert [w["code"] for w in response.json()["warnings"]] == ["over_allocated"]
    settings.INVESTMENTS_OVERRUN_BLOCKS = True
    body["source"] = "contributions"
    blocked = api(finance).post("/api/allocations/", body, format="json")
    assert blocked.status_code == 400


def test_revisions_and_compare(api, inv_demo, finance, leader):
    api(leader).post(f"/api/investment-plans/{inv_demo.pk}/approve/", {"version": inv_demo.version, **DECISION})
    inv_demo.refresh_from_db()
    line = PlanLine.objects.filter(plan=inv_demo).first()
    url = f"/api/plan-lines/{line.pk}/"
    no_reason = api(finance).delete(f"{url}?plan_version={inv_demo.version}")
    assert no_reason.status_code == 400
    assert api(finance).delete(f"{url}?plan_version={inv_demo.version}&reason=Bỏ").status_code == 204
    revisions = api(leader).get(f"/api/investment-plans/{inv_demo.pk}/revisions/").json()
    assert [r["number"] for r in revisions] == [2, 1]
    diff = api(leader).get(f"/api/investment-plans/{inv_demo.pk}/compare/", {"old": 1, "new": 2}).json()
    assert diff["delta_vnd"] == -line.amount_vnd
    assert [c["change"] for c in diff["changes"]] == ["removed"]


def test_delivery_by_api(api, inv_demo, finance):
    line = PlanLine.objects.filter(plan=inv_demo, item__equipment_kind="display").first()
    response = api(finance).post(f"/api/plan-lines/{line.pk}/deliver/", {"delivered_on": "2026-09-01"}, format="json")
    assert response.status_code == 201
    assert len(response.json()["records"]) == line.quantity
    again = api(finance).post(f"/api/plan-lines/{line.pk}/deliver/", {}, format="json")
    assert again.status_code == 400


def test_xlsx_export_reads_back_to_api_totals(api, inv_demo, leader):
    client = api(leader)
    summary = client.get(f"/api/investment-plans/{inv_demo.pk}/summary/").json()
    response = client.get(f"/api/investment-plans/{inv_demo.pk}/export/estimate/xlsx/")
    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.content))
    ws = wb.worksheets[1]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    *lines, total = rows
    assert total[5] == summary["total_vnd"] == sum(r[5] for r in lines)
    assert all(r[3] * r[4] == r[5] for r in lines)
    per_phase = list(wb.worksheets[2].iter_rows(min_row=2, values_only=True))
    assert [r[2] for r in per_phase[:-1]] == [p["amount_vnd"] for p in summary["by_phase"]]
    road = client.get(f"/api/investment-plans/{inv_demo.pk}/export/roadmap/xlsx/")
    ws = load_workbook(BytesIO(road.content)).worksheets[0]
    *phases, total = list(ws.iter_rows(min_row=2, values_only=True))
    funding = summary["funding"]["totals"]
    assert sum(row[3] for row in phases) == funding["planned_vnd"]
    assert total[3:7] == (
        funding["planned_vnd"],
        funding["allocated_vnd"],
        funding["committed_vnd"],
        funding["spent_vnd"],
    )
    assert client.get(f"/api/investment-plans/{inv_demo.pk}/export/estimate/pdf/").content[:4] == b"%PDF"


def test_a_formula_plan_title_is_text_in_the_estimate_xlsx(api, inv_demo, leader):
    """Issue 15: a plan title starting with `=` was written to the estimate XLSX as a live formula."""
    type(inv_demo).objects.filter(pk=inv_demo.pk).update(title='=HYPERLINK("http://evil.example/x")')
    response = api(leader).get(f"/api/investment-plans/{inv_demo.pk}/export/estimate/xlsx/")
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value]
    assert any(c.value == '\'=HYPERLINK("http://evil.example/x")' for c in cells)
    assert not any(c.data_type == "f" for c in cells)
