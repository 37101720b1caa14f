"""
Celery tasks of the live app: thin wrappers around idempotent services (so `acks_late` is safe), with
bounded retries and exponential backoff for a media server that does not answer.
"""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache

from integrations.janus.errors import JanusUnavailableError

RETRY = {
    "acks_late": True,
    "autoretry_for": (JanusUnavailableError,),
    "retry_backoff": 1,
    "retry_backoff_max": 30,
    "retry_jitter": True,
    "max_retries": 6,
}


@shared_task(**RETRY)
def room_provision(meeting_id: int) -> None:
    """Create the meeting's room in Janus (after `meeting_start` commits)."""
    from live.services import room_provision as provision

    provision(meeting_id=meeting_id)


@shared_task(**RETRY)
def room_close(meeting_id: int) -> None:
    """Kick everyone and destroy the meeting's room (after `meeting_end` commits)."""
    from live.services import room_close as close

    close(meeting_id=meeting_id)


@shared_task(acks_late=True)
def server_reconcile(server_id: int) -> None:
    """Reconcile one server now: Janus reported `started`, so its rooms are gone."""
    from live.models import MediaServer
    from live.services import server_reconcile as reconcile

    server = MediaServer.objects.filter(pk=server_id, is_enabled=True).first()
    if server is not None:
        reconcile(server=server)


@shared_task
def reconcile_all() -> None:
    """Periodic: rooms of live meetings exist, no orphan rooms, participants match Janus."""
    from live.services import reconcile_all as reconcile

    # Runs every few seconds; a slow pass must not overlap the next one.
    if not cache.add("live:reconcile-lock", 1, timeout=60):
        return
    try:
        reconcile()
    finally:
        cache.delete("live:reconcile-lock")
