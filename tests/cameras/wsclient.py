"""
A minimal websocket test client over asgiref's ApplicationCommunicator. `channels.testing` cannot
be imported here: its package imports the live-server helpers, which need daphne (not installed).
"""

import json
from typing import Any

from asgiref.testing import ApplicationCommunicator


class WebsocketCommunicator(ApplicationCommunicator):
    def __init__(self, application: Any, path: str) -> None:
        self.scope = {"type": "websocket", "path": path, "headers": [], "subprotocols": [], "query_string": b""}
        super().__init__(application, self.scope)

    async def connect(self, timeout: float = 1) -> tuple[bool, int | None]:
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        return True, None

    async def receive_json_from(self, timeout: float = 1) -> Any:
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def disconnect(self, code: int = 1000, timeout: float = 1) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)
