from django.urls import path

from cameras import views as v
from common.urls import object_urls

app_name = "cameras"

urlpatterns = [
    path("", v.DashboardView.as_view(), name="dashboard"),
    path("live/", v.DashboardNumbersView.as_view(), name="dashboard_numbers"),
    path("alerts/", v.AlertListView.as_view(), name="alert_list"),
    path("incidents/<int:pk>/", v.IncidentDetailView.as_view(), name="incident_detail"),
    path("incidents/acknowledge/", v.IncidentAcknowledgeView.as_view(), name="incident_acknowledge"),
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
