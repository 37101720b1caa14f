from django.urls import path

from cameras.consumers import CameraAlertConsumer

websocket_urlpatterns = [path("ws/cameras/alerts/", CameraAlertConsumer.as_asgi())]
