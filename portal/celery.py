"""
The Celery app. Tasks live in each app's `tasks.py`; periodic tasks in each app's `schedules.py`
as `BEAT_SCHEDULE = {name: {"task": ..., "schedule": ...}}`, gathered here for beat.
"""

import os
from importlib import import_module
from importlib.util import find_spec

from celery import Celery
from celery.signals import (
    beat_init,
    before_task_publish,
    task_postrun,
    task_prerun,
    worker_process_init,
    worker_ready,
    worker_shutdown,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def collect_beat_schedule() -> dict:
    from django.apps import apps

    schedule: dict = {}
    for config in apps.get_app_configs():
        if find_spec(f"{config.name}.schedules") is not None:
            schedule.update(import_module(f"{config.name}.schedules").BEAT_SCHEDULE)
    return schedule


@app.on_after_finalize.connect
def _setup_periodic_tasks(sender: Celery, **kwargs: object) -> None:
    sender.conf.beat_schedule = {**sender.conf.beat_schedule, **collect_beat_schedule()}


@before_task_publish.connect
def _carry_log_context(headers: dict | None = None, **kwargs: object) -> None:
    """A task queued within a request (or a task) carries its request and meeting ids (common.logcontext)."""
    from common.logcontext import task_headers_add

    task_headers_add(headers)


@task_prerun.connect
def _enter_log_context(task_id: str, task: object, kwargs: dict | None = None, **other: object) -> None:
    from common.logcontext import task_context_enter

    task_context_enter(task, task_id, kwargs)


@task_postrun.connect
def _exit_log_context(task_id: str, **kwargs: object) -> None:
    from common.logcontext import task_context_exit

    task_context_exit(task_id)


@beat_init.connect
def _log_schedule(sender: object, **kwargs: object) -> None:
    import logging

    logging.getLogger("portal.beat").info("periodic tasks: %s", ", ".join(sorted(app.conf.beat_schedule)))


@worker_ready.connect
@worker_process_init.connect
def _freeze_startup_heap(**kwargs: object) -> None:
    """A worker (or a prefork child) has started: its startup objects need no more collecting."""
    from django.apps import apps

    for config in apps.get_app_configs():  # what the tasks import on their first run
        if find_spec(f"{config.name}.services") is not None:
            import_module(f"{config.name}.services")
    from common.runtime import freeze_startup_heap

    freeze_startup_heap()


_heartbeat_stop = None


@worker_ready.connect
def _start_heartbeat(sender: object = None, **kwargs: object) -> None:
    """The worker says it is alive in Redis (common.health), which /healthz reads instead of a ping."""
    global _heartbeat_stop
    from common.health import worker_heartbeat_start

    _heartbeat_stop = worker_heartbeat_start(getattr(sender, "hostname", None))


@worker_shutdown.connect
def _stop_heartbeat(**kwargs: object) -> None:
    if _heartbeat_stop is not None:
        _heartbeat_stop.set()
