"""Celery tasks of the cameras app: thin wrappers around services."""

from dataclasses import asdict

from celery import shared_task
from django.utils.translation import gettext_lazy as _


# The hard limit stops a sweep that somehow outlives every probe deadline; the probes' own
# timeouts keep a normal sweep far below it. No retries: the next beat tick is the retry.
@shared_task(acks_late=True, soft_time_limit=120, time_limit=150, ignore_result=True, label=_("Camera health check"))
def camera_health_sweep() -> dict:
    """Probe every due camera once and record the results (see cameras.services)."""
    from cameras.services import camera_health_sweep as sweep

    return asdict(sweep())
