"""Portal-wide behaviour: login, language, throttling, health, demo data, settings."""

import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from accounts.roles import Role

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="vi")
def test_login_page_is_vietnamese_first_and_english_on_request(client):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert "Đăng nhập".encode() in page.content
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert b"Log in" in client.get(reverse("login")).content


@pytest.mark.django_db
def test_login_logout_and_home(client, make_user):
    user = make_user(Role.OFFICE_STAFF, username="hoa")
    response = client.post(reverse("login"), {"username": "hoa", "password": "pw-Test-12345"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302
    assert user.pk


@pytest.mark.django_db
def test_login_is_throttled_after_five_failures(client, make_user):
    make_user(Role.OFFICE_STAFF, username="hoa")
    for _ in range(5):
        client.post(reverse("login"), {"username": "hoa", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "hoa", "password": "pw-Test-12345"})
    assert locked.status_code == 429
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_password_change(client, make_user):
    user = make_user(Role.LEADER)
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw-Test-12345", "new_password1": "Giao-ban-2026!", "new_password2": "Giao-ban-2026!"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Giao-ban-2026!")


@pytest.mark.django_db
def test_healthz_reports_each_part(client, admin_user):
    response = client.get("/healthz")
    body = response.json()
    assert set(body["checks"]) >= {"database", "redis", "workers", "janus"}
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]
    assert "detail" not in body["checks"]["database"]  # anonymous gets no details
    assert response.status_code == (200 if body["ok"] else 503)
    client.force_login(admin_user)
    assert "detail" in client.get("/healthz").json()["checks"]["database"]


@pytest.mark.django_db
def test_demo_data_is_idempotent():
    from django.apps import apps

    call_command("seed_demo", stdout=io.StringIO())
    counts = {m._meta.label: m.objects.count() for m in apps.get_models()}
    call_command("seed_demo", stdout=io.StringIO())
    assert {m._meta.label: m.objects.count() for m in apps.get_models()} == counts
    assert counts["sites.AdministrativeUnit"] == 19
    assert counts["sites.BridgePoint"] == 19


@pytest.mark.django_db
def test_database_is_set_up_for_concurrent_use():
    """
    SQLite: WAL and IMMEDIATE transactions, so concurrent writers wait instead of failing. PostgreSQL:
    one connection pool per process shared by its threads (ASGI runs each request in a thread of its
    own, so per-thread persistent connections would never be reused and would pile up).
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    assert connection.vendor == "postgresql"
    assert connection.pool is not None and connection.settings_dict["CONN_MAX_AGE"] == 0
    pools = []

    def other_thread():
        from django.db import connection as thread_connection

        pools.append(thread_connection.pool)
        thread_connection.close()

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert pools == [connection.pool]


@pytest.mark.django_db
def test_migrations_are_complete():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_check_deploy_with_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DJANGO_SECRET_KEY": "k" * 20 + "-Zz9_secret-for-the-deploy-check-only-0123456789",
        "FIELD_ENCRYPTION_KEY": "a-field-key-for-the-deploy-check",
        "DJANGO_ALLOWED_HOSTS": "portal.example",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    refused = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**env, "DJANGO_SECRET_KEY": "dev-insecure-key"},
        timeout=120,
    )
    assert refused.returncode != 0 and "DJANGO_SECRET_KEY" in refused.stderr
