"""
Client for the Janus WebRTC server (plain Python, no Django): `JanusClient` for the Janus API and
VideoRoom management, `JanusAdminClient` for the Admin API, typed results in `types`, and the error
taxonomy in `errors`.
"""

from integrations.janus.client import JanusAdminClient, JanusClient
from integrations.janus.errors import (
    JanusAPIError,
    JanusError,
    JanusUnavailableError,
    ParticipantNotFoundError,
    RoomExistsError,
    RoomNotFoundError,
    VideoRoomError,
)
from integrations.janus.types import Participant, Room, RoomSpec, ServerInfo

__all__ = [
    "JanusAPIError",
    "JanusAdminClient",
    "JanusClient",
    "JanusError",
    "JanusUnavailableError",
    "Participant",
    "ParticipantNotFoundError",
    "Room",
    "RoomExistsError",
    "RoomNotFoundError",
    "RoomSpec",
    "ServerInfo",
    "VideoRoomError",
]
