from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from sites.models import AdministrativeUnit, BridgePoint, Equipment, NetworkLink, Room, Site, SiteContact


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "kind", "terrain", "parent", "dissolved_on")
    list_filter = ("kind", "terrain")
    search_fields = ("code", "name")


@admin.register(Site)
class SiteAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "unit", "kind", "is_key_site")
    list_filter = ("kind", "is_key_site")
    search_fields = ("code", "name")


@admin.register(Room)
class RoomAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "site", "capacity", "is_bookable")
    search_fields = ("code", "name")


@admin.register(BridgePoint)
class BridgePointAdmin(SimpleHistoryAdmin):
    list_display = ("code", "janus_display", "room", "role", "is_active", "last_test_result")


@admin.register(Equipment)
class EquipmentAdmin(SimpleHistoryAdmin):
    list_display = ("code", "kind", "model", "serial", "site", "status")
    list_filter = ("kind", "status")
    search_fields = ("code", "serial", "model")


admin.site.register(SiteContact, SimpleHistoryAdmin)
admin.site.register(NetworkLink, SimpleHistoryAdmin)
