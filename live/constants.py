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

# Rooms provisioned together at most (one transaction, one Janus session per server): bounds the IN
# lists and a batch's time (100 rooms take about 0.2 s on one Janus).
PROVISION_BATCH = 200

# Seconds the "drain queued" flag lives without being refreshed: if the drain task is lost, starts
# queue a new one after this (and reconcile creates the rooms meanwhile).
PROVISION_DRAIN_TTL = 30

# A room still PENDING this many seconds after it was prepared was missed by the start dispatch (its
# pending entry or drain task was lost): reconcile creates it. Younger ones are left to the dispatch.
PROVISION_GRACE = 10
