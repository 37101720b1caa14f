from django.urls import path

from common.urls import object_urls
from sites import views as v

app_name = "sites"

urlpatterns = [
    path("units/tree/", v.UnitTreeView.as_view(), name="unit_tree"),
    path("units/merge/", v.UnitMergeView.as_view(), name="unit_merge"),
    path("sites/<int:pk>/sections/<str:key>/", v.SiteSectionView.as_view(), name="site_section"),
    *object_urls(
        "units",
        "administrativeunit",
        list_view=v.UnitListView,
        detail=v.UnitDetailView,
        edit=v.UnitEditView,
        delete=v.UnitDeleteView,
        import_view=v.UnitImportView,
        export=v.UnitExportView,
    ),
    *object_urls(
        "sites",
        "site",
        list_view=v.SiteListView,
        detail=v.SiteDetailView,
        edit=v.SiteEditView,
        delete=v.SiteDeleteView,
        import_view=v.SiteImportView,
        export=v.SiteExportView,
    ),
    *object_urls(
        "contacts",
        "sitecontact",
        list_view=v.SiteContactListView,
        detail=v.SiteContactDetailView,
        edit=v.SiteContactEditView,
        delete=v.SiteContactDeleteView,
    ),
    *object_urls(
        "rooms",
        "room",
        list_view=v.RoomListView,
        detail=v.RoomDetailView,
        edit=v.RoomEditView,
        delete=v.RoomDeleteView,
        import_view=v.RoomImportView,
        export=v.RoomExportView,
    ),
    *object_urls(
        "bridge-points",
        "bridgepoint",
        list_view=v.BridgePointListView,
        detail=v.BridgePointDetailView,
        edit=v.BridgePointEditView,
        delete=v.BridgePointDeleteView,
    ),
    *object_urls("links", "networklink", edit=v.NetworkLinkEditView, delete=v.NetworkLinkDeleteView),
    *object_urls(
        "equipment",
        "equipment",
        list_view=v.EquipmentListView,
        detail=v.EquipmentDetailView,
        edit=v.EquipmentEditView,
        delete=v.EquipmentDeleteView,
        import_view=v.EquipmentImportView,
        export=v.EquipmentExportView,
    ),
]
