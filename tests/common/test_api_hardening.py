"""
API errors found by the schema fuzzer (issue 15): history on every model that offers it, database
constraints as 400s with their message, and JSON nested 100,000 deep as a 400 (API and Janus webhook).
"""

import base64

import pytest

from accounts.roles import Role
from investments import demo as investments_demo
from investments.models import CatalogueItem, ItemPrice, KitLine, Phase, PlanLine, StandardKit
from meetings.models import AgendaItem
from sites.models import NetworkLink

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def admin(make_user, demo):
    investments_demo.load()
    return make_user(Role.ADMINISTRATOR)


@pytest.mark.parametrize(
    ("prefix", "model"),
    [
        ("catalogue-items", CatalogueItem),
        ("item-prices", ItemPrice),
        ("kit-lines", KitLine),
        ("plan-lines", PlanLine),
        ("plan-phases", Phase),
        ("standard-kits", StandardKit),
    ],
)
def test_history_of_investment_catalogue_and_plan_objects(api, admin, prefix, model):
    obj = model.objects.order_by("pk").first()
    response = api(admin).get(f"/api/{prefix}/{obj.pk}/history/")
    assert response.status_code == 200, response.content[:300]
    assert isinstance(response.json(), list)


def test_a_changed_catalogue_item_has_its_change_in_history(api, admin):
    response = api(admin).post(
        "/api/catalogue-items/", {"code": "tv-55", "name": "TV 55", "equipment_kind": "display"}, format="json"
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert api(admin).patch(f"/api/catalogue-items/{pk}/", {"name": "TV 55 inch"}, format="json").status_code == 200
    history = api(admin).get(f"/api/catalogue-items/{pk}/history/").json()
    assert [h["history_type"] for h in history] == ["changed", "created"]
    assert history[0]["changes"] == {"name": {"old": "TV 55", "new": "TV 55 inch"}}


def test_catalogue_item_kind_xor_camera_type_is_a_400(api, admin):
    both = {"code": "x-both", "name": "Both", "equipment_kind": "display", "camera_type": "ptz"}
    response = api(admin).post("/api/catalogue-items/", both, format="json")
    assert response.status_code == 400, response.content
    assert "An item is either an equipment kind or a camera type." in str(response.json())
    response = api(admin).post("/api/catalogue-items/", {"code": "x-none", "name": "None"}, format="json")
    assert response.status_code == 400, response.content
    item = CatalogueItem.objects.filter(camera_type="").first()
    response = api(admin).patch(f"/api/catalogue-items/{item.pk}/", {"camera_type": "ptz"}, format="json")
    assert response.status_code == 400, response.content
    assert not CatalogueItem.objects.filter(code__startswith="x-").exists()


def test_network_link_bandwidth_zero_is_a_400(api, admin):
    link = NetworkLink.objects.first()
    response = api(admin).patch(f"/api/network-links/{link.pk}/", {"bandwidth_mbps": 0}, format="json")
    assert response.status_code == 400, response.content
    assert "Bandwidth must be positive." in str(response.json())


def test_an_agenda_item_without_duration_takes_the_default(api, make_user, demo):
    from sites.models import BridgePoint
    from tests.meetings.briefings.conftest import make_meeting

    office = make_user(Role.OFFICE_STAFF)
    meeting = make_meeting(office, BridgePoint.objects.get(code="dc-ubnd-huyen-nui-thanh"))
    response = api(office).post("/api/agenda-items/", {"meeting": meeting.pk, "title": "Khác"}, format="json")
    assert response.status_code == 201, response.content
    assert AgendaItem.objects.get(pk=response.json()["id"]).duration_minutes == 10


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/catalogue-items/"),
        ("patch", "/api/network-links/{link}/"),
        ("post", "/api/agenda-items/"),
        ("post", "/api/equipment/"),
    ],
)
def test_json_nested_100000_deep_is_a_400_on_api_writes(client, admin, method, url):
    client.force_login(admin)
    url = url.format(link=NetworkLink.objects.first().pk)
    response = getattr(client, method)(url, DEEP, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["message"] == "The JSON body is nested too deeply."
    # 64 levels are fine for the parser (the serializer then says what is wrong).
    shallow = "[" * 64 + "]" * 64
    response = getattr(client, method)(url, shallow, content_type="application/json")
    assert response.status_code == 400 and "nested" not in response.json()["message"]


def test_json_nested_100000_deep_is_a_400_on_the_janus_webhook(client, settings):
    settings.JANUS_EVENTS_USER = "janus"
    settings.JANUS_EVENTS_PASSWORD = "s3cret-events"
    token = base64.b64encode(b"janus:s3cret-events").decode()
    response = client.post(
        "/api/janus/events/", DEEP, content_type="application/json", HTTP_AUTHORIZATION=f"Basic {token}"
    )
    assert response.status_code == 400
    assert response.json() == {"message": "body is nested too deeply"}


def test_the_schema_documents_history_as_a_list_and_no_skipped_date_creation(client, admin):
    client.force_login(admin)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    history = schema["paths"]["/api/catalogue-items/{id}/history/"]["get"]
    body = history["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["type"] == "array"
    assert not any(p["name"] in ("page", "search", "ordering") for p in history.get("parameters", []) if "name" in p)
    assert "post" not in schema["paths"]["/api/skipped-dates/"]
    assert "post" in schema["paths"]["/api/skipped-dates/{id}/readd/"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/cameras/?floor=99999999999999999999",  # a number filter beyond 64 bits (OverflowError on SQLite)
        "/api/cameras/gaps/?site_id=99999999999999999999",
        "/api/cameras/gaps/?site_id=%C2%B2",  # '²' is a digit to str.isdigit, not to int()
    ],
)
def test_numbers_out_of_range_in_the_query_are_a_400(api, admin, url):
    response = api(admin).get(url)
    assert response.status_code == 400, response.content[:300]
    assert response.json()["extra"]["fields"]
