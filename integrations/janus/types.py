"""Typed results of the Janus client, built from Janus's JSON (unknown keys are ignored)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """What `GET /janus/info` (or the Admin API `info`) says about a server."""

    name: str
    version: int
    version_string: str
    server_name: str
    session_timeout: int
    event_handlers: bool
    plugins: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ServerInfo:
        return cls(
            name=str(data.get("name", "")),
            version=int(data.get("version", 0)),
            version_string=str(data.get("version_string", "")),
            server_name=str(data.get("server-name", "")),
            session_timeout=int(data.get("session-timeout", 0)),
            event_handlers=bool(data.get("event_handlers", False)),
            plugins=tuple(sorted((data.get("plugins") or {}).keys())),
        )


@dataclass(frozen=True, slots=True)
class Room:
    """One VideoRoom as `list` reports it."""

    room_id: int
    description: str
    num_participants: int
    max_publishers: int
    bitrate: int
    pin_required: bool
    is_private: bool
    audiolevel_event: bool

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Room:
        return cls(
            room_id=int(data["room"]),
            description=str(data.get("description", "")),
            num_participants=int(data.get("num_participants", 0)),
            max_publishers=int(data.get("max_publishers", 0)),
            bitrate=int(data.get("bitrate", 0)),
            pin_required=bool(data.get("pin_required", False)),
            is_private=bool(data.get("is_private", False)),
            audiolevel_event=bool(data.get("audiolevel_event", False)),
        )


@dataclass(frozen=True, slots=True)
class Participant:
    """One participant of a room as `listparticipants` reports it."""

    id: int
    display: str
    publisher: bool
    talking: bool

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Participant:
        return cls(
            id=int(data["id"]),
            display=str(data.get("display", "")),
            publisher=bool(data.get("publisher", False)),
            talking=bool(data.get("talking", False)),
        )


@dataclass(frozen=True, slots=True)
class RoomSpec:
    """
    What to create. `secret` guards edit/kick/moderate/destroy, `pin` guards joining, and `allowed`
    (join tokens) limits who may join at all; a room without `allowed` is open to anyone with the pin.
    """

    room_id: int
    secret: str
    description: str = ""
    pin: str = ""
    allowed: tuple[str, ...] = ()
    publishers: int = 20
    bitrate: int = 0
    audiolevel_event: bool = True
    audio_active_packets: int = 50
    audio_level_average: int = 40
    notify_joining: bool = True
    is_private: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "request": "create",
            "room": self.room_id,
            "secret": self.secret,
            "description": self.description,
            "publishers": self.publishers,
            "bitrate": self.bitrate,
            "is_private": self.is_private,
            "notify_joining": self.notify_joining,
            "audiolevel_event": self.audiolevel_event,
            "permanent": False,  # permanent rooms rewrite the config folder (JANUS.md §3.3)
        }
        if self.audiolevel_event:
            body["audio_active_packets"] = self.audio_active_packets
            body["audio_level_average"] = self.audio_level_average
        if self.pin:
            body["pin"] = self.pin
        if self.allowed:
            body["allowed"] = list(self.allowed)
        return {**body, **self.extra}
