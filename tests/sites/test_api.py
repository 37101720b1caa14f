"""API behaviour: error shape, validation saves nothing, filters, constant query counts."""

import pytest

from accounts.roles import Role
from sites.models import Equipment, Site
from tests.factories.sites import EquipmentFactory

pytestmark = pytest.mark.django_db


def test_validation_errors_have_one_shape_and_save_nothing(api, admin_user, demo):
    site = Site.objects.get(code="ubnd-tam-hai")
    count = Equipment.objects.count()
    response = api(admin_user).post(
        "/api/equipment/",
        {
            "code": "x 1",
            "site": site.pk,
            "kind": "nope",
            "cost_vnd": -5,
            "purchase_date": "2024-05-01",
            "warranty_end": "2020-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"message", "extra"}
    assert {"code", "kind", "cost_vnd"} <= set(body["extra"]["fields"])
    assert Equipment.objects.count() == count


def test_room_of_another_site_is_refused(api, admin_user, demo):
    site = Site.objects.get(code="ubnd-tam-hai")
    other_room = Site.objects.get(code="ubnd-tam-giang").rooms.first()
    response = api(admin_user).post(
        "/api/equipment/", {"code": "x-1", "site": site.pk, "room": other_room.pk, "kind": "display"}, format="json"
    )
    assert response.status_code == 400
    assert "room" in response.json()["extra"]["fields"]


def test_delete_protected_site_explains(api, admin_user, demo):
    site = Site.objects.get(code="ubnd-tam-hai")
    response = api(admin_user).delete(f"/api/sites/{site.pk}/")
    assert response.status_code == 409
    assert response.json()["message"]
    assert Site.objects.filter(pk=site.pk).exists()


def test_delete_unit_with_children_is_refused(api, admin_user, demo):
    from sites.models import AdministrativeUnit

    district = AdministrativeUnit.objects.get(code="nui-thanh")
    response = api(admin_user).delete(f"/api/units/{district.pk}/")
    assert response.status_code == 400
    assert "17" in response.json()["message"]


def test_filters(api, make_user, demo):
    client = api(make_user(Role.TECHNICIAN))
    faulty = client.get("/api/equipment/", {"status": "faulty", "page_size": 500}).json()
    assert faulty["count"] == Equipment.objects.filter(status="faulty").count() > 0
    assert all(row["status"] == "faulty" for row in faulty["results"])
    mountain = client.get("/api/sites/", {"terrain": "mountain", "kind": "ubnd_hq"}).json()
    assert mountain["count"] == 5


def test_equipment_list_queries_do_not_grow_with_page_size(api, make_user, demo, django_assert_max_num_queries):
    site = Site.objects.get(code="ubnd-tam-hai")
    EquipmentFactory.create_batch(150, site=site)
    client = api(make_user(Role.TECHNICIAN))
    with django_assert_max_num_queries(4):
        small = client.get("/api/equipment/", {"page_size": 5, "status": "working"})
    with django_assert_max_num_queries(4):
        large = client.get("/api/equipment/", {"page_size": 150, "status": "working"})
    assert len(small.json()["results"]) == 5 and len(large.json()["results"]) == 150


def test_token_auth(api, make_user, demo):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    user = make_user(Role.LEADER)
    token = Token.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/sites/").status_code == 200


def test_schema_and_docs(client, admin_user):
    client.force_login(admin_user)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/equipment/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"//cdn" not in docs.content and b"https://" not in docs.content
