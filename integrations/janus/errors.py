"""
Error taxonomy of the Janus client.

Janus reports failures in three places, and the client turns each into one exception class:

- the transport (connection refused, timeout, HTTP 5xx): `JanusUnavailableError`, the only kind a
  caller should retry;
- the core API (`{"janus": "error", "error": {"code", "reason"}}` with HTTP 200): `JanusAPIError`
  and subclasses, e.g. 403 (wrong API secret), 458 (no such session);
- the VideoRoom plugin (`plugindata.data.error_code`, still HTTP 200 and `"janus": "success"`):
  `VideoRoomError` and subclasses, e.g. 426 no such room, 427 room exists, 433 unauthorised.

Codes and texts were checked against Janus 1.1.2 (shared JANUS.md §4.4, §11).
"""

from __future__ import annotations


class JanusError(Exception):
    """Any failure reported by, or on the way to, a Janus server."""

    code: int = 0

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"Janus error {code}: {reason}")
        self.code = code
        self.reason = reason


class JanusUnavailableError(JanusError):
    """Janus could not be reached, timed out, or answered 5xx: safe to retry later."""


#
# Core API errors ({"janus": "error"})
#


class JanusAPIError(JanusError):
    """The core API refused the request; retrying the same request will not help."""


class JanusUnauthorizedError(JanusAPIError):
    """403: wrong or missing API secret (or admin secret on the Admin API)."""


class JanusSessionNotFoundError(JanusAPIError):
    """458: the session expired (60 s without keepalive) or Janus restarted."""


class JanusHandleNotFoundError(JanusAPIError):
    """459: the plugin handle is gone."""


class JanusPluginNotFoundError(JanusAPIError):
    """460: the plugin is not loaded."""


#
# VideoRoom plugin errors (plugindata.data.error_code)
#


class VideoRoomError(JanusError):
    """The VideoRoom plugin refused the request."""


class RoomNotFoundError(VideoRoomError):
    """426: no such room."""


class RoomExistsError(VideoRoomError):
    """427: a room with this id already exists."""


class ParticipantNotFoundError(VideoRoomError):
    """428: no such user (or stream) in the room."""


class MissingElementError(VideoRoomError):
    """429: a mandatory element (secret, pin, id, mid, admin_key…) is missing."""


class InvalidElementError(VideoRoomError):
    """430: an element has the wrong type or value."""


class VideoRoomUnauthorizedError(VideoRoomError):
    """433: wrong secret, pin, admin_key, or a token that is not in the room's allowed list."""


CORE_ERRORS: dict[int, type[JanusAPIError]] = {
    403: JanusUnauthorizedError,
    458: JanusSessionNotFoundError,
    459: JanusHandleNotFoundError,
    460: JanusPluginNotFoundError,
}

VIDEOROOM_ERRORS: dict[int, type[VideoRoomError]] = {
    426: RoomNotFoundError,
    427: RoomExistsError,
    428: ParticipantNotFoundError,
    429: MissingElementError,
    430: InvalidElementError,
    433: VideoRoomUnauthorizedError,
}


def core_error(code: int, reason: str) -> JanusAPIError:
    """The exception for a core API error code."""
    return CORE_ERRORS.get(code, JanusAPIError)(code, reason)


def videoroom_error(code: int, reason: str) -> VideoRoomError:
    """The exception for a VideoRoom plugin error code."""
    return VIDEOROOM_ERRORS.get(code, VideoRoomError)(code, reason)
