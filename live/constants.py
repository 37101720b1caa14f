"""Constants of the live app, each with the reason for its value."""

# Readiness is tracked from this many seconds before a meeting starts (technicians arrive at T-60 min).
READINESS_WINDOW = 60 * 60

# Rooms are created this long before the start so that test calls can join the same room.
PROVISION_AHEAD = READINESS_WINDOW

# Websocket close codes (4000-4999 are free for applications).
WS_NOT_AUTHENTICATED = 4401  # no session: log in again
WS_FORBIDDEN = 4403  # the user may not see this meeting (or it does not exist)

# Publisher slots beyond the invited sites and the host: a second device at a site, an operator.
SPARE_PUBLISHERS = 2

# Per-publisher bitrate cap from a site's primary link: this share of its bandwidth, within bounds.
LINK_SHARE = 0.5
MIN_BITRATE = 128_000
MAX_BITRATE = 2_000_000
