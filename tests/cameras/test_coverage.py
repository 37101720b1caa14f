"""Coverage of key sites: zones from the template, which cameras cover them, and the gaps."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.roles import Role
from cameras.choices import CameraStatus, CameraType, Placement
from cameras.models import CoverageTemplate, ZoneRequirement
from cameras.selectors import CoverageGap, coverage_for_sites, coverage_gaps
from cameras.services import camera_create
from common.exceptions import ApplicationError
from sites.choices import SiteKind
from sites.models import Site
from tests.cameras.factories import CameraFactory
from tests.factories.sites import SiteFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def template():
    template = CoverageTemplate.objects.create(site_kind=SiteKind.UBND_HQ, name="UBND", floors=2)
    ZoneRequirement.objects.create(
        template=template,
        label="Hành lang",
        placement=Placement.CORRIDOR,
        per_floor=True,
        preferred_type=CameraType.FISHEYE_360,
    )
    ZoneRequirement.objects.create(
        template=template,
        label="Cầu thang",
        placement=Placement.STAIRWAY,
        per_floor=True,
        preferred_type=CameraType.FISHEYE_360,
    )
    ZoneRequirement.objects.create(
        template=template, label="Cổng", placement=Placement.GATE, preferred_type=CameraType.BULLET, quantity=2
    )
    return template


@pytest.fixture
def site(template):
    """A key UBND headquarters with mixed cameras."""
    site = SiteFactory(kind=SiteKind.UBND_HQ, is_key_site=True)
    camera = CameraFactory
    camera(site=site, floor=1, placement=Placement.CORRIDOR, camera_type=CameraType.FISHEYE_360)  # covered, 360°
    camera(site=site, floor=1, placement=Placement.CORRIDOR, camera_type=CameraType.BULLET)
    camera(site=site, floor=2, placement=Placement.CORRIDOR, camera_type=CameraType.BULLET)  # covered, not 360°
    camera(
        site=site, floor=1, placement=Placement.STAIRWAY, camera_type=CameraType.FISHEYE_360, status=CameraStatus.FAULTY
    )  # a faulty camera covers nothing
    camera(
        site=site,
        floor=2,
        placement=Placement.STAIRWAY,
        camera_type=CameraType.FISHEYE_360,
        status=CameraStatus.REMOVED,
    )
    camera(site=site, floor=1, placement=Placement.GATE, camera_type=CameraType.BULLET)  # 1 of 2
    camera(site=site, floor=3, placement=Placement.HALL, camera_type=CameraType.DOME)  # the site has a 3rd floor
    return site


def test_gaps_for_a_site_with_mixed_cameras(site):
    with translation.override("en"):
        gaps = coverage_gaps(site_ids=[site.pk])
    assert gaps == [
        CoverageGap(site.pk, "Cầu thang – floor 1", CameraType.FISHEYE_360, 1, "uncovered"),
        CoverageGap(site.pk, "Hành lang – floor 2", CameraType.FISHEYE_360, 1, "no_preferred_type"),
        CoverageGap(site.pk, "Cầu thang – floor 2", CameraType.FISHEYE_360, 1, "uncovered"),
        CoverageGap(site.pk, "Hành lang – floor 3", CameraType.FISHEYE_360, 1, "uncovered"),
        CoverageGap(site.pk, "Cầu thang – floor 3", CameraType.FISHEYE_360, 1, "uncovered"),
        CoverageGap(site.pk, "Cổng", CameraType.BULLET, 1, "uncovered"),
    ]


def test_zone_shows_its_cameras_and_whether_a_360_covers_it(site):
    (coverage,) = coverage_for_sites(sites=Site.objects.filter(pk=site.pk))
    corridor_1 = coverage.zones[0]
    assert corridor_1.zone.floor == 1 and corridor_1.zone.placement == Placement.CORRIDOR
    assert len(corridor_1.cameras) == 2 and corridor_1.has_preferred and corridor_1.gap is None
    stair_1 = coverage.zones[1]
    assert stair_1.cameras == [] and len(stair_1.other_cameras) == 1
    assert coverage.covered_count == 1


def test_sites_that_are_not_key_or_have_no_template_have_no_gaps(template):
    SiteFactory(kind=SiteKind.UBND_HQ, is_key_site=False)
    SiteFactory(kind=SiteKind.SCHOOL, is_key_site=True)
    assert coverage_gaps() == []


def test_camera_create_from_a_gap_closes_it(site):
    gap = next(g for g in coverage_gaps(site_ids=[site.pk]) if g.reason == "uncovered")
    camera = camera_create(
        site=site, camera_type=gap.camera_type, model="Hikvision 360", cost_vnd=9_800_000, zone=gap.zone
    )
    assert camera.placement == Placement.STAIRWAY and camera.floor == 1
    assert camera.maintenance and camera.code.startswith(site.code)
    assert gap not in coverage_gaps(site_ids=[site.pk])
    # A label in the other language works too; an unknown one is refused.
    with translation.override("en"):
        english = camera_create(site=site, camera_type="bullet", zone="Cổng")
    assert english.placement == Placement.GATE
    with pytest.raises(ApplicationError):
        camera_create(site=site, camera_type="bullet", zone="Mái nhà")
    plain = camera_create(site=site, camera_type="dome")
    assert plain.placement == Placement.OTHER and plain.code != camera.code


def test_gaps_api_is_scoped(api, make_user, site):
    other_unit = UnitFactory()
    other = SiteFactory(kind=SiteKind.UBND_HQ, is_key_site=True, unit=other_unit)
    officer = make_user(Role.COMMUNE_OFFICER, unit=other_unit)
    rows = api(officer).get("/api/cameras/gaps/").json()
    assert rows and {row["site_id"] for row in rows} == {other.pk}
    assert set(rows[0]) == {"site_id", "zone", "camera_type", "quantity", "reason"}
    tech_rows = api(make_user(Role.TECHNICIAN)).get("/api/cameras/gaps/", {"site_id": site.pk}).json()
    assert {row["site_id"] for row in tech_rows} == {site.pk} and len(tech_rows) == 6
    assert api(make_user(None)).get("/api/cameras/gaps/").status_code == 403


def test_coverage_page(client, make_user, site):
    client.force_login(make_user(Role.POLICE_OPERATOR))
    page = client.get("/cameras/coverage/")
    assert page.status_code == 200
    assert site.name in page.content.decode()


def add_key_sites(n: int) -> None:
    """`n` more key UBND headquarters without cameras: every zone of the template is a gap (5 each)."""
    for _ in range(n):
        site = SiteFactory(kind=SiteKind.UBND_HQ, is_key_site=True)
        CameraFactory(site=site, floor=1, placement=Placement.HALL, camera_type=CameraType.DOME)


def coverage_page(client, url="/cameras/coverage/"):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(captured)


def test_coverage_page_is_paged_and_its_queries_do_not_grow(client, make_user, site, settings):
    """
    Issue 18: with a province's 160 key sites and 10,000 cameras the page weighed half a megabyte and
    took seconds. It shows COVERAGE_PAGE_SIZE sites a page in the same number of queries whatever the
    number of sites; the badge still counts the gaps of them all (6 at `site`, 5 at each other one).
    """
    from cameras.views import COVERAGE_PAGE_SIZE

    settings.DATA_CACHE = True
    client.force_login(make_user(Role.POLICE_OPERATOR))
    add_key_sites(COVERAGE_PAGE_SIZE)  # two pages
    client.get("/cameras/coverage/")  # the gap count is cached
    first, before = coverage_page(client)
    assert len(first.context["coverage"]) == COVERAGE_PAGE_SIZE
    assert first.context["gap_count"] == 6 + 5 * COVERAGE_PAGE_SIZE
    add_key_sites(2 * COVERAGE_PAGE_SIZE)
    client.get("/cameras/coverage/")
    again, after = coverage_page(client)
    assert after == before
    assert again.context["gap_count"] == 6 + 5 * 3 * COVERAGE_PAGE_SIZE
    last, _ = coverage_page(client, "/cameras/coverage/?page=4")
    assert len(last.context["coverage"]) == 1 and last.context["page_obj"].number == 4


def test_cached_gap_count_follows_a_new_camera(client, make_user, site, settings):
    """The gap count of every page is kept until a camera (or site, or template) changes."""
    from cameras.views import COVERAGE_PAGE_SIZE

    settings.DATA_CACHE = True
    client.force_login(make_user(Role.POLICE_OPERATOR))
    add_key_sites(COVERAGE_PAGE_SIZE)
    assert coverage_page(client)[0].context["gap_count"] == 6 + 5 * COVERAGE_PAGE_SIZE
    # The second gate camera closes the gate's gap at `site`.
    CameraFactory(site=site, floor=1, placement=Placement.GATE, camera_type=CameraType.BULLET)
    assert coverage_page(client)[0].context["gap_count"] == 5 + 5 * COVERAGE_PAGE_SIZE
