"""The administrator's job list: readable job names, and no flood from frequent periodic checks (issue 14)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_celery_results.models import TaskResult

from accounts.roles import Role
from common.jobs import _tasks, job_label, quiet_task_names
from live.tasks import reconcile_all
from portal.celery import collect_beat_schedule

pytestmark = pytest.mark.django_db


def _row(name, status="SUCCESS", **extra):
    n = TaskResult.objects.count()
    return TaskResult.objects.create(task_id=f"t{n}", task_name=name, status=status, date_done=timezone.now(), **extra)


def test_every_task_has_a_readable_name():
    ours = [name for name in _tasks() if not name.startswith("celery.")]
    assert "meetings.tasks.meetings_close_past" in ours
    assert ours
    for name in ours:
        assert getattr(_tasks()[name], "label", None), f"{name} has no label="
        assert "." not in job_label(name) and "_" not in job_label(name)


def test_frequent_periodic_tasks_store_no_result():
    """What beat runs every few minutes or more often keeps no row in the job list."""
    for entry in collect_beat_schedule().values():
        every = entry["schedule"]
        if isinstance(every, int | float) and every <= 300:
            assert _tasks()[entry["task"]].ignore_result, entry["task"]
    assert reconcile_all.ignore_result and "live.tasks.reconcile_all" in quiet_task_names()


def test_job_list_shows_labels_and_hides_the_reconcile_flood(client, make_user, settings):
    settings.LANGUAGE_CODE = "vi"
    for _ in range(30):
        _row("live.tasks.reconcile_all")
    _row("live.tasks.reconcile_all", status="FAILURE", result='{"exc_message": "Janus unavailable"}')
    _row("meetings.tasks.tasks_announce_due", result="3")
    client.force_login(make_user(Role.ADMINISTRATOR))
    html = client.get(reverse("home")).content.decode()
    panel = html[html.index("Janus unavailable") - 3000 : html.index("Janus unavailable") + 3000]
    assert "Nhắc việc sắp đến hạn" in panel  # "Reminders of tasks falling due"
    assert "Kiểm tra phòng họp trực tuyến với Janus" in panel  # the failure still shows, by its name
    assert len(re.findall(r'title="live.tasks.reconcile_all"', html)) == 1  # not thirty successes
    assert "<code" not in panel
