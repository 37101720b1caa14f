"""Constants of the cameras app: websocket close codes and channel-layer names."""

# Websocket close codes (4000–4999 are free for applications).
WS_NOT_AUTHENTICATED = 4401  # no logged-in user on the socket
WS_NOT_AUTHORIZED = 4403  # logged in, but the role may not see camera alerts

# Every camera event goes to ALL_GROUP (users tied to no unit) and to one group per unit on the
# path from the camera's unit up to the root, so that a commune user hears only its own cameras.
ALL_GROUP = "cameras-all"
SWEEP_LOCK_KEY = "cameras:health-sweep-lock"


def unit_group(unit_id: int) -> str:
    return f"cameras-unit-{unit_id}"


# The key of the site page section that lists a site's cameras (cameras.panels); services that change
# what it shows tell the open site pages with sites.live.site_section_changed(section=SITE_SECTION).
SITE_SECTION = "cameras.cameras"
