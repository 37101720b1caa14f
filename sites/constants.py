"""Constants of the sites app."""

# Websocket close codes of the live site page (4000-4999 are free for applications).
WS_NOT_AUTHENTICATED = 4401  # no session: log in again
WS_FORBIDDEN = 4403  # the user may not see this site (or it does not exist)
