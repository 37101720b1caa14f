from django.urls import path

from dashboards.api import views

urlpatterns = [
    path("map/sites/", views.SiteMapApi.as_view(), name="map-sites"),
]
