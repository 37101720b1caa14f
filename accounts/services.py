"""Roles and users."""

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts.models import User
from accounts.roles import Role


def role_grants() -> dict[str, set[str]]:
    """Collect `GRANTS` from every installed app's `roles.py`."""
    grants: dict[str, set[str]] = {role: set() for role in Role.values}
    for config in apps.get_app_configs():
        if config.name.startswith("django.") or find_spec(f"{config.name}.roles") is None:
            continue
        for role, perms in getattr(import_module(f"{config.name}.roles"), "GRANTS", {}).items():
            grants.setdefault(role, set()).update(perms)
    return grants


@transaction.atomic
def roles_sync() -> dict[str, Group]:
    """Create one group per role and set exactly its granted permissions. Idempotent."""
    all_perms = {
        f"{p.content_type.app_label}.{p.codename}": p for p in Permission.objects.select_related("content_type")
    }
    groups = {}
    for role, wanted in role_grants().items():
        group, _ = Group.objects.get_or_create(name=role)
        missing = sorted(wanted - all_perms.keys())
        if missing:
            raise LookupError(f"Role {role} grants unknown permissions: {missing}")
        group.permissions.set([all_perms[p] for p in wanted])
        groups[role] = group
    return groups


def roles_sync_after_migrate(**kwargs: Any) -> None:
    """post_migrate hook: make sure every app's permissions exist, then sync the role groups."""
    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0, using=kwargs.get("using", "default"))
    roles_sync()


def user_set_roles(*, user: User, roles: list[str]) -> User:
    user.groups.set(Group.objects.filter(name__in=roles))
    user.__dict__.pop("_role_names", None)
    return user


@transaction.atomic
def users_move_on_merge(*, sources: list[Any], target: Any, **_: Any) -> int:
    """Units merged (sites.services.unit_merge): their officers now work for the successor unit."""
    return User.objects.filter(unit__in=sources).update(unit=target)


@transaction.atomic
def api_token_create(*, user: User) -> str:
    """
    Give `user` a new API token (DRF TokenAuthentication), replacing any earlier one, which stops
    working at once. Returns the key: the caller shows it once.
    """
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user).key


@transaction.atomic
def api_token_revoke(*, user: User) -> bool:
    """Delete the user's API token; True when there was one."""
    from rest_framework.authtoken.models import Token

    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)
