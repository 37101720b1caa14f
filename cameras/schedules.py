"""Periodic tasks of the cameras app, gathered by portal/celery.py."""

from django.conf import settings

BEAT_SCHEDULE = {
    "cameras-health-sweep": {
        "task": "cameras.tasks.camera_health_sweep",
        "schedule": float(settings.CAMERA_PROBE_INTERVAL_SECONDS),
        # A tick that waited longer than one interval in the queue is stale: the next one follows.
        "options": {"expires": float(settings.CAMERA_PROBE_INTERVAL_SECONDS)},
    },
}
