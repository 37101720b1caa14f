"""django-tables2 tables for the investment list pages."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from common.templatetags.portal import badge, format_vnd
from investments.models import CatalogueItem, InvestmentPlan, PlanLine, StandardKit
from sites.tables import BaseTable


class MoneyColumn(tables.Column):
    attrs = {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}

    def render(self, value: int) -> str:
        return format_vnd(value)


class CatalogueItemTable(BaseTable):
    name = tables.Column(linkify=True)
    kind = tables.Column(verbose_name=_("Kind"), accessor="equipment_kind", orderable=False, empty_values=())

    class Meta(BaseTable.Meta):
        model = CatalogueItem
        fields = ("code", "name", "unit", "kind", "is_active")

    def render_kind(self, record: CatalogueItem) -> str:
        return record.get_kind_display()


class StandardKitTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = StandardKit
        fields = ("code", "name", "site_kind", "key_sites_only", "is_active")


class InvestmentPlanTable(BaseTable):
    title = tables.Column(linkify=True)
    status = tables.Column()

    class Meta(BaseTable.Meta):
        model = InvestmentPlan
        fields = ("code", "title", "start_year", "end_year", "status", "version")

    def render_status(self, record: InvestmentPlan) -> str:
        return badge(record.status, record.get_status_display())


class PlanLineTable(BaseTable):
    site = tables.Column(linkify=True, order_by=("site__name",))
    item = tables.Column(order_by=("item__name",))
    phase = tables.Column(order_by=("phase__number",))
    unit_price_vnd = MoneyColumn()
    amount_vnd = MoneyColumn()
    status = tables.Column()
    detail = tables.LinkColumn(
        "investments:planline_detail", args=[tables.A("pk")], text="›", verbose_name="", orderable=False
    )

    class Meta(BaseTable.Meta):
        model = PlanLine
        fields = ("site", "item", "zone", "phase", "quantity", "unit_price_vnd", "amount_vnd", "source", "status")

    def render_phase(self, record: PlanLine) -> str:
        return str(record.phase.number) if record.phase else "—"

    def render_status(self, record: PlanLine) -> str:
        return badge("ok" if record.status == "delivered" else "pending", record.get_status_display())
