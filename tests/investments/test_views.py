"""
Web pages: the permission triad on every page (anonymous → login, no permission → 403, another
commune's line → 404), forms that edit through services (conflict shown in the form), the plan
page's total equal to the exports read back.
"""

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from common.templatetags.portal import format_vnd
from investments.models import Allocation, CatalogueItem, KitLine, Phase, PlanLine, StandardKit
from investments.selectors import plan_totals
from investments.services import line_create
from sites.models import Equipment, Site

pytestmark = pytest.mark.django_db


def _pages(plan):
    item, kit = CatalogueItem.objects.first(), StandardKit.objects.first()
    line, phase = PlanLine.objects.filter(plan=plan).first(), plan.phases.first()
    return [
        reverse("investments:catalogueitem_list"),
        reverse("investments:catalogueitem_detail", args=[item.pk]),
        reverse("investments:standardkit_list"),
        reverse("investments:standardkit_detail", args=[kit.pk]),
        reverse("investments:investmentplan_list"),
        reverse("investments:investmentplan_detail", args=[plan.pk]),
        reverse("investments:investmentplan_revisions", args=[plan.pk]),
        reverse("investments:planline_list"),
        reverse("investments:planline_detail", args=[line.pk]),
        reverse("investments:investmentplan_export", args=[plan.pk, "estimate", "xlsx"]),
        reverse("investments:investmentplan_export", args=[plan.pk, "roadmap", "pdf"]),
    ], [
        reverse("investments:catalogueitem_add"),
        reverse("investments:itemprice_add") + f"?item={item.pk}",
        reverse("investments:standardkit_edit", args=[kit.pk]),
        reverse("investments:kitline_add") + f"?kit={kit.pk}",
        reverse("investments:investmentplan_add"),
        reverse("investments:investmentplan_edit", args=[plan.pk]),
        reverse("investments:investmentplan_generate", args=[plan.pk]),
        reverse("investments:investmentplan_assign", args=[plan.pk]),
        reverse("investments:phase_edit", args=[phase.pk]),
        reverse("investments:phase_add") + f"?plan={plan.pk}",
        reverse("investments:planline_add") + f"?plan={plan.pk}",
        reverse("investments:planline_edit", args=[line.pk]),
        reverse("investments:planline_delete", args=[line.pk]),
        reverse("investments:allocation_add") + f"?plan={plan.pk}",
        reverse("investments:allocation_edit", args=[Allocation.objects.first().pk]),
        reverse("investments:spending_add") + f"?plan={plan.pk}",
    ]


def test_pages_triad(client, make_user, inv_demo, finance, leader, officer):
    read, write = _pages(inv_demo)
    for url in read + write:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    client.force_login(make_user(None))
    for url in read + write:
        assert client.get(url).status_code == 403, url
    client.force_login(finance)
    for url in read + write:
        assert client.get(url).status_code == 200, url
    client.force_login(leader)
    for url in read:
        assert client.get(url).status_code == 200, url
    for url in write:
        assert client.get(url).status_code == 403, url
    client.force_login(make_user(Role.ADMINISTRATOR))
    for url in read + write:
        assert client.get(url).status_code == 200, url


def test_officer_sees_own_lines_read_only(client, inv_demo, officer):
    client.force_login(officer)
    own = PlanLine.objects.filter(site__unit__code="tam-hai").first()
    other = PlanLine.objects.filter(site__unit__code="tam-giang").first()
    page = client.get(reverse("investments:planline_list"), {"per_page": 500}).content.decode()
    assert own.site.name in page and other.site.name not in page
    assert client.get(reverse("investments:planline_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("investments:planline_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("investments:planline_edit", args=[own.pk])).status_code == 403
    assert client.post(reverse("investments:planline_deliver", args=[own.pk])).status_code == 403
    assert client.get(reverse("investments:investmentplan_detail", args=[inv_demo.pk])).status_code == 403


def test_plan_page_total_matches_exports(client, inv_demo, leader):
    client.force_login(leader)
    total = plan_totals(plan=inv_demo).total_vnd
    page = client.get(reverse("investments:investmentplan_detail", args=[inv_demo.pk])).content.decode()
    assert f'id="plan-total">{format_vnd(total)}<' in page
    body = client.get(reverse("investments:investmentplan_export", args=[inv_demo.pk, "estimate", "xlsx"])).content
    wb = load_workbook(BytesIO(body))
    assert wb.worksheets[1].cell(row=wb.worksheets[1].max_row, column=6).value == total
    assert wb.worksheets[0]["B6"].value == total


def test_line_form_conflict_is_shown(client, inv_demo, finance):
    client.force_login(finance)
    line = PlanLine.objects.filter(plan=inv_demo).first()
    url = reverse("investments:planline_edit", args=[line.pk])
    data = {
        "plan": inv_demo.pk,
        "site": line.site_id,
        "item": line.item_id,
        "quantity": 5,
        "unit_price_vnd": line.unit_price_vnd,
        "phase": line.phase_id or "",
        "zone": "",
        "note": "",
        "plan_version": inv_demo.version,
    }
    assert client.post(url, data).status_code == 302
    stale = client.post(url, {**data, "quantity": 6})
    assert stale.status_code == 200
    assert "Someone else changed this plan" in stale.content.decode()
    assert PlanLine.objects.get(pk=line.pk).quantity == 5


def test_line_form_bad_input(client, inv_demo, finance):
    client.force_login(finance)
    unpriced = CatalogueItem.objects.create(code="np", name="Chưa có giá", equipment_kind="other")
    data = {
        "plan": inv_demo.pk,
        "site": Site.objects.get(code="ubnd-tam-hai").pk,
        "item": unpriced.pk,
        "quantity": -2,
        "plan_version": inv_demo.version,
    }
    response = client.post(reverse("investments:planline_add"), data)
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"quantity"}
    response = client.post(reverse("investments:planline_add"), {**data, "quantity": 1})
    assert "unit_price_vnd" in response.context["form"].errors


