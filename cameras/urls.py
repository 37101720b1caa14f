from django.urls import path

from cameras import views as v
from common.urls import object_urls

app_name = "cameras"

urlpatterns = [
    path("", v.DashboardView.as_view(), name="dashboard"),
    path("alerts/", v.AlertListView.as_view(), name="alert_list"),
    path("alerts/<int:pk>/acknowledge/", v.AlertAcknowledgeView.as_view(), name="alert_acknowledge"),
    path("coverage/", v.CoverageView.as_view(), name="coverage"),
    *object_urls(
        "cameras",
        "camera",
        list_view=v.CameraListView,
        detail=v.CameraDetailView,
        edit=v.CameraEditView,
        delete=v.CameraDeleteView,
        import_view=v.CameraImportView,
        export=v.CameraExportView,
    ),
    *object_urls(
        "recorders",
        "recorder",
        list_view=v.RecorderListView,
        detail=v.RecorderDetailView,
        edit=v.RecorderEditView,
        delete=v.RecorderDeleteView,
        import_view=v.RecorderImportView,
        export=v.RecorderExportView,
    ),
]
