"""
Province-scale investment plans (`manage.py seed_demo --scale province`): one phased plan per
province district, with the lines `plan_generate_from_gap` makes for every site of the district (the
catalogue and kits come from the district demo). A second run changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from investments import services
from investments.models import InvestmentPlan
from sites.models import AdministrativeUnit, Site


def load(progress: Callable[..., object]) -> None:
    districts = list(AdministrativeUnit.objects.filter(code__regex=r"^prov-d\d\d$").order_by("code"))
    bar = progress(total=len(districts), desc="plans")
    for district in districts:
        code = f"ke-hoach-{district.code}"
        if InvestmentPlan.objects.filter(code=code).exists():
            bar.update(1)
            continue
        with transaction.atomic():
            plan = services.plan_create(
                plan=InvestmentPlan(
                    code=code,
                    title=f"Kế hoạch đầu tư điểm cầu và ca-mê-ra – {district.name}",
                    start_year=2026,
                    end_year=2028,
                )
            )
            sites = Site.objects.filter(unit__in=[district, *district.children.all()])
            services.plan_generate_from_gap(plan=plan, expected_version=plan.version, user=None, sites=sites)
        bar.update(1)
    bar.close()
