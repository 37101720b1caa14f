"""Celery tasks of the meetings app: thin wrappers around idempotent services."""

from __future__ import annotations

from celery import shared_task
from django.utils.translation import gettext_lazy as _


@shared_task(acks_late=True, label=_("Reminders of tasks falling due"))
def tasks_announce_due() -> int:
    """Remind communes of tasks falling due and overdue (idempotent: each notice once)."""
    from meetings.services.notices import tasks_announce_due as announce

    return announce()


@shared_task(acks_late=True, label=_("Reminders of proposals to answer"))
def proposals_announce_due() -> int:
    """Remind district offices of communes' proposals falling due and overdue (each notice once)."""
    from meetings.services.notices import proposals_announce_due as announce

    return announce()


@shared_task(acks_late=True, ignore_result=True, label=_("Closing past meetings"))
def meetings_close_past() -> int:
    """Close meetings whose end has passed unstarted (held or not held) and expire their delegation requests."""
    from meetings.services.briefings import meetings_close_past as close

    return close()


@shared_task(acks_late=True, ignore_result=True, label=_("Preparing the minutes PDF"))
def minutes_pdf_prepare(minutes_id: int) -> None:
    """Make approved minutes' PDF ahead of the first download (idempotent: cached once made)."""
    from meetings.models import Minutes
    from meetings.services.briefings import minutes_pdf

    minutes = Minutes.objects.select_related("meeting").filter(pk=minutes_id).first()
    if minutes is not None:
        minutes_pdf(minutes=minutes)
