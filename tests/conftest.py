"""
Shared fixtures. Tests run against the database chosen by DATABASE_URL (SQLite by default,
PostgreSQL in the second pass of scripts/test.sh) and the real Redis.
"""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_set_roles
from sites import demo as sites_demo
from tests.factories import PASSWORD
from tests.replay import Replay

# Loaded by the services the first time, replayed row for row after that (tests/replay.py).
_demo_district = Replay(sites_demo.load)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _reset_axes():
    """Login throttling state lives in the database and is rolled back with it; nothing to do."""
    yield


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    """make_user(role, unit=None, username=None) → a user in that role (a Role value or None)."""
    counter = {"n": 0}

    def make(role: str | None = None, unit=None, username: str | None = None, **extra) -> User:
        counter["n"] += 1
        user = User.objects.create_user(
            username=username or f"{role or 'norole'}-{counter['n']}", password=PASSWORD, unit=unit, **extra
        )
        if role:
            user_set_roles(user=user, roles=[role])
        return User.objects.get(pk=user.pk)  # fresh permission cache

    return make


@pytest.fixture
def demo(db):
    """The demo district from sites/demo.py (17 communes, their sites, rooms and equipment)."""
    _demo_district()


@pytest.fixture
def api() -> Callable[[User | None], APIClient]:
    def client_for(user: User | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture
def admin_user(make_user) -> User:
    return make_user(Role.ADMINISTRATOR)


@pytest.fixture
def browser():
    """Debian's headless Chromium for one test (tests/browser.py)."""
    from tests.browser import chromium

    with chromium() as instance:
        yield instance


@pytest.fixture
def eager_tasks():
    """Run Celery tasks in-process (for tests about services, not about the worker)."""
    from portal.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def sync_hops(monkeypatch) -> list[str]:
    """The functions run through asgiref's `sync_to_async` during the test, in order: hops to a thread."""
    from asgiref.sync import SyncToAsync

    hops: list[str] = []
    original = SyncToAsync.__call__

    async def counted(self, *args, **kwargs):
        hops.append(getattr(self.func, "__qualname__", repr(self.func)))
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(SyncToAsync, "__call__", counted)
    return hops
