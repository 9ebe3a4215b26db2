"""The daily cap's counter under concurrency: PostgreSQL, Redis, real worker processes, an SMTP server.

Run with DATABASE_URL=postgres://… and REDIS_URL=redis://… (the `services` marker).
"""

import datetime
import threading

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from cadences import services
from cadences.models import RepSendDay, TeamSendingPolicy, Touch
from cadences.services.sending import _SendDays
from tests.cadences.factories import CadenceFactory, LeadFactory, add_steps
from tests.support.smtp import SmtpServer
from tests.support.worker import Worker, route_tasks_to, unique_queue

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_reservations_racing_on_one_reps_day_never_pass_the_cap(actors):
    assert connection.vendor == "postgresql"
    now = timezone.now()
    barrier = threading.Barrier(4)
    granted, errors = [], []

    def reserve():
        try:
            barrier.wait()
            while got := _SendDays().reserve(sender=actors.sdr, now=now, wanted=3, cap=50):
                granted.append(got)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=reserve) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(granted) == 50
    assert RepSendDay.objects.get(sender=actors.sdr).sent == 50


def test_two_workers_send_exactly_the_daily_cap_and_hold_the_rest(actors):
    total, cap = 130, 70
    cadence = CadenceFactory(team=actors.team, business_days_only=False,
                             window_start=datetime.time(0, 0), window_end=datetime.time(23, 59, 59))  # fmt: skip
    add_steps(cadence, ("email", 0, "Hello {{first_name}}", "Hi {{first_name}}"))
    leads = [LeadFactory(team=actors.team, owner=actors.sdr, timezone="UTC") for _ in range(total)]
    services.cadence_enroll(cadence=cadence, lead_ids=[lead.pk for lead in leads], by=actors.sdr)
    Touch.objects.update(due_at=timezone.now() - datetime.timedelta(seconds=5))
    services.policy_for(actors.team.pk)
    TeamSendingPolicy.objects.filter(team=actors.team).update(daily_send_cap=cap)
    queue = unique_queue()
    with SmtpServer(delay=0.01) as smtp:
        workers = [Worker(queue=queue, email_url=smtp.url).start() for _ in range(2)]
        try:
            with route_tasks_to(queue):
                assert services.dispatch_due() == total
            deadline = timezone.now() + datetime.timedelta(seconds=60)
            while Touch.objects.filter(status="sending").exists() and timezone.now() < deadline:
                threading.Event().wait(0.5)
        finally:
            for worker in workers:
                worker.stop()
        received = [message["To"] for message in smtp.sink.messages]
    assert len(received) == cap and len(set(received)) == cap
    states = dict(Touch.objects.values_list("status").annotate(n=Count("id")).order_by())
    assert states == {"done": cap, "scheduled": total - cap}
    assert set(Touch.objects.filter(status="scheduled").values_list("error", flat=True)) == {"daily_cap"}
    assert RepSendDay.objects.get(sender=actors.sdr).sent == cap
