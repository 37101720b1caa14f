"""The site page: sections from a registry, scoped, in a constant number of queries."""

import re

import pytest

from accounts.roles import Role
from sites import sections
from sites.choices import TestCallResult as CallResult  # not "Test…": pytest would try to collect it
from sites.models import Site
from sites.sections import SITE_EQUIPMENT_ROWS, SiteSection, register_site_section
from tests.factories.sites import BridgePointFactory, EquipmentFactory, RoomFactory, SiteFactory


def section_keys(html: str) -> list[str]:
    return re.findall(r'data-section="([^"]+)"', html)


@pytest.mark.django_db
def test_sites_sections_and_their_content(client, make_user):
    site = SiteFactory(name="UBND xã Tam Hải")
    bp = BridgePointFactory(room__site=site, janus_display="Điểm cầu Tam Hải", last_test_result=CallResult.FAILED)
    EquipmentFactory(site=site, room=bp.room, code="th-codec-1", status="faulty")
    client.force_login(make_user(Role.TECHNICIAN))
    html = client.get(site.get_absolute_url()).content.decode()
    # The sites app's own sections first, then the other apps' in their order.
    assert section_keys(html) == [
        "sites.unit",
        "sites.contacts",
        "sites.rooms",
        "sites.equipment",
        "cameras.cameras",
        "meetings.meetings",
    ]
    assert "Điểm cầu Tam Hải" in html and "th-codec-1" in html
    # Police see the site and its cameras, but none of the rest of the inventory.
    client.force_login(make_user(Role.POLICE_OPERATOR))
    assert section_keys(client.get(site.get_absolute_url()).content.decode()) == ["sites.unit", "cameras.cameras"]


@pytest.mark.django_db
def test_site_page_triad(client, make_user):
    site, other = SiteFactory(), SiteFactory()
    url = site.get_absolute_url()
    assert client.get(url).status_code == 302
    client.force_login(make_user(None))
    assert client.get(url).status_code == 403
    client.force_login(make_user(Role.COMMUNE_OFFICER, unit=site.unit))
    assert client.get(url).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_site_page_query_count_is_constant(client, make_user, django_assert_max_num_queries):
    site = SiteFactory()
    BridgePointFactory(room__site=site)
    EquipmentFactory(site=site)
    client.force_login(make_user(Role.TECHNICIAN))
    client.get(site.get_absolute_url())
    with django_assert_max_num_queries(30) as before:
        client.get(site.get_absolute_url())
    for _ in range(5):
        room = RoomFactory(site=site)
        BridgePointFactory(room=room)
    EquipmentFactory.create_batch(60, site=site)
    faulty = EquipmentFactory(site=site, status="faulty")
    with django_assert_max_num_queries(len(before)):
        response = client.get(site.get_absolute_url())
    page = response.content.decode()
    # The first SITE_EQUIPMENT_ROWS pieces, faulty ones first, and a link to all 62 on the equipment list.
    shown = re.findall(r'href="/sites/equipment/(\d+)/"', page)
    assert len(shown) == SITE_EQUIPMENT_ROWS and shown[0] == str(faulty.pk)
    assert f'href="/sites/equipment/?site_id={site.pk}"' in page and "62" in page


@pytest.mark.django_db
def test_another_app_adds_a_section_with_its_prefetch(client, make_user, monkeypatch):
    monkeypatch.setattr(sections, "_SECTIONS", dict(sections._SECTIONS))
    register_site_section(
        SiteSection(
            key="cameras.cameras",
            title="Ca-mê-ra",
            template="sites/sections/contacts.html",
            order=35,
            permission="sites.view_site",
            prefetch=lambda qs: qs.prefetch_related("contacts"),
            context=lambda site, request: {"extra": True},
        )
    )
    site = Site.objects.get(pk=SiteFactory().pk)
    client.force_login(make_user(Role.LEADER))
    keys = section_keys(client.get(site.get_absolute_url()).content.decode())
    assert keys.index("cameras.cameras") == keys.index("sites.rooms") + 1
