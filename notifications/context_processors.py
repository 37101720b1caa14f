"""The bell in the navbar: the user's unread count, one query, only when a page shows it."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from notifications.selectors import notification_unread_count

    return {"notifications_unread": SimpleLazyObject(lambda: notification_unread_count(user=user))}
