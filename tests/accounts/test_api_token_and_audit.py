"""
Self-service API tokens (make, see once, revoke from the profile) and the district-wide audit log for
leaders and administrators (who did what when, filtered, paginated, readable values, constant queries).
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.roles import Role
from sites import services as site_services
from sites.models import AdministrativeUnit, Site
from tests.factories.sites import SiteFactory

pytestmark = pytest.mark.django_db


def test_a_user_makes_sees_once_and_revokes_their_own_token(client, make_user):
    officer = make_user(Role.COMMUNE_OFFICER)
    client.force_login(officer)
    url = reverse("api_token")
    assert "Manage" in client.get(reverse("profile")).content.decode()
    assert client.post(url, {"action": "create"}).status_code == 302
    key = Token.objects.get(user=officer).key
    page = client.get(url).content.decode()
    assert key in page  # shown right after it was made...
    assert key not in client.get(url).content.decode()  # ...and never again
    # It works for the API, as this user.
    assert client.get("/api/", HTTP_AUTHORIZATION=f"Token {key}").status_code != 401
    # A new one replaces it; the old key stops working.
    client.post(url, {"action": "create"})
    new_key = Token.objects.get(user=officer).key
    assert new_key != key
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/sites/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Token {new_key}")
    assert api.get("/api/sites/").status_code == 200
    client.post(url, {"action": "revoke"})
    assert not Token.objects.filter(user=officer).exists()
    assert api.get("/api/sites/").status_code == 401
    # Only one's own: there is no way to name another user.
    other = make_user(Role.OFFICE_STAFF)
    Token.objects.create(user=other)
    client.post(url, {"action": "revoke", "user": other.pk})
    assert Token.objects.filter(user=other).exists()


def _changes(admin_user, n):
    unit = AdministrativeUnit.objects.create(code=f"xa-{n}", name=f"Xã {n}", kind="commune")
    for i in range(n):
        site = site_services.site_save(site=SiteFactory.build(unit=unit, code=f"s-{n}-{i}", name=f"Trụ sở {i}"))
        site.name, site.kind = f"Trụ sở {i} (mới)", "school"
        site._history_user = admin_user
        site.save()
    return unit


def _body(html):
    return html[html.index("<tbody>") : html.index("</tbody>")]


def test_audit_log_is_for_district_leaders_and_administrators(client, make_user):
    url = reverse("audit_log")
    expected = [(Role.OFFICE_STAFF, 403), (Role.TECHNICIAN, 403), (Role.LEADER, 200), (Role.ADMINISTRATOR, 200)]
    for role, status in expected:
        client.force_login(make_user(role))
        assert client.get(url).status_code == status, role
    unit = AdministrativeUnit.objects.create(code="xa-x", name="Xã X", kind="commune")
    client.force_login(make_user(Role.LEADER, unit=unit))
    assert client.get(url).status_code == 403  # a commune's leader does not see the whole district


def test_audit_log_readable_filtered_paged_constant_queries(client, make_user, admin_user, settings):
    settings.LANGUAGE_CODE = "vi"
    leader = make_user(Role.LEADER)
    client.force_login(leader)
    url = reverse("audit_log")
    _changes(admin_user, 2)
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        html = client.get(url).content.decode()
    # Readable: verbose names, choice labels, local times; no raw values.
    assert "Trụ sở 1 (mới)" in html and "Trường học" in html
    assert "school" not in re.sub(r"<[^>]+>", " ", html).split()
    local = timezone.localtime(Site.objects.get(code="s-2-1").history.first().history_date)
    assert local.strftime("%d/%m/%Y %H:%M") in html
    _changes(admin_user, 30)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert len(many) <= len(few) + 1, [q["sql"][:120] for q in many.captured_queries]
    assert "Trang 1 / 2" in html
    # Paginated: 50 a page.
    assert html.count("<tr>") <= 51
    second = client.get(url + "?page=2").content.decode()
    assert "Trụ sở " in _body(second)
    # Filters: by user, by action, by kind of object, by date.
    mine = client.get(url, {"user": admin_user.pk, "action": "changed", "source": "sites.site"}).content.decode()
    rows = re.findall(r"<tr>\s*<td", mine)
    assert len(rows) == 32 and "Trang 1 /" not in mine  # 2 + 30 renamed sites, one page
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    later = _body(client.get(url, {"since": tomorrow}).content.decode())
    assert "Trụ sở " not in later and "Không có mục nào phù hợp." in later
