"""django-filter sets, shared by the web lists and the API."""

import django_filters
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from investments.choices import FundingSource, LineSource, LineStatus, PlanStatus, SpendingKind
from investments.models import (
    Allocation,
    CatalogueItem,
    InvestmentPlan,
    ItemPrice,
    KitLine,
    Phase,
    PlanLine,
    Spending,
    StandardKit,
)
from sites.choices import EquipmentKind, SiteKind
from sites.filtersets import SearchFilterSet
from sites.models import Site


class CatalogueItemFilterSet(SearchFilterSet):
    search_fields = ("name", "code", "specification")
    equipment_kind = django_filters.ChoiceFilter(choices=EquipmentKind.choices, label=_("Equipment kind"))
    camera_type = django_filters.CharFilter(label=_("Camera type"))

    class Meta:
        model = CatalogueItem
        fields = ("q", "equipment_kind", "camera_type", "is_active")


class ItemPriceFilterSet(django_filters.FilterSet):
    class Meta:
        model = ItemPrice
        fields = ("item",)


class StandardKitFilterSet(SearchFilterSet):
    search_fields = ("name", "code")
    site_kind = django_filters.ChoiceFilter(choices=SiteKind.choices, label=_("Site kind"))

    class Meta:
        model = StandardKit
        fields = ("q", "site_kind", "is_active")


class KitLineFilterSet(django_filters.FilterSet):
    class Meta:
        model = KitLine
        fields = ("kit", "item")


class InvestmentPlanFilterSet(SearchFilterSet):
    search_fields = ("title", "code")
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices, label=_("Status"))

    class Meta:
        model = InvestmentPlan
        fields = ("q", "status")


class PhaseFilterSet(django_filters.FilterSet):
    class Meta:
        model = Phase
        fields = ("plan",)


def _visible_sites(request: HttpRequest | None) -> QuerySet[Site]:
    # Choices are cut like the list itself: a commune officer is offered the own commune's sites only.
    sites = Site.objects.order_by("name")
    return sites.visible_to(request.user) if request is not None else sites.none()


def _visible_plans(request: HttpRequest | None) -> QuerySet[InvestmentPlan]:
    if request is None or not request.user.has_perm("investments.view_investmentplan"):
        return InvestmentPlan.objects.none()
    return InvestmentPlan.objects.all()


class PlanLineFilterSet(SearchFilterSet):
    search_fields = ("site__name", "item__name", "zone", "note")
    plan = django_filters.ModelChoiceFilter(queryset=_visible_plans, label=_("Plan"))
    site = django_filters.ModelChoiceFilter(queryset=_visible_sites, label=_("Site"))
    phase = django_filters.NumberFilter(field_name="phase_id", label=_("Phase (ID)"))
    source = django_filters.ChoiceFilter(choices=LineSource.choices, label=_("Source"))
    status = django_filters.ChoiceFilter(choices=LineStatus.choices, label=_("Status"))

    class Meta:
        model = PlanLine
        fields = ("q", "plan", "phase", "site", "source", "status")


class AllocationFilterSet(django_filters.FilterSet):
    source = django_filters.ChoiceFilter(choices=FundingSource.choices, label=_("Funding source"))

    class Meta:
        model = Allocation
        fields = ("plan", "phase", "year", "source")


class SpendingFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=SpendingKind.choices, label=_("Kind"))

    class Meta:
        model = Spending
        fields = ("plan", "phase", "site", "year", "kind")
