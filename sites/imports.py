"""Import/export specs for units, sites, rooms and equipment (see common.imports)."""

from django import forms

from common.imports import ImportSpec
from sites import services
from sites.forms import EquipmentImportForm, RoomImportForm, SiteImportForm, UnitImportForm
from sites.models import AdministrativeUnit, Equipment, Room, Site


class UnitImportSpec(ImportSpec):
    model = AdministrativeUnit
    form_class = UnitImportForm
    columns = ("code", "name", "kind", "terrain", "parent", "established_on")
    required_columns = ("code", "name", "kind")

    def export_queryset(self):
        return super().export_queryset().select_related("parent").order_by("pk")

    def save(self, form: forms.ModelForm) -> AdministrativeUnit:
        return services.unit_save(unit=form.instance)


class SiteImportSpec(ImportSpec):
    model = Site
    form_class = SiteImportForm
    columns = (
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
    required_columns = ("code", "name", "unit", "kind")

    def export_queryset(self):
        return super().export_queryset().select_related("unit").order_by("pk")

    def save(self, form: forms.ModelForm) -> Site:
        return services.site_save(site=form.instance)


class RoomImportSpec(ImportSpec):
    model = Room
    form_class = RoomImportForm
    columns = ("code", "site", "name", "capacity", "av_devices", "is_bookable")
    required_columns = ("code", "site", "name")
    bulk = True

    def export_queryset(self):
        return super().export_queryset().select_related("site").order_by("pk")


class EquipmentImportSpec(ImportSpec):
    model = Equipment
    form_class = EquipmentImportForm
    columns = (
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
    required_columns = ("code", "site", "kind")
    unique_keys = (("code",), ("kind", "serial"))
    bulk = True

    def export_queryset(self):
        return super().export_queryset().select_related("site", "room").order_by("pk")
