"""PostgreSQL restarts while a real worker is sending through a real SMTP server.

Every session is cut (the worker's, the test's): sends in flight fail, claims stay in the database.
Afterwards the same worker process goes on (its connections are health-checked and reopened), the
reaper returns the claims that never started, and each email has gone out at most once: the ones
the worker had started but could not record are `unknown`, waiting for review, never resent.
"""

import pytest

from cadences import services
from cadences.models import Touch, TouchStatus
from tests.services.conftest import assert_enrollments_consistent, received_by_address, settle
from tests.support.faults import postgres_restart
from tests.support.smtp import SmtpServer
from tests.support.worker import Worker, route_tasks_to, unique_queue

pytestmark = [pytest.mark.services, pytest.mark.faults, pytest.mark.django_db(transaction=True)]
LEASE_SECONDS = 8  # short, so that the claims cut off by the restart come back within the test
CONCURRENCY = 2


def test_a_postgresql_restart_mid_dispatch_sends_every_email_once(due_emails, monkeypatch, actors):
    monkeypatch.setenv("CADENCES_LEASE_SECONDS", str(LEASE_SECONDS))
    total = 60
    leads = due_emails(total)
    queue = unique_queue()
    # The production connection settings: persistent connections (CONN_MAX_AGE=60), health-checked.
    env = {"CADENCES_LEASE_SECONDS": str(LEASE_SECONDS), "CONN_MAX_AGE": "60"}
    with SmtpServer(delay=0.1) as smtp:
        worker = Worker(queue=queue, email_url=smtp.url, concurrency=CONCURRENCY, extra_env=env).start()
        try:
            with route_tasks_to(queue):
                assert services.dispatch_due() == total
                assert smtp.sink.wait_for(8, timeout=30)
                postgres_restart(down_for=2)
                received_at_restart = len(smtp.sink.messages)
                assert received_at_restart < total, "the restart came too late to cut the dispatch"
                states = settle(total, timeout=90)
            assert worker.process.poll() is None, "the worker died with the database"
            assert len(smtp.sink.messages) > received_at_restart  # … and kept sending after it
        finally:
            worker.stop()
        received = received_by_address(smtp.sink)

    assert states[TouchStatus.DONE] + states[TouchStatus.UNKNOWN] == total, states
    assert states[TouchStatus.UNKNOWN] <= CONCURRENCY, states  # at most the sends in flight
    assert set(received.values()) == {1}, "an email went out twice"
    unknown = Touch.objects.filter(channel="email", status=TouchStatus.UNKNOWN).select_related("lead")
    unconfirmed = {touch.lead.email for touch in unknown}
    assert set(received) | unconfirmed == {lead.email for lead in leads}
    assert_enrollments_consistent()

    for touch in unknown:  # a manager's review finishes them: the cadence moves on, nothing is resent
        services.touch_resolve_unknown(touch=touch, sent=touch.lead.email in received, by=actors.manager)
    assert Touch.objects.filter(channel="call", status=TouchStatus.SCHEDULED).count() == total
