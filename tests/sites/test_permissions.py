"""
The permission triad on every sites endpoint and page: anonymous → 401 / login, a role without the
permission → 403, another commune's object → 404; the own commune's object → 200.
"""

import pytest
from django.urls import reverse

from accounts.roles import Role
from sites.models import AdministrativeUnit, BridgePoint, Equipment, NetworkLink, Room, Site, SiteContact

pytestmark = pytest.mark.django_db

# (API basename, web url prefix or None, model)
OBJECTS = [
    ("units", "administrativeunit", AdministrativeUnit),
    ("sites", "site", Site),
    ("contacts", "sitecontact", SiteContact),
    ("rooms", "room", Room),
    ("bridge-points", "bridgepoint", BridgePoint),
    ("network-links", None, NetworkLink),
    ("equipment", "equipment", Equipment),
]


def _object_of(model, unit_code):
    lookups = {
        AdministrativeUnit: "code",
        Site: "unit__code",
        SiteContact: "site__unit__code",
        Room: "site__unit__code",
        BridgePoint: "room__site__unit__code",
        NetworkLink: "bridge_point__room__site__unit__code",
        Equipment: "site__unit__code",
    }
    return model.objects.filter(**{lookups[model]: unit_code}).first()


@pytest.fixture
def officer(demo, make_user):
    return make_user(Role.COMMUNE_OFFICER, unit=AdministrativeUnit.objects.get(code="tam-hai"))


@pytest.mark.parametrize(("basename", "_web", "model"), OBJECTS)
def test_api_triad(api, make_user, officer, basename, _web, model):
    own, other = _object_of(model, "tam-hai"), _object_of(model, "tam-giang")
    assert own is not None and other is not None
    list_url = f"/api/{basename}/"
    # anonymous
    assert api().get(list_url).status_code == 401
    assert api().get(f"{list_url}{own.pk}/").status_code == 401
    # a logged-in user without any role
    assert api(make_user(None)).get(list_url).status_code == 403
    # a commune officer: own commune yes, another commune not found
    client = api(officer)
    response = client.get(list_url, {"page_size": 1000})
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert own.pk in ids and other.pk not in ids
    assert client.get(f"{list_url}{own.pk}/").status_code == 200
    assert client.get(f"{list_url}{other.pk}/").status_code == 404
    assert client.get(f"{list_url}{own.pk}/history/").status_code == 200


@pytest.mark.parametrize(("_basename", "web", "model"), [o for o in OBJECTS if o[1]])
def test_page_triad(client, make_user, officer, _basename, web, model):
    own, other = _object_of(model, "tam-hai"), _object_of(model, "tam-giang")
    list_url = reverse(f"sites:{web}_list")
    detail = reverse(f"sites:{web}_detail", args=[own.pk])
    response = client.get(list_url)
    assert response.status_code == 302 and reverse("login") in response.url
    client.force_login(make_user(None))
    assert client.get(list_url).status_code == 403
    assert client.get(detail).status_code == 403
    client.force_login(officer)
    assert client.get(list_url).status_code == 200
    assert client.get(detail).status_code == 200
    assert client.get(reverse(f"sites:{web}_detail", args=[other.pk])).status_code == 404


def test_officer_cannot_move_equipment_to_another_commune(api, officer):
    """Related choices are cut to the user's units: pointing at another commune's site is refused."""
    item = _object_of(Equipment, "tam-hai")
    other_site = Site.objects.get(code="ubnd-tam-giang")
    response = api(officer).patch(f"/api/equipment/{item.pk}/", {"site": other_site.pk, "room": None}, format="json")
    assert response.status_code == 400
    assert "site" in response.json()["extra"]["fields"]
    item.refresh_from_db()
    assert item.site.unit.code == "tam-hai"


def test_officer_edits_own_equipment_and_history_records_who(api, officer):
    item = _object_of(Equipment, "tam-hai")
    response = api(officer).patch(f"/api/equipment/{item.pk}/", {"status": "faulty"}, format="json")
    assert response.status_code == 200, response.json()
    history = api(officer).get(f"/api/equipment/{item.pk}/history/").json()
    assert history[0]["history_user"] == officer.username
    assert history[0]["changes"]["status"] == {"old": "working", "new": "faulty"} or item.status == "faulty"


def test_wrong_role_cannot_write(api, make_user, demo):
    """Finance may read equipment but not change it (403), and nothing changes."""
    item = Equipment.objects.first()
    response = api(make_user(Role.FINANCE)).patch(f"/api/equipment/{item.pk}/", {"status": "retired"}, format="json")
    assert response.status_code == 403
    assert response.json()["message"]
    item.refresh_from_db()
    assert item.status != "retired"


def test_officer_cannot_add_a_site(client, officer):
    client.force_login(officer)
    assert client.get(reverse("sites:site_add")).status_code == 403
