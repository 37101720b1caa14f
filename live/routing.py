from django.urls import path

from live.consumers import LiveBoardConsumer

websocket_urlpatterns = [
    path("ws/live/meetings/<int:meeting_id>/", LiveBoardConsumer.as_asgi()),
]
