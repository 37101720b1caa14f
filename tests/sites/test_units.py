"""Administrative units: dated names and parents, merges that keep history, deletion rules."""

from datetime import date

import pytest

from common.exceptions import ApplicationError
from sites import services
from sites.choices import UnitKind
from sites.models import AdministrativeUnit, Site
from sites.selectors import site_unit_on, unit_descendant_ids, unit_tree
from tests.factories.sites import SiteFactory

pytestmark = pytest.mark.django_db


def _unit(code, name, parent=None, kind=UnitKind.COMMUNE, established=date(2000, 1, 1)):
    return services.unit_save(
        unit=AdministrativeUnit(code=code, name=name, kind=kind, parent=parent, established_on=established)
    )


@pytest.fixture
def tree():
    province = _unit("qn", "Tỉnh Quảng Nam", kind=UnitKind.PROVINCE)
    district = _unit("nt", "Huyện Núi Thành", province, kind=UnitKind.DISTRICT)
    a = _unit("tam-anh-bac", "Xã Tam Anh Bắc", district)
    b = _unit("tam-anh-nam", "Xã Tam Anh Nam", district)
    village = _unit("thon-1", "Thôn 1", a, kind=UnitKind.COMMUNE)
    site_a = services.site_save(site=SiteFactory.build(unit=a, code="ubnd-tab", name="UBND xã Tam Anh Bắc"))
    site_b = services.site_save(site=SiteFactory.build(unit=b, code="ubnd-tan", name="UBND xã Tam Anh Nam"))
    return {
        "province": province,
        "district": district,
        "a": a,
        "b": b,
        "village": village,
        "site_a": site_a,
        "site_b": site_b,
    }


def test_tree_of_any_depth(tree):
    """Descendants are found at every depth, not just three levels."""
    assert unit_descendant_ids(unit_id=tree["province"].pk) == {
        tree[k].pk for k in ("province", "district", "a", "b", "village")
    }
    depths = {u.code: d for u, d in unit_tree(user=_superuser())}
    assert depths == {"qn": 0, "nt": 1, "tam-anh-bac": 2, "tam-anh-nam": 2, "thon-1": 3}


def _superuser():
    from accounts.models import User

    return User(is_superuser=True)


def test_rename_keeps_the_old_name_for_past_dates(tree):
    """A rename from a date opens a new version; the old name answers for earlier dates."""
    unit = tree["a"]
    unit.name = "Xã Tam Anh Bắc (mới)"
    services.unit_save(unit=unit, effective=date(2024, 1, 1))
    assert unit.name_on(date(2023, 12, 31)) == "Xã Tam Anh Bắc"
    assert unit.name_on(date(2024, 1, 1)) == "Xã Tam Anh Bắc (mới)"
    assert unit.versions.count() == 2


def test_merge_reparents_sites_and_keeps_history(tree):
    """A and B become C from 1/7/2025: sites and sub-units move, the past still shows A and B."""
    merged = services.unit_merge(
        sources=[tree["a"], tree["b"]],
        code="tam-anh",
        name="Xã Tam Anh",
        effective=date(2025, 7, 1),
    )
    tree["a"].refresh_from_db()
    tree["b"].refresh_from_db()
    assert tree["a"].dissolved_on == date(2025, 7, 1) and tree["a"].merged_into == merged
    assert tree["b"].merged_into == merged
    assert merged.parent == tree["district"]
    # Sites belong to C now, and to A/B on a date before the merger.
    site_a = Site.objects.get(pk=tree["site_a"].pk)
    assert site_a.unit == merged
    assert site_unit_on(site=site_a, day=date(2025, 6, 30)) == tree["a"]
    assert site_unit_on(site=site_a, day=date(2025, 7, 1)) == merged
    # The village moved under C, but before the date its parent was A.
    village = AdministrativeUnit.objects.get(code="thon-1")
    assert village.parent == merged
    assert village.version_on(date(2025, 6, 30)).parent == tree["a"]
    # The tree as on an earlier date shows the old communes and not the new one.
    names_before = {u.name for u, _ in unit_tree(user=_superuser(), on=date(2025, 6, 30))}
    names_after = {u.name for u, _ in unit_tree(user=_superuser(), on=date(2025, 7, 1))}
    assert {"Xã Tam Anh Bắc", "Xã Tam Anh Nam"} <= names_before and "Xã Tam Anh" not in names_before
    assert "Xã Tam Anh" in names_after and "Xã Tam Anh Bắc" not in names_after


def test_merge_into_one_of_the_sources(tree):
    """A commune can absorb its neighbour and keep its own code."""
    merged = services.unit_merge(
        sources=[tree["a"], tree["b"]], code="tam-anh-bac", name="Xã Tam Anh", effective=date(2025, 7, 1)
    )
    assert merged.pk == tree["a"].pk
    assert merged.name_on(date(2025, 6, 30)) == "Xã Tam Anh Bắc"
    assert merged.name_on(date(2025, 7, 2)) == "Xã Tam Anh"
    assert Site.objects.get(pk=tree["site_b"].pk).unit == merged


def test_merge_refuses_bad_input_and_changes_nothing(tree):
    before = list(AdministrativeUnit.objects.values_list("code", "name", "parent_id", "dissolved_on"))
    with pytest.raises(ApplicationError):
        services.unit_merge(sources=[tree["a"]], code="x", name="X", effective=date(2025, 7, 1))
    with pytest.raises(ApplicationError):
        services.unit_merge(sources=[tree["a"], tree["b"]], code="nt", name="X", effective=date(2025, 7, 1))
    assert list(AdministrativeUnit.objects.values_list("code", "name", "parent_id", "dissolved_on")) == before


def test_a_unit_cannot_go_under_its_own_descendant(tree):
    district = tree["district"]
    district.parent = tree["village"]
    with pytest.raises(ApplicationError):
        services.unit_save(unit=district)


def test_delete_with_children_is_refused_with_a_reason(tree):
    with pytest.raises(ApplicationError) as info:
        services.unit_check_deletable(unit=tree["a"])
    assert "1" in info.value.message  # one sub-unit, one site
