"""ASGI entry point: HTTP through Django, websockets through Channels with session auth."""

import os
from importlib import import_module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

from common.asgi import get_asgi_application

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up first)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from common.runtime import freeze_startup_heap  # noqa: E402
from live.asgi import JanusEventsRoute  # noqa: E402
from portal.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Janus's events skip Django's request machinery (live/asgi.py); the rest is Django.
        "http": JanusEventsRoute(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

# Load the URLconf (and with it the views and services) now, then keep startup objects out of the
# garbage collector's full passes (common/runtime.py).
import_module(settings.ROOT_URLCONF)
freeze_startup_heap()
