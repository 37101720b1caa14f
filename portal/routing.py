"""Websocket URLs of every app that has a `routing.py`, gathered in one list."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps


def _collect() -> list:
    patterns: list = []
    for config in apps.get_app_configs():
        if find_spec(f"{config.name}.routing") is not None:
            # getattr: third-party apps have a routing module too (channels.routing has no patterns).
            patterns += getattr(import_module(f"{config.name}.routing"), "websocket_urlpatterns", [])
    return patterns


websocket_urlpatterns = _collect()
