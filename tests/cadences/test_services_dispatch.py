"""The scheduler against the real things: PostgreSQL, Redis, a Celery worker process, an SMTP server.

Run with DATABASE_URL=postgres://… and REDIS_URL=redis://…/15 (the `services` marker).
"""

import datetime
import os
import subprocess
import threading
import time
from collections import Counter

import pytest
from django.db import connection

from cadences import services
from cadences.models import Enrollment, Touch, TouchStatus
from tests.cadences.factories import CadenceFactory, LeadFactory, add_steps
from tests.support.smtp import SmtpServer
from tests.support.worker import Worker, route_tasks_to, unique_queue

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
LEASE_SECONDS = 10  # short, so that a dead worker's claims come back within the test


@pytest.fixture
def due_emails(actors):
    """`make(n)` → n leads, each with one email touch due now (the window is the whole day)."""

    def make(n: int):
        cadence = CadenceFactory(team=actors.team, business_days_only=False,
                                 window_start=datetime.time(0, 0), window_end=datetime.time(23, 59, 59))  # fmt: skip
        add_steps(cadence, ("email", 0, "Hello {{first_name}}", "Hi {{first_name}}"), ("call", 3))
        leads = [LeadFactory(team=actors.team, owner=actors.sdr, timezone="UTC") for _ in range(n)]
        services.cadence_enroll(cadence=cadence, lead_ids=[lead.pk for lead in leads], by=actors.sdr)
        Touch.objects.filter(step__position=1).update(
            due_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=5)
        )
        services.policy_for(actors.team.pk)
        type(services.policy_for(actors.team.pk)).objects.filter(team=actors.team).update(
            daily_send_cap=100_000
        )
        return leads

    return make


@pytest.fixture
def short_lease(monkeypatch):
    monkeypatch.setenv("CADENCES_LEASE_SECONDS", str(LEASE_SECONDS))


def _email_touches():
    return Touch.objects.filter(channel="email")


