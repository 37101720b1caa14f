"""Web pages: forms with inline errors that save nothing, deletes that explain, import in two steps."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from sites.models import AdministrativeUnit, BridgePoint, Equipment, NetworkLink, Site

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


def test_several_statuses_filter_the_list_without_distinct(client, admin_user, demo):
    """Issue 18: a choice filter on a column of the listed table needs no DISTINCT (30 ms on 50,000 rows)."""
    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("sites:equipment_list"), [("status", "faulty"), ("status", "retired")])
    assert response.status_code == 200
    shown = {r.record.pk for r in response.context["table"].page.object_list}
    expected = set(Equipment.objects.filter(status__in=("faulty", "retired")).values_list("pk", flat=True))
    assert shown and shown <= expected and response.context["table"].page.paginator.count == len(expected)
    assert not any("DISTINCT" in query["sql"] for query in queries)


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


@pytest.fixture
def technician(demo, make_user):
    """A commune technician of Tam Hải: may add, change and delete its own bridge points' links."""
    return make_user(Role.TECHNICIAN, unit=AdministrativeUnit.objects.get(code="tam-hai"))


def test_technician_adds_edits_and_deletes_a_bridge_points_link(client, technician):
    bridge_point = BridgePoint.objects.filter(room__site__unit__code="tam-hai").first()
    client.force_login(technician)
    # The "Add link" action on the bridge point page.
    page = client.get(bridge_point.get_absolute_url()).content.decode()
    add_url = f"{reverse('sites:networklink_add')}?bridge_point={bridge_point.pk}"
    assert add_url in page
    form_page = client.get(add_url)
    assert form_page.status_code == 200
    assert form_page.context["form"].initial["bridge_point"] == str(bridge_point.pk)
    response = client.post(
        add_url,
        {"bridge_point": bridge_point.pk, "kind": "4g", "provider": "Mạng thử", "bandwidth_mbps": 50, "role": "backup"},
    )
    link = NetworkLink.objects.get(bridge_point=bridge_point, provider="Mạng thử")
    assert response.status_code == 302 and response.url == bridge_point.get_absolute_url()

    edit_url = reverse("sites:networklink_edit", args=[link.pk])
    assert edit_url in client.get(bridge_point.get_absolute_url()).content.decode()
    assert client.get(edit_url).status_code == 200
    response = client.post(
        edit_url,
        {"bridge_point": bridge_point.pk, "kind": "4g", "provider": "VNPT", "bandwidth_mbps": 80, "role": "backup"},
    )
    assert response.status_code == 302 and response.url == bridge_point.get_absolute_url()
    link.refresh_from_db()
    assert (link.provider, link.bandwidth_mbps) == ("VNPT", 80)

    delete_url = reverse("sites:networklink_delete", args=[link.pk])
    assert client.get(delete_url).status_code == 200
    response = client.post(delete_url)
    assert response.status_code == 302 and response.url == bridge_point.get_absolute_url()
    assert not NetworkLink.objects.filter(pk=link.pk).exists()


def test_another_communes_link_cannot_be_touched(client, technician):
    other = NetworkLink.objects.filter(bridge_point__room__site__unit__code="tam-giang").first()
    before = (other.provider, other.bandwidth_mbps)
    client.force_login(technician)
    edit_url = reverse("sites:networklink_edit", args=[other.pk])
    assert client.get(edit_url).status_code == 404
    data = {"bridge_point": other.bridge_point_id, "kind": other.kind, "provider": "X", "bandwidth_mbps": 1}
    assert client.post(edit_url, {**data, "role": other.role}).status_code == 404
    assert client.post(reverse("sites:networklink_delete", args=[other.pk])).status_code == 404
    # Nor add one to another commune's bridge point: that choice is not offered.
    response = client.post(reverse("sites:networklink_add"), {**data, "role": "backup"})
    assert response.status_code == 200 and "bridge_point" in response.context["form"].errors
    other.refresh_from_db()
    assert (other.provider, other.bandwidth_mbps) == before
    assert not NetworkLink.objects.filter(provider="X").exists()
