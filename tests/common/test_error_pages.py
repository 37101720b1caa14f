"""
The portal's own 403, 404, CSRF and 500 pages: Vietnamese, with a way back, never Django's debug or bare
English pages; and the run command (portal.settings.local, scripts/run.sh) runs with DEBUG off.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import path, reverse
from django.utils import translation
from django.views.defaults import server_error

from accounts.roles import Role
from sites.models import AdministrativeUnit, Equipment

ROOT = Path(__file__).resolve().parents[2]


def _boom(request):
    raise RuntimeError("boom")


# ROOT_URLCONF of the 500 test: one view that fails.
urlpatterns = [path("boom/", _boom)]


def assert_way_back(page: str) -> None:
    assert 'href="/"' in page and "Về trang chủ" in page
    # "Go back" is a link home that static/common/portal.js turns into history.back() (no inline script: CSP).
    assert "data-history-back" in page and "Quay lại" in page


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="vi", DEBUG=False)
def test_404_is_the_portals_page_in_vietnamese(client, make_user):
    client.force_login(make_user(Role.OFFICE_STAFF))
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Không tìm thấy trang" in page and "Lỗi 404" in page
    assert "Hệ thống giao ban trực tuyến" in page and "navbar" in page  # the portal's layout
    assert_way_back(page)
    assert "Not Found" not in page and "URLconf" not in page and "api/schema/" not in page


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="vi", DEBUG=False)
def test_another_communes_object_gets_the_same_404_page(client, make_user, demo):
    officer = make_user(Role.COMMUNE_OFFICER, unit=AdministrativeUnit.objects.get(code="tam-hai"))
    other = Equipment.objects.filter(site__unit__code="tam-giang").first()
    client.force_login(officer)
    response = client.get(reverse("sites:equipment_detail", args=[other.pk]))
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="vi", DEBUG=False)
def test_403_is_the_portals_page_in_vietnamese(client, make_user):
    client.force_login(make_user(None))  # no role: may not see the sites list
    response = client.get(reverse("sites:site_list"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Không có quyền truy cập" in page and "Lỗi 403" in page
    assert_way_back(page)
    assert "Forbidden" not in page


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="vi", DEBUG=False)
def test_a_form_refused_by_the_csrf_check_gets_the_portals_page(make_user):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Biểu mẫu đã hết hạn" in page
    assert_way_back(page)
    assert "Forbidden" not in page and "CSRF" not in page


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="vi", DEBUG=False, ROOT_URLCONF=__name__)
def test_500_is_the_portals_page_in_vietnamese():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Lỗi máy chủ" in page and "Lỗi 500" in page
    assert_way_back(page)
    assert "boom" not in page and "Traceback" not in page


def test_500_page_needs_no_database_nor_request_context():
    """No django_db mark: any query would fail the test."""
    with translation.override("vi"):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Lỗi máy chủ" in response.content.decode()


def test_the_run_command_runs_without_debug_pages():
    """scripts/run.sh (and the ASGI app, Celery, manage.py) default to portal.settings.local: DEBUG must be off."""
    assert "DJANGO_SETTINGS_MODULE:-portal.settings.local" in (ROOT / "scripts" / "run.sh").read_text()
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG", "DJANGO_SETTINGS_MODULE"}}
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings.local"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "False", result.stdout + result.stderr
