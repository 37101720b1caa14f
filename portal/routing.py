"""Websocket URLs of every project app that has a `routing.py`, gathered in one list."""

from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from django.apps import apps
from django.conf import settings


def _collect() -> list:
    patterns: list = []
    for config in apps.get_app_configs():
        path = Path(config.path)
        if not path.is_relative_to(settings.BASE_DIR) or "site-packages" in path.parts:
            continue  # third-party apps (channels itself has a routing module)
        if find_spec(f"{config.name}.routing") is not None:
            # getattr: third-party apps have a routing module too (channels.routing has no patterns).
            patterns += getattr(import_module(f"{config.name}.routing"), "websocket_urlpatterns", [])
    return patterns


websocket_urlpatterns = _collect()
