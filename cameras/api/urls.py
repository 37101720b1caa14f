from rest_framework.routers import DefaultRouter

from cameras.api import views

router = DefaultRouter()
router.register("cameras", views.CameraViewSet)
router.register("recorders", views.RecorderViewSet)
router.register("camera-alerts", views.CameraAlertViewSet)

urlpatterns = router.urls
