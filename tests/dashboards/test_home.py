"""Home dashboards per role: which panels, scoped content, query counts."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_celery_results.models import TaskResult

from accounts.roles import Role
from dashboards import registry
from dashboards.registry import register_panel
from notifications.services import notify
from sites.choices import EquipmentStatus
from sites.models import Equipment, Site
from tests.factories.sites import EquipmentFactory

EXPECTED = {
    Role.OFFICE_STAFF: {"sites.status", "sites.readiness", "meetings.today"},
    Role.TECHNICIAN: {
        "sites.readiness",
        "sites.faulty_equipment",
        "sites.warranties",
        "cameras.health",
        "live.readiness",
    },
    Role.HOST: {"sites.status", "sites.readiness", "meetings.today"},
    Role.COMMUNE_OFFICER: {
        "sites.status",
        "sites.readiness",
        "sites.faulty_equipment",
        "cameras.health",
        "meetings.my_commune",
        "live.readiness",
    },
    Role.FINANCE: {"sites.warranties", "sites.equipment_value", "investments.allocation"},
    Role.LEADER: {
        "sites.status",
        "sites.equipment_value",
        "cameras.health",
        "meetings.minutes_to_approve",
        "meetings.attendance",
        "meetings.overdue_tasks",
        "meetings.open_proposals",
        "meetings.savings",
        "investments.allocation",
    },
    Role.ADMINISTRATOR: {"common.health", "common.jobs", "sites.status", "cameras.health", "live.recordings"},
    Role.POLICE_OPERATOR: {"cameras.health"},
}


def panel_keys(html: str) -> set[str]:
    return set(re.findall(r'data-panel="([^"]+)"', html))


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(EXPECTED), ids=[r.value for r in EXPECTED])
def test_each_role_sees_its_panels(client, demo, make_user, tam_hai, role):
    unit = tam_hai if role == Role.COMMUNE_OFFICER else None
    client.force_login(make_user(role, unit=unit))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert panel_keys(response.content.decode()) == EXPECTED[role]


@pytest.mark.django_db
def test_home_needs_login_and_explains_an_empty_dashboard(client, make_user):
    assert client.get(reverse("home")).status_code == 302
    client.force_login(make_user(None))
    page = client.get(reverse("home")).content.decode()
    assert panel_keys(page) == set() and "no role" in page


@pytest.mark.django_db
def test_unread_notifications_panel_appears_first(client, make_user):
    user = make_user(Role.LEADER)
    notify(recipients=[user], kind="minutes_to_approve", title="Biên bản phiên giao ban tháng 11 chờ duyệt")
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    assert re.findall(r'data-panel="([^"]+)"', html)[0] == "notifications.unread"
    assert "Biên bản phiên giao ban tháng 11 chờ duyệt" in html


@pytest.mark.django_db
def test_technician_panels_are_scoped_and_warranties_within_90_days(client, demo, make_user, tam_hai):
    today = timezone.localdate()
    site = Site.objects.get(code="ubnd-tam-hai")
    EquipmentFactory(site=site, code="sap-het-bh", warranty_end=today + timedelta(days=30))
    EquipmentFactory(site=site, code="con-lau", warranty_end=today + timedelta(days=120))
    EquipmentFactory(site=Site.objects.get(code="ubnd-tam-giang"), code="xa-khac", warranty_end=today)
    client.force_login(make_user(Role.TECHNICIAN, unit=tam_hai))
    html = client.get(reverse("home")).content.decode()
    assert "sap-het-bh" in html and "con-lau" not in html and "xa-khac" not in html
    faulty_elsewhere = Equipment.objects.filter(status=EquipmentStatus.FAULTY).exclude(site__unit=tam_hai).first()
    assert faulty_elsewhere.code not in html


@pytest.mark.django_db
def test_administrator_sees_health_and_recent_jobs(client, make_user):
    from django.core.cache import cache

    cache.delete("dashboards:health")
    TaskResult.objects.create(
        task_id="a1", task_name="cameras.tasks.camera_health_poll", status="SUCCESS", date_done=timezone.now()
    )
    TaskResult.objects.create(
        task_id="a2",
        task_name="live.tasks.janus_room_sync",
        status="FAILURE",
        result='{"exc_message": "Janus unavailable"}',
        date_done=timezone.now(),
    )
    client.force_login(make_user(Role.ADMINISTRATOR))
    html = client.get(reverse("home")).content.decode()
    assert "cameras.tasks.camera_health_poll" in html and "Janus unavailable" in html
    for check in ("sqlite" if "sqlite" in html else "postgresql", "pong"):
        assert check in html


@pytest.mark.django_db
def test_registered_panel_from_another_app(client, make_user, monkeypatch):
    monkeypatch.setattr(registry, "_PANELS", dict(registry._PANELS))

    @register_panel(
        key="meetings.today",
        title="Họp hôm nay",
        template="dashboards/panels/jobs.html",
        roles=[Role.OFFICE_STAFF],
        order=5,
    )
    def today(request):
        return {"jobs": []}

    client.force_login(make_user(Role.OFFICE_STAFF))
    assert "meetings.today" in panel_keys(client.get(reverse("home")).content.decode())
    client.force_login(make_user(Role.FINANCE))
    assert "meetings.today" not in panel_keys(client.get(reverse("home")).content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(EXPECTED), ids=lambda r: r.value)
def test_dashboard_query_count_is_constant(client, demo, make_user, role, django_assert_max_num_queries):
    """The same number of queries with 10 times more equipment and 30 cameras offline; and a small one."""
    from django.core.cache import cache

    from cameras.choices import AlertKind, Health
    from cameras.models import CameraAlert
    from tests.cameras.factories import CameraFactory

    cache.set("dashboards:health", {"ok": True, "checks": {}}, 60)  # the health checks are not queries
    client.force_login(make_user(role))
    client.get(reverse("home"))
    # A sanity cap (the leaders' page has the most panels: proposals and savings add one query each);
    # the point is that it does not grow.
    with django_assert_max_num_queries(32) as before:
        client.get(reverse("home"))
    site = Site.objects.get(code="ubnd-tam-giang")
    EquipmentFactory.create_batch(
        100, site=site, status=EquipmentStatus.FAULTY, warranty_end=timezone.localdate() + timedelta(days=10)
    )
    now = timezone.now()
    for camera in CameraFactory.create_batch(30, site=site, health=Health.OFFLINE, health_changed_at=now):
        CameraAlert.objects.create(camera=camera, kind=AlertKind.OFFLINE, created_at=now)
    with django_assert_max_num_queries(len(before)):
        client.get(reverse("home"))
