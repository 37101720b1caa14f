"""The district map: renders with no network, scoped to the user's units, constant queries."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from accounts.roles import Role
from dashboards.management.commands.district_outline import OUTPUT, outline_text
from dashboards.map import OUTLINE_STATIC_PATH
from sites.choices import TestCallResult as CallResult  # not "Test…": pytest would try to collect it
from sites.models import BridgePoint, Site

EXTERNAL = re.compile(r"""(?:src|href|url)\s*[=(]\s*["']?(?:https?:)?//""", re.IGNORECASE)


def test_outline_is_committed_and_up_to_date():
    """The static outline is what the generator makes from the demo coordinates, one cell per commune."""
    assert finders.find(OUTLINE_STATIC_PATH)
    assert OUTPUT.read_text(encoding="utf-8") == outline_text()
    outline = json.loads(OUTPUT.read_text(encoding="utf-8"))
    communes = [f for f in outline["features"] if f["properties"]["kind"] == "commune"]
    assert len(communes) == 17
    assert all(f["properties"]["schematic"] for f in outline["features"])
    assert all(len(f["geometry"]["coordinates"][0]) >= 4 for f in communes)


@pytest.mark.django_db
def test_map_page_needs_no_network(client, demo, make_user):
    """Leaflet and the outline are served by the portal; no tile server, no CDN."""
    client.force_login(make_user(Role.LEADER))
    page = client.get(reverse("dashboards:map"))
    assert page.status_code == 200
    html = page.content.decode()
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    assert "vendor/leaflet/leaflet.js" in html and OUTLINE_STATIC_PATH in html
    sites = json.loads(re.search(r'<script id="map-sites" type="application/json">(.*?)</script>', html, re.S)[1])
    assert len(sites["features"]) == Site.objects.exclude(latitude=None).count()
    script = finders.find("dashboards/map.js")
    with open(script, encoding="utf-8") as js:
        code = js.read()
    assert not re.search(r"https?://", code)
    assert "tileLayer" not in code


@pytest.mark.django_db
def test_map_triad(client, api, demo, make_user, tam_hai):
    url = reverse("dashboards:map")
    assert client.get(url).status_code == 302
    assert api(None).get("/api/map/sites/").status_code == 401
    nobody = make_user(None)
    client.force_login(nobody)
    assert client.get(url).status_code == 403
    assert api(nobody).get("/api/map/sites/").status_code == 403
    # A commune officer sees only their commune's markers, even when asking for another unit.
    officer = make_user(Role.COMMUNE_OFFICER, unit=tam_hai)
    names = {f["properties"]["name"] for f in api(officer).get("/api/map/sites/").json()["features"]}
    assert names == set(Site.objects.filter(unit=tam_hai).values_list("name", flat=True))
    other = Site.objects.get(code="ubnd-tam-giang").unit_id
    assert api(officer).get(f"/api/map/sites/?unit={other}").json()["features"] == []
    client.force_login(officer)
    html = client.get(url).content.decode()
    assert "UBND xã Tam Hải" in html and "UBND xã Tam Giang" not in html


@pytest.mark.django_db
def test_map_filters_and_colours(api, demo, make_user):
    BridgePoint.objects.filter(code="dc-ubnd-tam-giang").update(last_test_result=CallResult.FAILED)
    client = api(make_user(Role.TECHNICIAN))
    island = client.get("/api/map/sites/?terrain=island").json()["features"]
    assert {f["properties"]["terrain"] for f in island} == {"island"}
    unit = Site.objects.get(code="ubnd-tam-giang").unit_id
    features = client.get(f"/api/map/sites/?unit={unit}").json()["features"]
    hq = next(f for f in features if f["properties"]["name"] == "UBND xã Tam Giang")
    assert hq["properties"]["level"] == 2 and hq["properties"]["colour"] == "#dc3545"
    assert any("failed" in r for r in hq["properties"]["reasons"])
    assert client.get("/api/map/sites/?terrain=lava&unit=x").status_code == 200  # bad filters are ignored


@pytest.mark.django_db
def test_map_query_count_is_constant(client, demo, make_user, django_assert_max_num_queries):
    from tests.factories.sites import BridgePointFactory, EquipmentFactory

    client.force_login(make_user(Role.LEADER))
    client.get(reverse("dashboards:map"))
    with django_assert_max_num_queries(16) as before:  # one query per status provider, a few for the page
        client.get(reverse("dashboards:map"))
    unit = Site.objects.get(code="ubnd-tam-giang").unit
    for _ in range(10):
        bp = BridgePointFactory(room__site__unit=unit, room__site__latitude=15.4, room__site__longitude=108.6)
        EquipmentFactory(site=bp.room.site, status="faulty")
    with django_assert_max_num_queries(len(before)):
        client.get(reverse("dashboards:map"))


def test_side_list_shows_the_worst_sites_first_and_counts_the_rest(client, demo, make_user, monkeypatch):
    """
    Issue 18: a province has hundreds of sites needing attention; the side list shows MAP_LIST_ROWS,
    the worst (not ready) first, and says how many more there are. The markers are all on the map.
    """
    from dashboards import map as district_map

    monkeypatch.setattr(district_map, "MAP_LIST_ROWS", 2)
    BridgePoint.objects.filter(room__site__code="ubnd-tam-giang").update(last_test_result=CallResult.FAILED)
    client.force_login(make_user(Role.LEADER))
    response = client.get(reverse("dashboards:map"))
    attention, sites = response.context["attention"], response.context["sites"]
    needing = [f for f in sites["features"] if f["properties"]["level"]]
    assert len(needing) > 2 and len(attention) == 2
    assert attention[0]["properties"]["name"] == Site.objects.get(code="ubnd-tam-giang").name
    assert [f["properties"]["level"] for f in attention] == sorted(
        (f["properties"]["level"] for f in attention), reverse=True
    )
    assert response.context["attention_more"] == len(needing) - 2
    assert f"and {len(needing) - 2} more sites needing attention" in response.content.decode()
