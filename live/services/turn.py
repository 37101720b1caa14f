"""
TURN for bridge points behind NAT (4G, satellite, the government data network): each room page gets
time-limited credentials for coturn in its join config, in the TURN REST scheme that coturn's
`use-auth-secret` / `static-auth-secret` (and Janus's `turn_rest_api`) share. The username is
"<expiry unix time>:<who>" and the password base64(HMAC-SHA1(TURN_SECRET, username)), so coturn checks
them with the shared secret alone and refuses them once expired; nothing is stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from django.conf import settings


def turn_credentials(*, name: str, now: float | None = None) -> tuple[str, str]:
    """(username, password) valid for TURN_CREDENTIAL_TTL_SECONDS from `now`."""
    expiry = int((time.time() if now is None else now) + settings.TURN_CREDENTIAL_TTL_SECONDS)
    username = f"{expiry}:{name}"
    digest = hmac.new(settings.TURN_SECRET.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers(*, name: str) -> list[dict[str, object]]:
    """The RTCPeerConnection iceServers of one room page: coturn's URLs with fresh credentials, or none."""
    if not settings.TURN_URLS or not settings.TURN_SECRET:
        return []
    username, credential = turn_credentials(name=name)
    return [{"urls": list(settings.TURN_URLS), "username": username, "credential": credential}]
