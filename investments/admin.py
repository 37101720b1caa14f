from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from investments.models import (
    Allocation,
    CatalogueItem,
    InvestmentPlan,
    ItemPrice,
    KitLine,
    Phase,
    PlanLine,
    PlanRevision,
    Spending,
    StandardKit,
)


class ItemPriceInline(admin.TabularInline):
    model = ItemPrice
    extra = 0


@admin.register(CatalogueItem)
class CatalogueItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "equipment_kind", "camera_type", "is_active")
    search_fields = ("code", "name")
    inlines = (ItemPriceInline,)


class KitLineInline(admin.TabularInline):
    model = KitLine
    extra = 0


@admin.register(StandardKit)
class StandardKitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "site_kind", "key_sites_only", "is_active")
    inlines = (KitLineInline,)


@admin.register(InvestmentPlan)
class InvestmentPlanAdmin(SimpleHistoryAdmin):
    list_display = ("code", "title", "start_year", "end_year", "status", "version")


admin.site.register(Phase)
admin.site.register(PlanRevision)


@admin.register(PlanLine)
class PlanLineAdmin(admin.ModelAdmin):
    list_display = ("plan", "site", "item", "quantity", "unit_price_vnd", "amount_vnd", "status")
    list_filter = ("plan", "status", "source")
    raw_id_fields = ("site",)


admin.site.register(Allocation, SimpleHistoryAdmin)
admin.site.register(Spending, SimpleHistoryAdmin)
