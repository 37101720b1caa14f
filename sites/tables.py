"""django-tables2 tables for the list pages."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from common.templatetags.portal import badge, format_vnd
from sites.models import AdministrativeUnit, BridgePoint, Equipment, Room, Site, SiteContact


class BaseTable(tables.Table):
    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}
        template_name = "django_tables2/bootstrap5.html"


class UnitTable(BaseTable):
    name = tables.Column(linkify=True)
    parent = tables.Column(linkify=True, order_by=("parent__name",))
    site_count = tables.Column(verbose_name=_("Sites"), orderable=False, empty_values=())

    class Meta(BaseTable.Meta):
        model = AdministrativeUnit
        fields = ("code", "name", "kind", "terrain", "parent")

    def render_site_count(self, record: AdministrativeUnit) -> int:
        return getattr(record, "site_count", 0)


class SiteTable(BaseTable):
    name = tables.Column(linkify=True)
    unit = tables.Column(linkify=True, order_by=("unit__name",))
    terrain = tables.Column(accessor="effective_terrain", verbose_name=_("Terrain"), orderable=False)

    class Meta(BaseTable.Meta):
        model = Site
        fields = ("code", "name", "unit", "kind", "terrain", "is_key_site", "phone")

    def render_terrain(self, record: Site) -> str:
        return record.get_effective_terrain_display()


class SiteContactTable(BaseTable):
    site = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = SiteContact
        fields = ("name", "position", "site", "phone", "email", "is_technical")


class RoomTable(BaseTable):
    name = tables.Column(linkify=True)
    site = tables.Column(linkify=True, order_by=("site__name",))
    bridge_point = tables.Column(
        verbose_name=_("Bridge point"), accessor="bridge_point", orderable=False, linkify=True, default="—"
    )

    class Meta(BaseTable.Meta):
        model = Room
        fields = ("code", "name", "site", "capacity", "is_bookable", "bridge_point")


class BridgePointTable(BaseTable):
    janus_display = tables.Column(linkify=True)
    room = tables.Column(linkify=True, order_by=("room__name",))
    site = tables.Column(accessor="room__site", linkify=True, verbose_name=_("Site"), order_by=("room__site__name",))
    last_test_result = tables.Column()

    class Meta(BaseTable.Meta):
        model = BridgePoint
        fields = ("code", "janus_display", "site", "room", "role", "is_active", "last_test_at", "last_test_result")

    def render_last_test_result(self, record: BridgePoint) -> str:
        return badge(record.last_test_result, record.get_last_test_result_display())


class EquipmentTable(BaseTable):
    code = tables.Column(linkify=True)
    site = tables.Column(linkify=True, order_by=("site__name",))
    room = tables.Column(order_by=("room__name",), accessor="room__name")
    status = tables.Column()
    cost_vnd = tables.Column(attrs={"td": {"class": "text-end"}})

    class Meta(BaseTable.Meta):
        model = Equipment
        fields = (
            "code",
            "kind",
            "model",
            "serial",
            "site",
            "room",
            "status",
            "cost_vnd",
            "warranty_end",
            "is_reusable",
        )

    def render_status(self, record: Equipment) -> str:
        return badge(record.status, record.get_status_display())

    def render_cost_vnd(self, value: int) -> str:
        return format_vnd(value)
