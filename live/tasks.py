"""
Celery tasks of the live app: thin wrappers around idempotent services (so `acks_late` is safe), with
bounded retries and exponential backoff for a media server that does not answer.

Rooms are provisioned in batches: `meeting_start` adds its meeting to a Redis set after commit and
queues `rooms_provision_pending` (once per burst), which drains the set; the rooms whose server did
not answer go on to `rooms_provision`, retried with backoff for just those meetings. If a set entry
or a drain is lost, the periodic `reconcile_all` provisions the room (a live meeting's PENDING room).
"""

from __future__ import annotations

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from common.locks import held_lock
from integrations.janus.errors import JanusUnavailableError, RoomNotFoundError

RECONCILE_LOCK = "live:reconcile-lock"

RETRY = {
    "acks_late": True,
    "autoretry_for": (JanusUnavailableError,),
    "retry_backoff": 1,
    "retry_backoff_max": 30,
    "retry_jitter": True,
    "max_retries": 6,
}


def _backoff(retries: int) -> int:
    """The delay `RETRY` gives autoretried tasks, for tasks that retry themselves."""
    return get_exponential_backoff_interval(
        factor=RETRY["retry_backoff"],
        retries=retries,
        maximum=RETRY["retry_backoff_max"],
        full_jitter=RETRY["retry_jitter"],
    )


def _unavailable(rooms) -> tuple[list[int], JanusUnavailableError | None]:
    """The meetings whose server did not answer, to try again, and one of the errors."""
    failed = [room for room in rooms if isinstance(room.provision_error, JanusUnavailableError)]
    return [room.meeting_id for room in failed], (failed[0].provision_error if failed else None)


@shared_task(**RETRY, label=_("Creating a meeting room in Janus"))
def room_provision(meeting_id: int) -> None:
    """Create one meeting's room in Janus (kept for messages queued before batching)."""
    from live.services import room_provision as provision

    provision(meeting_id=meeting_id)


@shared_task(bind=True, acks_late=True, max_retries=RETRY["max_retries"], label=_("Creating meeting rooms in Janus"))
def rooms_provision(self, meeting_ids: list[int]) -> None:
    """Create several meetings' rooms in Janus; retries (with backoff) only those not done."""
    from live.services import rooms_provision as provision

    retry, exc = _unavailable(provision(meeting_ids=meeting_ids))
    if retry:
        raise self.retry(kwargs={"meeting_ids": retry}, countdown=_backoff(self.request.retries), exc=exc)


@shared_task(acks_late=True, ignore_result=True, label=_("Creating the waiting meeting rooms"))
def rooms_provision_pending() -> None:
    """
    Drain the set of meetings waiting for their room, batch by batch, until it is empty (starts made
    meanwhile join the next batch). Idempotent: a second drain finds the set empty or takes other ids.
    """
    from live.services import provision_drain_reset, provision_pending_take
    from live.services import rooms_provision as provision

    try:
        while meeting_ids := provision_pending_take():
            retry, _exc = _unavailable(provision(meeting_ids=meeting_ids))
            if retry:
                rooms_provision.apply_async(kwargs={"meeting_ids": retry}, countdown=_backoff(0))
    except Exception:
        provision_drain_reset()  # the next start queues a drain; reconcile creates this batch's rooms
        raise


@shared_task(**RETRY, label=_("Closing a meeting room"))
def room_close(meeting_id: int) -> None:
    """Kick everyone and destroy the meeting's room (after `meeting_end` commits)."""
    from live.services import room_close as close

    close(meeting_id=meeting_id)


@shared_task(acks_late=True, label=_("Checking a restarted media server"))
def server_reconcile(server_id: int) -> None:
    """Reconcile one server now: Janus reported `started`, so its rooms are gone."""
    from live.models import MediaServer
    from live.services import server_reconcile as reconcile

    server = MediaServer.objects.filter(pk=server_id, is_enabled=True).first()
    if server is not None:
        reconcile(server=server)


@shared_task(ignore_result=True, label=_("Checking live rooms against Janus"))
def reconcile_all() -> None:
    """Periodic: rooms of live meetings exist, no orphan rooms, participants match Janus."""
    from live.services import reconcile_all as reconcile

    # Runs every few seconds; a slow pass must not overlap the next one. The lock lives a few seconds
    # and is renewed while the pass runs: a worker killed mid-pass holds up reconciliation that long.
    with held_lock(RECONCILE_LOCK, ttl=settings.LIVE_RECONCILE_LOCK_SECONDS) as taken:
        if taken:
            reconcile()


@shared_task(ignore_result=True, label=_("Probing the media servers"))
def media_servers_probe() -> None:
    """Periodic (every few seconds): a server that stopped answering has its live meetings moved."""
    from live.services import media_servers_probe as probe

    probe()


@shared_task(**RETRY, label=_("Applying the floor rules"))
def floor_enforce(state_id: int) -> None:
    """A site published: mute it in Janus if the moderated floor says so, refuse a share it may not make."""
    from live.services import floor_enforce as enforce

    enforce(state_id=state_id)


@shared_task(**RETRY, label=_("Refusing an impostor"))
def participant_refuse(room_pk: int, janus_id: int) -> None:
    """Kick a participant that is not who it claims to be (already audited and flagged)."""
    from live.services import participant_refuse as refuse

    refuse(room_pk=room_pk, janus_id=janus_id)


@shared_task(ignore_result=True, label=_("Asking for automatic test calls"))
def test_calls_request() -> None:
    """Every minute from T-60: ask open room pages of untested bridge points to make their test call."""
    from live.services import test_calls_request as request

    request()


@shared_task(
    **{**RETRY, "autoretry_for": (JanusUnavailableError, RoomNotFoundError)}, label=_("Starting a meeting's recording")
)
def recording_start(meeting_id: int) -> None:
    """The meeting started: its room, opened early, records from now on (retried until the room exists)."""
    from live.services.recording import recording_start as start

    start(meeting_id=meeting_id)


@shared_task(
    acks_late=True,
    ignore_result=True,
    # Far above the portal's 5-minute default: the programme of a 2-hour briefing takes about as long.
    time_limit=settings.RECORDING_TASK_TIME_LIMIT,
    soft_time_limit=settings.RECORDING_TASK_TIME_LIMIT - 60,
    label=_("Processing a meeting's recording"),
)
def recordings_process(meeting_id: int) -> None:
    """After the meeting: the per-site files and the programme, from Janus's raw recording."""
    from live.services.recording import recordings_process as process

    process(meeting_id=meeting_id)


@shared_task(ignore_result=True, label=_("Deleting expired recordings"))
def recordings_expire() -> None:
    """Daily: delete the recordings past their retention period (audited)."""
    from live.archive import recordings_expire as expire

    expire()
