"""
The portal's HTTP handler under ASGI: Django's, with the middleware chain run in its synchronous
mode, in one hop to the worker thread.

Django's ASGIHandler runs the chain in async mode: each `MiddlewareMixin` middleware takes its
`process_request` and `process_response` through `sync_to_async`, and a sync-only middleware in the
middle sends the rest back through `async_to_sync`. With the portal's middleware that was 15 hops
between the event loop and the worker thread per request, most of a short request's time on a loaded
machine (a Janus event, the live board's path, spent ~10 ms of its ~20 in them). The portal has no
async views, so nothing needs the async chain: here the whole chain and the view run in one hop, as
under WSGI.
"""

from __future__ import annotations

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.db import connections
from django.http import HttpRequest, HttpResponseBase


class PortalASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        # The request's thread (thread_sensitive: Django gives each request one of its own).
        return await sync_to_async(self._get_response_closing, thread_sensitive=True)(request)

    def _get_response_closing(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # The thread ends with the request, so its database connections go when the response is closed
        # (in that thread), whatever CONN_MAX_AGE says: it keeps them where threads live on (websocket
        # consumers, the Janus event route, Celery).
        response._resource_closers.append(connections.close_all)
        return response


def get_asgi_application() -> PortalASGIHandler:
    """`django.core.asgi.get_asgi_application` with the portal's handler."""
    django.setup(set_prefix=False)
    return PortalASGIHandler()
