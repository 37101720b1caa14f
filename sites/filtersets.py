"""django-filter sets, shared by the web lists and the API."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from common.filters import ColumnChoicesFilter
from sites.choices import EquipmentKind, EquipmentStatus, SiteKind, Terrain, UnitKind
from sites.models import AdministrativeUnit, BridgePoint, Equipment, NetworkLink, Room, Site, SiteContact


class SearchFilterSet(django_filters.FilterSet):
    """Adds `q`, a free-text search over `search_fields`."""

    search_fields: tuple[str, ...] = ("name",)
    q = django_filters.CharFilter(method="search", label=_("Search"))

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value.strip():
            return queryset
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(query)


class UnitFilterSet(SearchFilterSet):
    search_fields = ("name", "code")
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, label=_("Kind"))
    terrain = django_filters.ChoiceFilter(choices=Terrain.choices, label=_("Terrain"))
    parent_id = django_filters.ModelChoiceFilter(queryset=AdministrativeUnit.objects.all(), label=_("Parent"))

    class Meta:
        model = AdministrativeUnit
        fields = ("q", "kind", "terrain", "parent_id")


class SiteFilterSet(SearchFilterSet):
    search_fields = ("name", "code", "address")
    unit_id = django_filters.ModelChoiceFilter(queryset=AdministrativeUnit.objects.all(), label=_("Unit"))
    unit = django_filters.CharFilter(field_name="unit__code", label=_("Unit (code)"))
    kind = django_filters.ChoiceFilter(choices=SiteKind.choices, label=_("Kind"))
    terrain = django_filters.ChoiceFilter(method="filter_terrain", choices=Terrain.choices, label=_("Terrain"))

    class Meta:
        model = Site
        fields = ("q", "unit_id", "unit", "kind", "terrain", "is_key_site")

    def filter_terrain(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(terrain=value) | Q(terrain="", unit__terrain=value))


class SiteContactFilterSet(SearchFilterSet):
    search_fields = ("name", "position", "phone")

    class Meta:
        model = SiteContact
        fields = ("q", "site", "is_technical")


class RoomFilterSet(SearchFilterSet):
    search_fields = ("name", "code", "site__name")
    site = django_filters.CharFilter(field_name="site__code", label=_("Site (code)"))
    site_id = django_filters.NumberFilter(field_name="site_id", label=_("Site (ID)"))
    is_bridge_point = django_filters.BooleanFilter(
        field_name="bridge_point", lookup_expr="isnull", exclude=True, label=_("Is a bridge point")
    )

    class Meta:
        model = Room
        fields = ("q", "site", "site_id", "is_bookable", "is_bridge_point")


class BridgePointFilterSet(SearchFilterSet):
    search_fields = ("janus_display", "code", "room__site__name")
    site_id = django_filters.NumberFilter(field_name="room__site_id", label=_("Site (ID)"))
    unit_id = django_filters.NumberFilter(field_name="room__site__unit_id", label=_("Unit (ID)"))
    terrain = django_filters.ChoiceFilter(
        field_name="room__site__unit__terrain", choices=Terrain.choices, label=_("Terrain")
    )

    class Meta:
        model = BridgePoint
        fields = ("q", "role", "is_active", "last_test_result", "site_id", "unit_id", "terrain")


class NetworkLinkFilterSet(django_filters.FilterSet):
    class Meta:
        model = NetworkLink
        fields = ("bridge_point", "kind", "role")


class EquipmentFilterSet(SearchFilterSet):
    search_fields = ("code", "model", "serial", "site__name")
    kind = ColumnChoicesFilter(choices=EquipmentKind.choices, label=_("Kind"))
    status = ColumnChoicesFilter(choices=EquipmentStatus.choices, label=_("Status"))
    site = django_filters.CharFilter(field_name="site__code", label=_("Site (code)"))
    site_id = django_filters.NumberFilter(field_name="site_id", label=_("Site (ID)"))
    unit_id = django_filters.NumberFilter(field_name="site__unit_id", label=_("Unit (ID)"))
    warranty_before = django_filters.DateFilter(
        field_name="warranty_end", lookup_expr="lt", label=_("Warranty ends before")
    )

    class Meta:
        model = Equipment
        fields = ("q", "kind", "status", "site", "site_id", "unit_id", "room", "is_reusable", "warranty_before")
