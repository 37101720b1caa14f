"""
The permission triad on every cameras endpoint and page: anonymous → 401 / login, a logged-in user
without a role → 403, another commune's object → 404; the commune officer sees only their commune;
the police operator reads everything and changes nothing.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from cameras.choices import AlertKind
from cameras.models import CameraAlert, CameraIncident
from sites.models import AdministrativeUnit, Site
from tests.cameras.factories import CameraFactory, RecorderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(demo):
    """A recorder, a camera and an alert in Tam Hải and in Tam Giang."""
    found = {}
    for code in ("tam-hai", "tam-giang"):
        site = Site.objects.get(code=f"ubnd-{code}")
        recorder = RecorderFactory(site=site, code=f"nvr-{code}")
        camera = CameraFactory(site=site, code=f"cam-{code}", recorder=recorder, recorder_channel=1)
        incident = CameraIncident.objects.create(site=site, started_at=timezone.now())
        alert = CameraAlert.objects.create(
            camera=camera, kind=AlertKind.OFFLINE, created_at=timezone.now(), incident=incident
        )
        found[code] = {"recorders": recorder, "cameras": camera, "camera-alerts": alert}
    return found


@pytest.fixture
def officer(make_user, demo):
    return make_user(Role.COMMUNE_OFFICER, unit=AdministrativeUnit.objects.get(code="tam-hai"))


@pytest.mark.parametrize("basename", ["cameras", "recorders", "camera-alerts"])
def test_api_triad(api, make_user, officer, objects, basename):
    own, other = objects["tam-hai"][basename], objects["tam-giang"][basename]
    list_url = f"/api/{basename}/"
    assert api().get(list_url).status_code == 401
    assert api().get(f"{list_url}{own.pk}/").status_code == 401
    assert api(make_user(None)).get(list_url).status_code == 403
    assert api(make_user(None)).get(f"{list_url}{own.pk}/").status_code == 403
    client = api(officer)
    response = client.get(list_url, {"page_size": 1000})
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert own.pk in ids and other.pk not in ids
    assert client.get(f"{list_url}{own.pk}/").status_code == 200
    assert client.get(f"{list_url}{other.pk}/").status_code == 404


@pytest.mark.parametrize("action", ["history", "uptime"])
def test_camera_detail_actions_are_scoped(api, officer, objects, action):
    own, other = objects["tam-hai"]["cameras"], objects["tam-giang"]["cameras"]
    assert api(officer).get(f"/api/cameras/{own.pk}/{action}/").status_code == 200
    assert api(officer).get(f"/api/cameras/{other.pk}/{action}/").status_code == 404


def test_summary_is_scoped(api, officer, objects):
    totals = api(officer).get("/api/cameras/summary/").json()
    assert totals["total"] == 1
    by_site = api(officer).get("/api/cameras/summary/", {"by": "site"}).json()
    assert [row["name"] for row in by_site] == ["UBND xã Tam Hải"]
    assert api().get("/api/cameras/summary/").status_code == 401


def test_police_operator_reads_everything_and_changes_nothing(api, make_user, objects):
    police = api(make_user(Role.POLICE_OPERATOR))
    camera, alert = objects["tam-giang"]["cameras"], objects["tam-giang"]["camera-alerts"]
    assert police.get("/api/cameras/", {"page_size": 1000}).json()["count"] == 2
    assert police.get(f"/api/cameras/{camera.pk}/").status_code == 200
    assert police.patch(f"/api/cameras/{camera.pk}/", {"maintenance": True}, format="json").status_code == 403
    assert police.delete(f"/api/cameras/{camera.pk}/").status_code == 403
    assert police.post("/api/recorders/", {"code": "x", "name": "x", "site": camera.site_id}).status_code == 403
    assert police.post(f"/api/camera-alerts/{alert.pk}/acknowledge/").status_code == 403
    assert police.get("/api/cameras/export/").status_code == 200
    assert police.post("/api/cameras/import/", {}).status_code == 403
    camera.refresh_from_db()
    assert not camera.maintenance


def test_acknowledge_once(api, make_user, objects):
    technician = make_user(Role.TECHNICIAN)
    alert = objects["tam-hai"]["camera-alerts"]
    response = api(technician).post(f"/api/camera-alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 200 and response.json()["acknowledged_by"] == technician.username
    again = api(technician).post(f"/api/camera-alerts/{alert.pk}/acknowledge/")
    assert again.status_code == 409 and technician.username in again.json()["message"]


def test_commune_technician_cannot_create_a_camera_in_another_commune(api, make_user, objects):
    tech = make_user(Role.TECHNICIAN, unit=AdministrativeUnit.objects.get(code="tam-hai"))
    other_site = Site.objects.get(code="ubnd-tam-giang")
    response = api(tech).post(
        "/api/cameras/", {"code": "new-cam", "site": other_site.pk, "camera_type": "dome"}, format="json"
    )
    assert response.status_code == 400 and "site" in response.json()["extra"]["fields"]
    own_site = Site.objects.get(code="ubnd-tam-hai")
    response = api(tech).post(
        "/api/cameras/", {"code": "new-cam", "site": own_site.pk, "camera_type": "dome"}, format="json"
    )
    assert response.status_code == 201, response.json()


PAGES = [
    ("cameras:camera_list", None),
    ("cameras:camera_detail", "cameras"),
    ("cameras:recorder_list", None),
    ("cameras:recorder_detail", "recorders"),
    ("cameras:dashboard", None),
    ("cameras:alert_list", None),
    ("cameras:coverage", None),
]


@pytest.mark.parametrize(("url_name", "kind"), PAGES)
def test_page_triad(client, make_user, officer, objects, url_name, kind):
    own = objects["tam-hai"][kind] if kind else None
    url = reverse(url_name, args=[own.pk] if own else [])
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response.url
    client.force_login(make_user(None))
    assert client.get(url).status_code == 403
    client.force_login(officer)
    page = client.get(url)
    assert page.status_code == 200
    assert "cam-tam-giang" not in page.content.decode()
    if kind:
        other = objects["tam-giang"][kind]
        assert client.get(reverse(url_name, args=[other.pk])).status_code == 404


def test_dashboard_shows_counts_and_acknowledge_only_to_those_allowed(client, make_user, objects):
    client.force_login(make_user(Role.POLICE_OPERATOR))
    page = client.get(reverse("cameras:dashboard")).content.decode()
    assert "cam-tam-hai" in page and "cam-tam-giang" in page
    assert 'name="incident"' not in page and "Acknowledge selected" not in page
    alert = objects["tam-hai"]["camera-alerts"]
    assert client.post(reverse("cameras:alert_acknowledge", args=[alert.pk])).status_code == 403
    assert client.post(reverse("cameras:incident_acknowledge"), {"incident": [alert.incident_id]}).status_code == 403
    client.force_login(make_user(Role.TECHNICIAN))
    page = client.get(reverse("cameras:dashboard")).content.decode()
    assert f'name="incident" value="{alert.incident_id}"' in page
    response = client.post(
        reverse("cameras:incident_acknowledge"), {"incident": [alert.incident_id], "next": "/cameras/"}
    )
    assert response.status_code == 302 and response.url == "/cameras/"
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None and alert.incident.acknowledged_at is not None


def test_edit_pages_need_the_role(client, make_user, officer, objects):
    camera = objects["tam-hai"]["cameras"]
    client.force_login(officer)
    assert client.get(reverse("cameras:camera_edit", args=[camera.pk])).status_code == 403
    assert client.get(reverse("cameras:camera_add")).status_code == 403
    assert client.get(reverse("cameras:camera_import")).status_code == 403
    client.force_login(make_user(Role.POLICE_OPERATOR))
    assert client.get(reverse("cameras:camera_edit", args=[camera.pk])).status_code == 403
    assert client.get(reverse("cameras:recorder_add")).status_code == 403
    client.force_login(make_user(Role.TECHNICIAN))
    assert client.get(reverse("cameras:camera_edit", args=[camera.pk])).status_code == 200


def test_dashboard_lists_the_worst_sites_first_and_links_to_the_rest(client, make_user, monkeypatch):
    """
    Issue 18: a province's hundreds of sites and recorders are not all listed on the dashboard: the
    DASHBOARD_ROWS with the most cameras offline (then faulty), and a link to the lists for the rest.
    """
    from cameras import selectors
    from cameras.choices import CameraStatus
    from cameras.models import Health
    from tests.factories.sites import SiteFactory

    monkeypatch.setattr(selectors, "DASHBOARD_ROWS", 2)
    quiet, faulty, worst, bad = (SiteFactory(name=name) for name in ("A yên", "B hỏng", "C tệ nhất", "D mất"))
    CameraFactory(site=quiet, health=Health.ONLINE)
    CameraFactory(site=faulty, status=CameraStatus.FAULTY)
    for _ in range(3):
        CameraFactory(site=worst, health=Health.OFFLINE)
    CameraFactory(site=bad, health=Health.OFFLINE)
    client.force_login(make_user(Role.TECHNICIAN))
    response = client.get(reverse("cameras:dashboard"))
    assert [row["name"] for row in response.context["by_site"]] == ["C tệ nhất", "D mất"]
    assert response.context["more_sites"] == 2
    html = response.content.decode()
    assert f'href="{reverse("cameras:camera_list")}">and 2 more sites' in html
    # The four offline cameras: two listed, the card and the badge count them all.
    assert len(response.context["offline"]) == 2 and response.context["more_offline"] == 2
    assert response.context["totals"]["offline"] == 4 and "and 2 more cameras offline" in html


def test_dashboard_totals_are_the_sites_counts_added_up(make_user):
    """The dashboard's cards add up its per-site rows (one aggregate less): the same as camera_totals."""
    from cameras import selectors
    from cameras.choices import CameraStatus
    from cameras.models import Health
    from tests.factories.sites import SiteFactory

    one, two = SiteFactory(), SiteFactory()
    CameraFactory(site=one, health=Health.ONLINE)
    CameraFactory(site=one, health=Health.OFFLINE)
    CameraFactory(site=one, status=CameraStatus.REMOVED)
    CameraFactory(site=two, status=CameraStatus.FAULTY)
    CameraFactory(site=two, health=Health.OFFLINE, maintenance=True)
    CameraFactory(site=two, health=Health.ONLINE, recorder=RecorderFactory(site=two))
    user = make_user(Role.TECHNICIAN)
    numbers = selectors.dashboard_numbers(user=user)
    assert numbers["totals"] == selectors.camera_totals(user=user)
    assert numbers["totals"] == {"total": 5, "working": 3, "faulty": 1, "online": 2, "offline": 1, "maintenance": 1}