def _wait_until_settled(total: int, timeout: float, *, dispatch: bool) -> dict:
    """Acts as beat would (reaper + dispatcher) until every email touch is final."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = Counter(_email_touches().values_list("status", flat=True))
        if states["done"] + states["unknown"] + states["failed"] == total:
            return states
        if dispatch:
            services.touches_reap_expired()
            services.dispatch_due()
        time.sleep(0.5)
    return Counter(_email_touches().values_list("status", flat=True))


def test_two_dispatchers_racing_claim_every_touch_once(due_emails):
    assert connection.vendor == "postgresql"
    due_emails(300)
    barrier = threading.Barrier(4)
    claimed = []
    lock = threading.Lock()

    def dispatcher():
        try:
            barrier.wait()
            while True:
                ids = services.touches_claim_due(limit=25)  # eager tasks are not run: claims only
                if not ids:
                    break
                with lock:
                    claimed.extend(ids)
        finally:
            connection.close()

    from sdrcrm.celery import app

    app.conf.task_always_eager = False
    try:
        import cadences.services.sending as sending

        original, sending._enqueue = sending._enqueue, lambda ids: None
        threads = [threading.Thread(target=dispatcher) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sending._enqueue = original
        app.conf.task_always_eager = True
    assert len(claimed) == 300
    assert len(set(claimed)) == 300
    assert _email_touches().filter(status="sending").count() == 300


def test_the_same_task_delivered_twice_at_once_sends_once(due_emails):
    from django.core import mail

    due_emails(1)
    with route_tasks_to("nowhere-" + os.urandom(4).hex()):
        import cadences.services.sending as sending

        original, sending._enqueue = sending._enqueue, lambda ids: None
        try:
            (touch_id,) = services.touches_claim_due()
        finally:
            sending._enqueue = original
    results = []
    barrier = threading.Barrier(2)

    def run():
        barrier.wait()
        results.append(services.touch_send(touch_id=touch_id))
        connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["not_claimed", "sent"]
    assert len(mail.outbox) == 1


def test_a_real_worker_sends_every_due_email_exactly_once(due_emails):
    leads = due_emails(40)
    queue = unique_queue()
    with SmtpServer() as smtp:
        worker = Worker(queue=queue, email_url=smtp.url).start()
        try:
            with route_tasks_to(queue):
                assert services.dispatch_due() == 40
                assert services.dispatch_due() == 0  # a second beat finds nothing left to claim
                states = _wait_until_settled(40, timeout=45, dispatch=False)
        finally:
            worker.stop()
        assert states["done"] == 40, states
        ids = smtp.sink.message_ids
        assert len(ids) == 40 and len(set(ids)) == 40
        assert set(ids) == set(_email_touches().values_list("message_id", flat=True))
        recipients = Counter(m["To"].split("<")[-1].rstrip(">") for m in smtp.sink.messages)
        assert set(recipients) == {lead.email for lead in leads} and set(recipients.values()) == {1}
        assert all(m["List-Unsubscribe"] for m in smtp.sink.messages)
    assert Touch.objects.filter(channel="call", status="scheduled").count() == 40  # next steps, once each


@pytest.mark.faults  # stops a shared service or worker: runs alone, after the suite
def test_a_worker_killed_mid_batch_then_restarted_sends_nothing_twice(due_emails, short_lease):
    total = 60
    due_emails(total)
    queue = unique_queue()
    env = {"CADENCES_LEASE_SECONDS": str(LEASE_SECONDS)}
    with SmtpServer(delay=0.08) as smtp:
        worker = Worker(queue=queue, email_url=smtp.url, extra_env=env).start()
        with route_tasks_to(queue):
            services.dispatch_due()
            assert smtp.sink.wait_for(10, timeout=30)
            worker.kill()
            received_at_kill = len(smtp.sink.messages)
            assert received_at_kill < total
            worker = Worker(queue=queue, email_url=smtp.url, extra_env=env).start()
            try:
                states = _wait_until_settled(total, timeout=60, dispatch=True)
            finally:
                worker.stop()
        ids = smtp.sink.message_ids
    assert states["done"] + states["unknown"] == total, states
    assert len(ids) == len(set(ids)), "an email went out twice"
    done_ids = set(_email_touches().filter(status="done").values_list("message_id", flat=True))
    assert done_ids <= set(ids)
    # At most the sends in flight when the worker died are unconfirmed; they wait for review, never resent.
    assert states["unknown"] <= 2
    assert len(ids) >= total - states["unknown"]


@pytest.mark.faults  # stops a shared service or worker: runs alone, after the suite
def test_redis_stopped_then_started_loses_nothing(due_emails, short_lease):
    total = 20
    due_emails(total)
    queue = unique_queue()
    with SmtpServer() as smtp:
        worker = Worker(queue=queue, email_url=smtp.url).start()
        try:
            with route_tasks_to(queue):
                subprocess.run(["redis-cli", "shutdown", "nosave"], check=False, capture_output=True)
                try:
                    assert services.dispatch_due() == total  # claimed in PostgreSQL; the doorbell fails
                    assert smtp.sink.messages == []
                    assert Enrollment.objects.filter(state="active").count() == total  # pages need no Redis
                finally:
                    subprocess.run(
                        ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
                         "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
                         "--logfile", "/var/log/redis/ci.log"],
                        check=True, capture_output=True,
                    )  # fmt: skip
                    for _ in range(50):
                        if (
                            subprocess.run(["redis-cli", "ping"], capture_output=True).stdout.strip()
                            == b"PONG"
                        ):
                            break
                        time.sleep(0.1)
                states = _wait_until_settled(total, timeout=60, dispatch=True)
        finally:
            worker.stop()
        ids = smtp.sink.message_ids
    assert states["done"] == total, states
    assert len(ids) == total and len(set(ids)) == total
    assert _email_touches().filter(status=TouchStatus.DONE).count() == total


def test_concurrent_inbound_leads_are_dealt_evenly(actors):
    """Round-robin under concurrent web-form posts: the pointer row lock deals 20 leads 10/10."""
    from cadences.services import inbound_lead_create

    barrier = threading.Barrier(4)
    errors = []

    def post(offset):
        try:
            barrier.wait()
            for index in range(5):
                inbound_lead_create(team=actors.team, values={"email": f"form{offset}-{index}@corp.example"})
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(offset,)) for offset in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    from leads.models import Lead

    owners = Counter(Lead.objects.filter(source="inbound").values_list("owner_id", flat=True))
    assert owners == {actors.sdr.pk: 10, actors.bdr.pk: 10}
