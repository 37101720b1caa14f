"""Demo data: the local Janus (rendered from deploy/janus by scripts/render_janus_config.py)."""

from django.conf import settings

from common.demo import upsert
from live.models import MediaServer
from portal.env import env


def load() -> None:
    upsert(
        MediaServer,
        {"name": "janus-1"},
        server_name=env("JANUS_SERVER_NAME", default="janus-1"),
        api_url=settings.JANUS_URL,
        admin_url=settings.JANUS_ADMIN_URL,
    )
