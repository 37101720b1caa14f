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

    @register_status_provider("cameras.offline")
    def cameras_offline(site_ids):
        return {site_ids[0]: (Level.DANGER, "2 cameras offline")}

    # At most one query per provider here (each app's, whatever the number of sites; the fake one has none).
    with django_assert_max_num_queries(len(status.status_providers()) - 1):
        result = site_statuses(site_ids=[s.pk for s in sites])
    assert result[sites[0].pk].level == Level.DANGER
    assert "2 cameras offline" in result[sites[0].pk].reasons
    assert result[sites[1].pk].level == Level.WARNING
