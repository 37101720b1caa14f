"""
Background jobs as people read them: each Celery task names itself with `label=` on its decorator
(`@shared_task(label=_("Closing past meetings"))`, a class attribute of the task), shown in the
administrator's job list instead of the task's dotted path. Frequent periodic tasks that do nothing
most of the time are declared `ignore_result=True` and leave no row; rows they left before are hidden
when they succeeded (their failures still show).
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from importlib.util import find_spec

from django.utils.translation import gettext


@cache
def _tasks() -> dict:
    """Every app's tasks (a web process has not imported them all: the worker autodiscovers them)."""
    from django.apps import apps

    from portal.celery import app

    for config in apps.get_app_configs():
        if find_spec(f"{config.name}.tasks") is not None:
            import_module(f"{config.name}.tasks")
    return app.tasks


def job_label(task_name: str) -> str:
    """The task's own label, else its function name in words ("rooms_provision" → "Rooms provision")."""
    task = _tasks().get(task_name or "")
    label = getattr(task, "label", None)
    if label:
        return str(label)
    if not task_name:
        return gettext("Unknown job")
    words = task_name.rsplit(".", 1)[-1].replace("_", " ").strip()
    return words[:1].upper() + words[1:]


@cache
def quiet_task_names() -> frozenset[str]:
    """Tasks that store no result (frequent periodic checks): their old successful rows are noise."""
    return frozenset(name for name, task in _tasks().items() if getattr(task, "ignore_result", False))
