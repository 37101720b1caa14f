"""
Live faults (issue 15): what a killed worker, a hung or stopped Janus leave behind. Real Janus, real
Redis, a real Celery worker process.
"""

from __future__ import annotations

import logging
import os
import signal
import time

import pytest
from django.conf import settings

from common.locks import held_lock, lock_client
from live import services, tasks
from live.models import MediaServer
from meetings.models import Meeting
from tests.janus_server import free_port
from tests.live.conftest import media_server_for, wait_for

pytestmark = pytest.mark.janus


def test_a_held_lock_is_renewed_while_its_holder_works(db):
    client = lock_client()
    client.delete("test:renewed")
    with held_lock("test:renewed", ttl=1.0) as taken:
        assert taken
        time.sleep(2.5)  # more than twice its lifetime: the holder renewed it
        assert 0 < client.pttl("test:renewed") <= 1000
        with held_lock("test:renewed", ttl=1.0) as second:
            assert not second
    assert not client.exists("test:renewed")


def test_a_worker_killed_during_a_reconcile_pass_holds_the_lock_a_few_seconds_only(
    janus_factory, celery_worker_process, briefing
):
    """
    The worker takes the reconcile lock and hangs on a Janus that stopped answering (SIGSTOP); it is
    killed (SIGKILL) in the middle. Its lock was 60 s long: reconciliation did nothing for a minute.
    """
    server = janus_factory()
    media_server_for(server)
    client = lock_client()
    client.delete(tasks.RECONCILE_LOCK)
    os.kill(server.process.pid, signal.SIGSTOP)
    try:
        tasks.reconcile_all.delay()
        wait_for(lambda: client.exists(tasks.RECONCILE_LOCK), timeout=20, message="the worker never took the lock")
        time.sleep(settings.LIVE_RECONCILE_LOCK_SECONDS)  # longer than the lock's life: renewed meanwhile
        assert client.exists(tasks.RECONCILE_LOCK), "the lock expired while its holder was working"
        celery_worker_process.stop(signal.SIGKILL)
        killed = time.monotonic()
        wait_for(
            lambda: not client.exists(tasks.RECONCILE_LOCK),
            timeout=settings.LIVE_RECONCILE_LOCK_SECONDS + 2,
            message="the dead worker's lock outlived it",
        )
        held_after_death = time.monotonic() - killed
    finally:
        os.kill(server.process.pid, signal.SIGCONT)
    assert held_after_death <= settings.LIVE_RECONCILE_LOCK_SECONDS + 0.5
    # The next pass runs (here, in this process) and finds Janus well.
    MediaServer.objects.update(is_healthy=False, last_checked_at=None)
    tasks.reconcile_all()
    assert MediaServer.objects.get().is_healthy


def test_janus_going_down_and_coming_back_is_logged_once_each_with_the_request(janus_factory, briefing, caplog):
    server = janus_factory()
    row = media_server_for(server)
    Meeting.objects.filter(pk=briefing.meeting.pk).update(status=Meeting.Status.LIVE)
    caplog.set_level(logging.INFO, logger="live.services")
    services.reconcile_all()
    server.stop()
    for _ in range(3):
        services.reconcile_all()
    row.refresh_from_db()
    assert not row.is_healthy
    # The error says which request failed ("… on " and nothing was all the operator had).
    assert row.last_error.startswith("Janus error 0: ConnectError on POST /janus"), row.last_error
    server.start()
    for _ in range(2):
        services.reconcile_all()
    downs = [r for r in caplog.records if "is down" in r.getMessage()]
    ups = [r for r in caplog.records if "is healthy again" in r.getMessage()]
    assert len(downs) == 1 and len(ups) == 1, [r.getMessage() for r in caplog.records]
    assert downs[0].levelno == logging.ERROR and "ConnectError on POST /janus" in downs[0].getMessage()
    assert row.name in ups[0].getMessage()


def test_a_janus_error_names_method_and_path(db):
    from integrations.janus import JanusClient
    from integrations.janus.errors import JanusUnavailableError

    url = f"http://127.0.0.1:{free_port()}/janus"
    with pytest.raises(JanusUnavailableError) as caught, JanusClient(url, retries=0) as janus:
        janus.room_list()
    assert str(caught.value) == "Janus error 0: ConnectError on POST /janus"
    with pytest.raises(JanusUnavailableError) as caught, JanusClient(url, retries=0) as janus:
        janus.info()
    assert str(caught.value) == "Janus error 0: ConnectError on GET /janus/info"
