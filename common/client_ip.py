"""
The client's address for login throttling (django-axes) and logs. `X-Forwarded-For` is believed only
when the request comes from a proxy listed in `PORTAL_TRUSTED_PROXIES` (none by default), and then
only up to the first address that is not such a proxy, read from the right: a client cannot make up
its own address with the header. uvicorn runs with `--no-proxy-headers` (Procfile), so REMOTE_ADDR
is the peer of the connection; its own header handling trusted any loopback client, which let a
client on the same host escape the lockout with a made-up header.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = set(settings.PORTAL_TRUSTED_PROXIES)
    if remote is None or remote not in trusted:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if address in trusted:
            continue
        return address if _valid(address) else remote
    return remote
