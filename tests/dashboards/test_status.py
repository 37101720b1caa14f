"""Status providers: the worst state of each site, from every registered provider."""

import pytest

from dashboards import status
from dashboards.status import Level, register_status_provider, site_statuses
from sites.choices import EquipmentStatus
from sites.choices import TestCallResult as CallResult  # not "Test…": pytest would try to collect it
from tests.factories.sites import BridgePointFactory, EquipmentFactory, SiteFactory


@pytest.mark.django_db
def test_bridge_point_and_equipment_providers():
    failed, degraded, never, ready, faulty = SiteFactory.create_batch(5)
    BridgePointFactory(room__site=failed, last_test_result=CallResult.FAILED, janus_display="UBND Tam Hải")
    BridgePointFactory(room__site=degraded, last_test_result=CallResult.DEGRADED)
    BridgePointFactory(room__site=never)
    BridgePointFactory(room__site=ready, last_test_result=CallResult.OK)
    BridgePointFactory(room__site=ready, last_test_result=CallResult.FAILED, is_active=False)  # ignored
    EquipmentFactory(site=faulty, status=EquipmentStatus.FAULTY)
    EquipmentFactory(site=faulty, status=EquipmentStatus.FAULTY)
    EquipmentFactory(site=ready)
    result = site_statuses(site_ids=[s.pk for s in (failed, degraded, never, ready, faulty)])
    assert result[failed.pk].level == Level.DANGER
    assert "UBND Tam Hải" in result[failed.pk].reasons[0]
    assert result[degraded.pk].level == result[never.pk].level == Level.WARNING
    assert result[ready.pk].level == Level.OK and result[ready.pk].reasons == []
    assert result[faulty.pk].level == Level.WARNING
    assert any("2" in r for r in result[faulty.pk].reasons)


@pytest.mark.django_db
def test_registered_provider_joins_and_worst_level_wins(monkeypatch, django_assert_max_num_queries):
    """Another app's provider (cameras offline, say) raises a site to danger; queries don't grow with sites."""
    monkeypatch.setattr(status, "_PROVIDERS", dict(status._PROVIDERS))
    sites = SiteFactory.create_batch(12)
    for site in sites:
        BridgePointFactory(room__site=site, last_test_result=CallResult.DEGRADED)
        EquipmentFactory(site=site, status=EquipmentStatus.FAULTY)

    @register_status_provider("cameras.offline", depends_on=[])
    def cameras_offline(site_ids):
        return {site_ids[0]: (Level.DANGER, "2 cameras offline")}

    # At most one query per provider here (each app's, whatever the number of sites; the fake one has none).
    with django_assert_max_num_queries(len(status.status_providers()) - 1):
        result = site_statuses(site_ids=[s.pk for s in sites])
    assert result[sites[0].pk].level == Level.DANGER
    assert "2 cameras offline" in result[sites[0].pk].reasons
    assert result[sites[1].pk].level == Level.WARNING


@pytest.mark.django_db
def test_states_are_kept_until_what_they_read_changes(settings, django_assert_num_queries):
    """
    Issue 18: the states are cached per set of sites and language, and a write that a provider reads
    is seen at once: a camera going offline in the sweep (its health is written with `.update()`, so the
    camera service says so itself), faulty equipment saved through the model.
    """
    from cameras.models import Health
    from cameras.probes import ProbeResult
    from cameras.services import camera_health_record
    from tests.cameras.factories import CameraFactory

    settings.DATA_CACHE = True
    settings.CAMERA_OFFLINE_AFTER_FAILURES = 1
    site, other = SiteFactory.create_batch(2)
    BridgePointFactory(room__site=site, last_test_result=CallResult.OK)
    camera = CameraFactory(site=site, health=Health.ONLINE)
    ids = [site.pk, other.pk]
    assert site_statuses(site_ids=ids)[site.pk].level == Level.OK
    with django_assert_num_queries(0):
        again = site_statuses(site_ids=list(reversed(ids)))  # the same set of sites, in any order
    assert again[site.pk].level == again[other.pk].level == Level.OK

    camera_health_record(camera_id=camera.pk, result=ProbeResult(camera.pk, False, "tcp", "connection refused"))
    state = site_statuses(site_ids=ids)[site.pk]
    assert state.level == Level.DANGER and state.reasons == ["1 camera offline"]

    EquipmentFactory(site=other, status=EquipmentStatus.FAULTY)
    assert site_statuses(site_ids=ids)[other.pk].level == Level.WARNING
    assert site_statuses(site_ids=[other.pk]) == {other.pk: site_statuses(site_ids=ids)[other.pk]}
