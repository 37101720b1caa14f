"""Reading notifications: always those of one person."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts.models import User
from notifications.choices import NotificationKind
from notifications.models import Notification, NotificationPreference
from sites.models import AdministrativeUnit


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


def notification_recipients(*, roles: Iterable[str], unit_id: int | None = None) -> QuerySet[User]:
    """
    Active users in any of `roles` who can see something of unit `unit_id`: district-wide staff (no
    unit) and those tied to that unit or to a unit above it. Without `unit_id`, everyone in the roles.
    E.g. the technicians who must hear that a camera at a Tam Hải site went offline.
    """
    users = User.objects.filter(is_active=True, groups__name__in=[str(r) for r in roles])
    if unit_id is not None:
        parents = dict(AdministrativeUnit.objects.values_list("pk", "parent_id"))
        chain: list[int] = []
        current: int | None = unit_id
        while current is not None and current not in chain:
            chain.append(current)
            current = parents.get(current)
        users = users.filter(Q(unit__isnull=True) | Q(unit_id__in=chain))
    return users.distinct()
