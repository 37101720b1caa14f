from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("map/", views.DistrictMapView.as_view(), name="map"),
]
