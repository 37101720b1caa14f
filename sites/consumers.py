"""Websocket of the live site page: tells the page which section changed (see sites.live)."""

from __future__ import annotations

import logging
from typing import Any

from channels.db import database_sync_to_async

from common.consumers import PortalJsonConsumer
from sites.constants import WS_FORBIDDEN, WS_NOT_AUTHENTICATED
from sites.live import SECTION_CHANGED, site_group

logger = logging.getLogger("portal.sites.live")


@database_sync_to_async
def _may_see(user: Any, site_id: int) -> bool:
    """The site page's own rule: the role may view sites, and the site is in the user's units."""
    from common.scoping import scope_queryset
    from sites.models import Site

    return user.has_perm("sites.view_site") and scope_queryset(Site.objects.filter(pk=site_id), user).exists()


class SiteLiveConsumer(PortalJsonConsumer):
    """
    Read-only: joins the site's group and forwards each `section.changed` as
    `{"type": "section.changed", "section": "<key>"}`. What the browser sends is ignored.
    """

    site_id: int
    joined_group = False

    async def connect(self) -> None:
        self.site_id = int(self.scope["url_route"]["kwargs"]["pk"])
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=WS_NOT_AUTHENTICATED)
            return
        if not await _may_see(user, self.site_id):
            await self.close(code=WS_FORBIDDEN)
            return
        await self.channel_layer.group_add(site_group(self.site_id), self.channel_name)
        self.joined_group = True
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.joined_group:
            await self.channel_layer.group_discard(site_group(self.site_id), self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        """The stream is read-only: anything the browser sends, valid JSON or not, is ignored."""

    async def section_changed(self, event: dict[str, Any]) -> None:
        """Handles `section.changed` from the channel layer."""
        await self.send_json({"type": SECTION_CHANGED, "section": str(event.get("section", ""))})
