"""Forms for units, sites, rooms, bridge points and equipment."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from common.imports import CodeChoiceField, ImportModelForm
from common.views import ScopedModelForm
from sites import services
from sites.models import AdministrativeUnit, BridgePoint, Equipment, NetworkLink, Room, Site, SiteContact


class UnitForm(ScopedModelForm):
    effective = forms.DateField(
        label=_("Change takes effect on"),
        required=False,
        help_text=_("For a new name or parent; empty means today. Earlier names stay in the history."),
    )

    class Meta:
        model = AdministrativeUnit
        fields = ("code", "name", "kind", "terrain", "parent", "established_on")

    def save_with_services(self) -> AdministrativeUnit:
        return services.unit_save(unit=self.instance, effective=self.cleaned_data.get("effective"))


class SiteForm(ScopedModelForm):
    class Meta:
        model = Site
        fields = (
            "code",
            "name",
            "unit",
            "kind",
            "address",
            "latitude",
            "longitude",
            "terrain",
            "is_key_site",
            "phone",
            "email",
            "notes",
            "travel_km",
            "travel_minutes",
        )

    def save_with_services(self) -> Site:
        return services.site_save(site=self.instance)


class SiteContactForm(ScopedModelForm):
    class Meta:
        model = SiteContact
        fields = ("site", "name", "position", "phone", "email", "is_technical")


class RoomForm(ScopedModelForm):
    class Meta:
        model = Room
        fields = ("code", "site", "name", "capacity", "av_devices", "is_bookable", "notes")


class BridgePointForm(ScopedModelForm):
    class Meta:
        model = BridgePoint
        fields = ("code", "room", "role", "endpoint", "janus_display", "is_active", "notes")


class NetworkLinkForm(ScopedModelForm):
    class Meta:
        model = NetworkLink
        fields = ("bridge_point", "kind", "provider", "bandwidth_mbps", "role")


class EquipmentForm(ScopedModelForm):
    class Meta:
        model = Equipment
        fields = (
            "code",
            "site",
            "room",
            "kind",
            "model",
            "serial",
            "status",
            "purchase_date",
            "cost_vnd",
            "warranty_end",
            "is_reusable",
            "notes",
        )


#
# Import forms: one row of a file; foreign keys by code
#


class UnitImportForm(ImportModelForm):
    unique_fields = frozenset({"code"})

    parent = CodeChoiceField(AdministrativeUnit.objects.all(), required=False)

    class Meta:
        model = AdministrativeUnit
        fields = ("code", "name", "kind", "terrain", "parent", "established_on")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["established_on"].required = False

    def clean_established_on(self) -> Any:
        return self.cleaned_data.get("established_on") or self.instance.established_on


class SiteImportForm(ImportModelForm):
    unique_fields = frozenset({"code"})

    unit = CodeChoiceField(AdministrativeUnit.objects.all())

    class Meta:
        model = Site
        fields = (
            "code",
            "name",
            "unit",
            "kind",
            "address",
            "latitude",
            "longitude",
            "terrain",
            "is_key_site",
            "phone",
            "email",
        )


class RoomImportForm(ImportModelForm):
    unique_fields = frozenset({"code"})

    site = CodeChoiceField(Site.objects.all())

    class Meta:
        model = Room
        fields = ("code", "site", "name", "capacity", "av_devices", "is_bookable")


class EquipmentImportForm(ImportModelForm):
    unique_fields = frozenset({"code", "serial"})

    site = CodeChoiceField(Site.objects.all())
    room = CodeChoiceField(Room.objects.all(), required=False)

    class Meta:
        model = Equipment
        fields = (
            "code",
            "site",
            "room",
            "kind",
            "model",
            "serial",
            "status",
            "purchase_date",
            "cost_vnd",
            "warranty_end",
            "is_reusable",
        )


class UnitMergeForm(forms.Form):
    """Units A and B become C from a date (sáp nhập đơn vị hành chính)."""

    sources = forms.ModelMultipleChoiceField(
        queryset=AdministrativeUnit.objects.filter(dissolved_on__isnull=True),
        label=_("Units to merge"),
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 10}),
    )
    code = forms.SlugField(
        label=_("Code of the resulting unit"),
        max_length=32,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=_("Reuse the code of one of the units when it absorbs the others."),
    )
    name = forms.CharField(
        label=_("Name of the resulting unit"), max_length=120, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=AdministrativeUnit._meta.get_field("kind").choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    terrain = forms.ChoiceField(
        label=_("Terrain"),
        required=False,
        choices=[("", "—"), *AdministrativeUnit._meta.get_field("terrain").choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    parent = forms.ModelChoiceField(
        queryset=AdministrativeUnit.objects.all(),
        required=False,
        label=_("Parent"),
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_("Empty keeps the parent of the first unit."),
    )
    effective = forms.DateField(
        label=_("Effective from"),
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d"),
    )
