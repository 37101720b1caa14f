"""
Janus access: the clients of a media server (API and admin), the rooms' derived secrets, and keeping
Janus's stored join tokens in step with the portal (`tokens_sync`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from django.conf import settings

from integrations.janus import JanusAdminClient, JanusClient
from live.models import MediaServer, ParticipantState, VideoRoom


def room_secret(room_id: int) -> str:
    """The room's secret, derived from SECRET_KEY so it is never stored and never leaves the server."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"live-room:{room_id}".encode(), hashlib.sha256).hexdigest()[:40]


def moderate_audio(janus: JanusClient, room: VideoRoom, state: ParticipantState, *, mute: bool) -> None:
    """Mute or unmute a site's microphone in Janus (`moderate` on its audio stream in `room`)."""
    janus.room_moderate(
        room.room_id, secret=room_secret(room.room_id), participant_id=state.janus_id, mid=state.audio_mid, mute=mute
    )


def janus_client(server: MediaServer) -> JanusClient:
    return JanusClient(
        server.api_url,
        api_secret=server.secret("api_secret"),
        admin_key=server.secret("admin_key"),
        timeout=settings.JANUS_TIMEOUT_SECONDS,
    )


def janus_admin_client(server: MediaServer) -> JanusAdminClient:
    return JanusAdminClient(
        server.admin_url, admin_secret=server.secret("admin_secret"), timeout=settings.JANUS_TIMEOUT_SECONDS
    )


def tokens_sync(*, server: MediaServer, wanted: Callable[[], set[str]]) -> None:
    """
    Make Janus's stored tokens (token_auth), the join tokens that browsers use instead of the API
    secret, exactly `wanted()`. It is called after listing what Janus has: a token Janus has was added
    after its row committed, so a room being provisioned meanwhile keeps its tokens. Skipped for a
    server without admin URL.
    """
    if not server.admin_url:
        return
    with janus_admin_client(server) as admin:
        present = set(admin.token_list())
        tokens = wanted()
        errors = admin.tokens_add(sorted(tokens - present))
        if errors:
            raise next(iter(errors.values()))
        for token in present - tokens:
            admin.token_remove(token)
