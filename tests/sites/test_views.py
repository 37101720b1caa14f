"""Web pages: forms with inline errors that save nothing, deletes that explain, import in two steps."""

import io

import pytest
from django.urls import reverse

from accounts.roles import Role
from sites.models import AdministrativeUnit, Equipment, Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(demo, make_user):
    return make_user(Role.COMMUNE_OFFICER, unit=AdministrativeUnit.objects.get(code="tam-hai"))


def test_edit_with_bad_input_shows_errors_and_saves_nothing(client, officer):
    item = Equipment.objects.filter(site__unit__code="tam-hai").first()
    client.force_login(officer)
    url = reverse("sites:equipment_edit", args=[item.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "code": item.code,
            "site": item.site_id,
            "kind": item.kind,
            "status": "working",
            "cost_vnd": "-1",
            "purchase_date": "01/05/2024",
            "warranty_end": "01/01/2020",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"cost_vnd"}
    assert "is-invalid" in response.content.decode()
    item.refresh_from_db()
    assert item.cost_vnd != -1


def test_edit_another_communes_object_is_not_found(client, officer):
    other = Equipment.objects.filter(site__unit__code="tam-giang").first()
    client.force_login(officer)
    assert client.get(reverse("sites:equipment_edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("sites:equipment_delete", args=[other.pk])).status_code == 404
    assert Equipment.objects.filter(pk=other.pk).exists()


def test_create_outside_own_commune_is_refused(client, officer):
    other_site = Site.objects.get(code="ubnd-tam-giang")
    client.force_login(officer)
    response = client.post(
        reverse("sites:equipment_add"), {"code": "x-1", "site": other_site.pk, "kind": "pc", "status": "working"}
    )
    assert response.status_code == 200 and "site" in response.context["form"].errors
    assert not Equipment.objects.filter(code="x-1").exists()


def test_delete_of_a_site_in_use_explains_why(client, admin_user, demo):
    site = Site.objects.get(code="ubnd-tam-hai")
    client.force_login(admin_user)
    response = client.post(reverse("sites:site_delete", args=[site.pk]), follow=True)
    assert Site.objects.filter(pk=site.pk).exists()
    messages = [str(m) for m in response.context["messages"]]
    assert messages and site.name in messages[0]


def test_unit_edit_records_a_dated_rename(client, admin_user, demo):
    unit = AdministrativeUnit.objects.get(code="tam-hai")
    client.force_login(admin_user)
    response = client.post(
        reverse("sites:administrativeunit_edit", args=[unit.pk]),
        {
            "code": unit.code,
            "name": "Xã Tam Hải (mới)",
            "kind": unit.kind,
            "terrain": unit.terrain,
            "parent": unit.parent_id,
            "established_on": "2000-01-01",
            "effective": "2025-07-01",
        },
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name_on(unit.established_on) == "Xã Tam Hải"
    assert unit.name == "Xã Tam Hải (mới)"
    tree = client.get(reverse("sites:unit_tree"), {"on": "2025-06-30"}).content.decode()
    assert "Xã Tam Hải<" in tree or "Xã Tam Hải</a>" in tree


def test_import_page_checks_then_applies(client, admin_user, demo):
    client.force_login(admin_user)
    url = reverse("sites:equipment_import")
    upload = io.BytesIO(b"code,site,kind,serial\nweb-1,ubnd-tam-hai,ups,WEB-1\n")
    upload.name = "e.csv"
    checked = client.post(url, {"file": upload})
    assert checked.status_code == 200 and checked.context["report"].ok
    assert not Equipment.objects.filter(code="web-1").exists()
    applied = client.post(url, {"token": checked.context["token"]})
    assert applied.status_code == 302
    assert Equipment.objects.filter(code="web-1").exists()
    bad = io.BytesIO(b"code,site,kind\nweb-2,nowhere,ups\n")
    bad.name = "e.csv"
    report = client.post(url, {"file": bad}).context["report"]
    assert not report.ok and report.errors[0].line == 2


def test_search_is_scoped(client, officer):
    client.force_login(officer)
    page = client.get(reverse("search"), {"q": "UBND"}).content.decode()
    assert "UBND xã Tam Hải" in page and "UBND xã Tam Giang" not in page


def test_list_pages_sort_and_filter(client, admin_user, demo):
    client.force_login(admin_user)
    response = client.get(reverse("sites:equipment_list"), {"status": "faulty", "sort": "-cost_vnd"})
    assert response.status_code == 200
    rows = list(response.context["table"].page.object_list)
    assert rows and all(r.record.status == "faulty" for r in rows)
    costs = [r.record.cost_vnd for r in rows]
    assert costs == sorted(costs, reverse=True)


def test_merge_page(client, make_user, admin_user, demo):
    url = reverse("sites:unit_merge")
    client.force_login(make_user(Role.OFFICE_STAFF))
    assert client.get(url).status_code == 403
    client.force_login(admin_user)
    a, b = AdministrativeUnit.objects.get(code="tam-anh-bac"), AdministrativeUnit.objects.get(code="tam-anh-nam")
    bad = client.post(
        url, {"sources": [a.pk], "code": "tam-anh", "name": "Xã Tam Anh", "kind": "commune", "effective": "2025-07-01"}
    )
    assert bad.status_code == 200 and bad.context["form"].non_field_errors()
    response = client.post(
        url,
        {
            "sources": [a.pk, b.pk],
            "code": "tam-anh",
            "name": "Xã Tam Anh",
            "kind": "commune",
            "terrain": "plain",
            "effective": "2025-07-01",
        },
    )
    assert response.status_code == 302
    merged = AdministrativeUnit.objects.get(code="tam-anh")
    assert set(merged.merged_from.values_list("code", flat=True)) == {"tam-anh-bac", "tam-anh-nam"}
    assert Site.objects.get(code="ubnd-tam-anh-bac").unit == merged
