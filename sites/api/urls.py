from rest_framework.routers import DefaultRouter

from sites.api import views

router = DefaultRouter()
router.register("units", views.UnitViewSet)
router.register("sites", views.SiteViewSet)
router.register("contacts", views.SiteContactViewSet)
router.register("rooms", views.RoomViewSet)
router.register("bridge-points", views.BridgePointViewSet)
router.register("network-links", views.NetworkLinkViewSet)
router.register("equipment", views.EquipmentViewSet)

urlpatterns = router.urls
