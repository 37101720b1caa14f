"""Fixtures for the investments tests: the demo district with the demo catalogue, kits and plan."""

import pytest

from accounts.roles import Role
from investments.models import InvestmentPlan
from sites.models import AdministrativeUnit


@pytest.fixture
def inv_demo(demo):
    """sites demo + investments demo (catalogue, kits, the generated 2026–2028 plan)."""
    from investments import demo as investments_demo

    investments_demo.load()
    return InvestmentPlan.objects.get(code=investments_demo.PLAN_CODE)


@pytest.fixture
def finance(make_user):
    return make_user(Role.FINANCE)


@pytest.fixture
def leader(make_user):
    return make_user(Role.LEADER)


@pytest.fixture
def officer(demo, make_user):
    return make_user(Role.COMMUNE_OFFICER, unit=AdministrativeUnit.objects.get(code="tam-hai"))
