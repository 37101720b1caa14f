"""Periodic tasks of the live app (collected by portal/celery.py)."""

from celery.schedules import crontab
from django.conf import settings

BEAT_SCHEDULE = {
    "live-reconcile": {
        "task": "live.tasks.reconcile_all",
        "schedule": settings.LIVE_RECONCILE_SECONDS,
        # A run that waited longer than one period is stale: the next one is already queued.
        "options": {"expires": settings.LIVE_RECONCILE_SECONDS},
    },
    # A quick look at each media server; after LIVE_FAILOVER_PROBES failures its live meetings move.
    "live-probe": {
        "task": "live.tasks.media_servers_probe",
        "schedule": settings.LIVE_PROBE_SECONDS,
        "options": {"expires": settings.LIVE_PROBE_SECONDS},
    },
    # T-60 automatic test calls (b8): room pages left open at the bridge points answer the request.
    "live-test-calls": {
        "task": "live.tasks.test_calls_request",
        "schedule": 60,
        "options": {"expires": 60},
    },
    # Retention (b21): recordings past their period lose their files at night, with an audit line.
    "live-recordings-expire": {
        "task": "live.tasks.recordings_expire",
        "schedule": crontab(minute=30, hour=2),
        "options": {"expires": 3600},
    },
}
