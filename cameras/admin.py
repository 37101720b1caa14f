"""Admin for cameras. The password is left out: it is set from the camera page by a technician."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cameras.models import HEALTH_FIELDS, Camera, CameraAlert, CoverageTemplate, Recorder, ZoneRequirement


@admin.register(Camera)
class CameraAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "site", "camera_type", "status", "maintenance", "health", "last_seen_at")
    list_filter = ("status", "health", "camera_type", "placement", "maintenance")
    search_fields = ("code", "name", "serial", "site__name")
    exclude = ("password",)
    readonly_fields = ("password_changed_at", *HEALTH_FIELDS)
    list_select_related = ("site",)


@admin.register(Recorder)
class RecorderAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "site", "kind", "operator", "channels", "storage_days")
    search_fields = ("code", "name", "site__name")


@admin.register(CameraAlert)
class CameraAlertAdmin(admin.ModelAdmin):
    list_display = ("created_at", "camera", "kind", "acknowledged_at", "acknowledged_by")
    list_filter = ("kind",)
    list_select_related = ("camera", "acknowledged_by")


class ZoneRequirementInline(admin.TabularInline):
    model = ZoneRequirement
    extra = 0


@admin.register(CoverageTemplate)
class CoverageTemplateAdmin(SimpleHistoryAdmin):
    list_display = ("name", "site_kind", "floors")
    inlines = [ZoneRequirementInline]
