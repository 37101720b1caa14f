"""Celery tasks of the meetings app: thin wrappers around idempotent services."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def tasks_announce_due() -> int:
    """Remind communes of tasks falling due and overdue (idempotent: each notice once)."""
    from meetings.services.notices import tasks_announce_due as announce

    return announce()
