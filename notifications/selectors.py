"""Reading notifications: always those of one person."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import User
from notifications.choices import NotificationKind
from notifications.models import Notification, NotificationPreference


def notification_list(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    qs = Notification.objects.filter(recipient=user)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def notification_unread_count(*, user: User) -> int:
    """The number on the bell (one COUNT on the (recipient, read_at) index)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@dataclass(frozen=True, slots=True)
class KindPreference:
    kind: str
    label: str
    in_app: bool
    email: bool


def notification_preferences(*, user: User) -> list[KindPreference]:
    """Every kind with the user's choice (the defaults where none is stored)."""
    stored = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    rows = []
    for kind in NotificationKind:
        preference = stored.get(kind.value)
        rows.append(
            KindPreference(
                kind=kind.value,
                label=str(kind.label),
                in_app=preference.in_app if preference else True,
                email=preference.email if preference else True,
            )
        )
    return rows
