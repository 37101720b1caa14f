"""Language selection: Vietnamese unless the user chose otherwise; the busy state's answer cookie."""

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class PortalLocaleMiddleware:
    """
    Activate the language the user picked (the `set_language` cookie), else LANGUAGE_CODE.
    Unlike Django's LocaleMiddleware, the browser's Accept-Language is ignored: the portal is
    Vietnamese first for everyone, whatever the office PC's browser was installed with.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


# The busy state of slow links (static/common/busy.js): a link to a file carries `busy=<token>`, and the
# answer sets this cookie to that token, which tells the waiting page that the file has arrived.
BUSY_PARAM = "busy"
BUSY_COOKIE = "portal_busy"
BUSY_COOKIE_SECONDS = 60
# What busy.js makes (24 hex digits), with room to spare; anything else is ignored, so that a link
# cannot be made to set an arbitrary cookie value.
_BUSY_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,64}")


class BusyTokenMiddleware:
    """
    Answer a GET that carries `?busy=<token>` with a short-lived, script-readable cookie holding the
    token, whatever the answer (a file, an error page): the page that asked stops showing its busy
    state. The cookie holds nothing but the page's own random token.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        token = request.GET.get(BUSY_PARAM, "") if request.method in ("GET", "HEAD") else ""
        if token and _BUSY_TOKEN.fullmatch(token):
            response.set_cookie(
                BUSY_COOKIE,
                token,
                max_age=BUSY_COOKIE_SECONDS,
                path="/",
                secure=request.is_secure(),
                httponly=False,  # read by busy.js
                samesite="Lax",
            )
        return response
