"""The home panel every role sees first when something waits for them."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from dashboards.registry import first_rows, register_panel
from notifications.selectors import notification_list


@register_panel(
    key="notifications.unread",
    title=_("For you to act on"),
    template="notifications/panels/unread.html",
    roles=Role.values,
    permission="notifications.view_notification",
    order=0,
)
def unread(request: HttpRequest, limit: int = 5) -> dict[str, Any] | None:
    """The newest unread notifications; no panel when there are none."""
    items, more = first_rows(notification_list(user=request.user, unread_only=True), limit)
    if not items:
        return None
    return {"items": items, "more": more}
