"""
The live site page. Whatever changes what a section of the site page shows calls
`site_section_changed(site_id=..., section="<section key>")` from its service; after the
transaction commits, every browser with that site's page open hears `section.changed` on its
websocket (sites.consumers) and fetches the section's new HTML (sites:site_section).

A broadcast that fails (Redis down) is logged and never undoes the write that caused it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction

from common import push

__all__ = ["SECTION_CHANGED", "site_group", "site_section_changed", "sites_section_changed"]

logger = logging.getLogger("portal.sites.live")

SECTION_CHANGED = "section.changed"


def site_group(site_id: int) -> str:
    """The channel-layer group of the browsers that have one site's page open."""
    return f"site.{site_id}"


def site_section_changed(*, site_id: int, section: str) -> None:
    """Tell the site's open pages that `section` changed, once the current transaction commits."""
    sites_section_changed(site_ids=[site_id], section=section)


def sites_section_changed(*, site_ids: Iterable[int | None], section: str) -> None:
    """The same for many sites (a meeting's, a plan's): one after-commit callback, one batch of sends."""
    ids = sorted({pk for pk in site_ids if pk})
    if ids:
        transaction.on_commit(lambda: _send(ids, section))


def _send(site_ids: list[int], section: str) -> None:
    message = {"type": SECTION_CHANGED, "section": section}
    try:
        push.groups_send([(site_group(pk), message) for pk in site_ids])
    except Exception:  # the channel layer is down or refuses: the pages just stay as they are
        logger.warning("could not tell site pages %s that %s changed", site_ids, section, exc_info=True)