def test_generate_assign_approve_deliver_through_pages(client, inv_demo, finance, leader):
    client.force_login(finance)
    site = Site.objects.get(code="ubnd-tam-hai")
    response = client.post(
        reverse("investments:investmentplan_generate", args=[inv_demo.pk]),
        {"sites": [site.pk], "plan_version": inv_demo.version},
    )
    assert response.status_code == 302
    inv_demo.refresh_from_db()
    phase = inv_demo.phases.get(number=2)
    response = client.post(
        reverse("investments:investmentplan_assign", args=[inv_demo.pk]),
        {"sites": [site.pk], "phase": phase.pk, "plan_version": inv_demo.version},
    )
    assert response.status_code == 302
    assert set(PlanLine.objects.filter(plan=inv_demo, site=site).values_list("phase", flat=True)) == {phase.pk}
    inv_demo.refresh_from_db()
    client.force_login(leader)
    client.post(
        reverse("investments:investmentplan_approve", args=[inv_demo.pk]),
        {
            "plan_version": inv_demo.version,
            "decision_number": "123/QĐ-UBND",
            "decision_date": "2026-02-01",
            # Moving Tam Hải's lines to phase 2 leaves phase 1 over-allocated: the leader acknowledges it.
            "acknowledge_overrun": "on",
        },
    )
    inv_demo.refresh_from_db()
    assert inv_demo.status == "approved"
    client.force_login(finance)
    line = PlanLine.objects.filter(plan=inv_demo, site=site, item__camera_type="").first()
    client.post(reverse("investments:planline_deliver", args=[line.pk]))
    assert Equipment.objects.filter(code__startswith=f"dt-{inv_demo.pk}-{line.pk}-").count() == line.quantity
    page = client.get(reverse("investments:planline_detail", args=[line.pk])).content.decode()
    assert f"dt-{inv_demo.pk}-{line.pk}-001" in page


def test_allocation_form_warns(client, inv_demo, finance, settings):
    settings.INVESTMENTS_OVERRUN_BLOCKS = False
    client.force_login(finance)
    phase = Phase.objects.get(plan=inv_demo, number=3)
    data = {"plan": inv_demo.pk, "phase": phase.pk, "year": 2028, "source": "province", "amount_vnd": 10**12}
    response = client.post(
        reverse("investments:allocation_add"), {**data, "plan_version": inv_demo.version}, follow=True
    )
    assert "over-allocated" in response.content.decode()
    settings.INVESTMENTS_OVERRUN_BLOCKS = True
    inv_demo.refresh_from_db()
    data["plan_version"] = inv_demo.version
    response = client.post(reverse("investments:allocation_add"), {**data, "source": "contributions"})
    assert response.status_code == 200 and "over-allocated" in response.content.decode()


def test_kit_pages_and_delete(client, inv_demo, finance):
    client.force_login(finance)
    line = KitLine.objects.first()
    response = client.post(reverse("investments:kitline_delete", args=[line.pk]))
    assert response.status_code == 302 and response["Location"] == line.kit.get_absolute_url()


def test_plan_page_queries_do_not_grow_with_lines(client, inv_demo, leader, django_assert_max_num_queries):
    """Ten more lines (at a site new to the plan) cost the plan page no extra query."""
    client.force_login(leader)
    url = reverse("investments:investmentplan_detail", args=[inv_demo.pk])
    client.get(url)  # warm the session and permission caches
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    site = Site.objects.get(code="thcs-tam-hai")
    item = CatalogueItem.objects.get(code="ups-2kva")
    inv_demo.refresh_from_db()
    for _n in range(10):
        line_create(plan=inv_demo, expected_version=inv_demo.version, user=None, site=site, item=item, quantity=1)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(url)


def test_pdf_exports_show_the_page_totals(client, inv_demo, leader, tmp_path, settings):
    """The estimate PDF prints the same total as the page; both PDFs render to an image."""
    import subprocess

    settings.INVESTMENTS_PDF_ISSUER = ["UBND HUYỆN THỬ"]
    client.force_login(leader)
    total = format_vnd(plan_totals(plan=inv_demo).total_vnd)
    for kind in ("estimate", "roadmap"):
        body = client.get(reverse("investments:investmentplan_export", args=[inv_demo.pk, kind, "pdf"])).content
        pdf = tmp_path / f"{kind}.pdf"
        pdf.write_bytes(body)
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert total in text and "UBND HUYỆN THỬ" in text
        subprocess.run(
            ["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / kind)], check=True
        )
        assert (tmp_path / f"{kind}-1.png").stat().st_size > 1000


def test_plan_page_draws_a_page_of_lines(client, inv_demo, leader):
    """Issue 18: a plan with a line for every site drew them 50 at a time, most of the page's time; now 25."""
    client.force_login(leader)
    site = Site.objects.get(code="thcs-tam-hai")
    item = CatalogueItem.objects.get(code="ups-2kva")
    inv_demo.refresh_from_db()
    while PlanLine.objects.filter(plan=inv_demo).count() <= 25:
        line_create(plan=inv_demo, expected_version=inv_demo.version, user=None, site=site, item=item, quantity=1)
        inv_demo.refresh_from_db()
    table = client.get(reverse("investments:investmentplan_detail", args=[inv_demo.pk])).context["lines_table"]
    assert len(table.page.object_list) == 25
    assert table.paginator.count == PlanLine.objects.filter(plan=inv_demo).count()
