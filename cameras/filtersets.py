"""django-filter sets for cameras, recorders and alerts, shared by the web lists and the API."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cameras.choices import AlertKind, CameraStatus, CameraType, Health, Placement, RecorderKind
from cameras.models import Camera, CameraAlert, Recorder
from common.filters import ColumnChoicesFilter


class CameraFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = ColumnChoicesFilter(choices=CameraStatus.choices, label=_("Status"))
    health = ColumnChoicesFilter(choices=Health.choices, label=_("Health"))
    camera_type = ColumnChoicesFilter(choices=CameraType.choices, label=_("Type"))
    placement = ColumnChoicesFilter(choices=Placement.choices, label=_("Placement"))
    site = django_filters.CharFilter(field_name="site__code", label=_("Site (code)"))
    site_id = django_filters.NumberFilter(field_name="site_id", label=_("Site (ID)"))
    unit_id = django_filters.NumberFilter(field_name="site__unit_id", label=_("Unit (ID)"))
    recorder_id = django_filters.NumberFilter(field_name="recorder_id", label=_("Recorder (ID)"))
    maintenance = django_filters.BooleanFilter(label=_("Maintenance mode"))
    warranty_before = django_filters.DateFilter(
        field_name="warranty_end", lookup_expr="lt", label=_("Warranty ends before")
    )

    class Meta:
        model = Camera
        fields = (
            "q",
            "status",
            "health",
            "camera_type",
            "placement",
            "site",
            "site_id",
            "unit_id",
            "recorder_id",
            "floor",
            "maintenance",
            "warranty_before",
        )

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__icontains=value)
            | Q(name__icontains=value)
            | Q(model__icontains=value)
            | Q(serial__icontains=value)
            | Q(site__name__icontains=value)
        )


class RecorderFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=RecorderKind.choices, label=_("Kind"))
    site_id = django_filters.NumberFilter(field_name="site_id", label=_("Site (ID)"))
    operator = django_filters.CharFilter(lookup_expr="icontains", label=_("Operated by"))

    class Meta:
        model = Recorder
        fields = ("kind", "site_id", "operator")


class CameraAlertFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=AlertKind.choices, label=_("Kind"))
    acknowledged = django_filters.BooleanFilter(
        field_name="acknowledged_at", lookup_expr="isnull", exclude=True, label=_("Acknowledged")
    )
    camera_id = django_filters.NumberFilter(field_name="camera_id", label=_("Camera (ID)"))
    site_id = django_filters.NumberFilter(field_name="camera__site_id", label=_("Site (ID)"))

    class Meta:
        model = CameraAlert
        fields = ("kind", "acknowledged", "camera_id", "site_id")
