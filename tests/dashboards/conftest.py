import pytest

from sites.models import AdministrativeUnit


@pytest.fixture
def tam_hai(demo) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(code="tam-hai")
