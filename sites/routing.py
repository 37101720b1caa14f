from django.urls import path

from sites.consumers import SiteLiveConsumer

websocket_urlpatterns = [path("ws/sites/<int:pk>/", SiteLiveConsumer.as_asgi())]
