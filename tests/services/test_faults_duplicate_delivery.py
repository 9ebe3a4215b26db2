"""The broker delivers the same send task twice (Redis redelivery, a retried publish): one email each.

The messages are the ones the dispatcher really publishes, taken from a queue nobody listens to and
put twice, as they are, on the queue of a real worker; then the same task bodies run twice at once.
"""

import threading
import time

import pytest
from django.db import connection

import cadences.tasks  # noqa: F401  (registers the task names the messages carry)
from cadences import services
from cadences.models import TouchStatus
from sdrcrm.celery import app
from tests.services.conftest import assert_enrollments_consistent, email_states, received_by_address, settle
from tests.support.faults import broker_deliver, broker_messages, decode_task, redis_client
from tests.support.smtp import SmtpServer
from tests.support.worker import Worker, route_tasks_to, unique_queue

pytestmark = [pytest.mark.services, pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def _dispatch_and_park(total: int) -> list[bytes]:
    """Claims the due touches; returns the send messages the dispatcher published, held back."""
    parking = unique_queue("parked")
    with route_tasks_to(parking):
        assert services.dispatch_due() == total
    messages = broker_messages(parking)
    redis_client().delete(parking)
    assert messages, "the dispatcher published no send task"
    return messages


def _finished_tasks(worker: Worker) -> int:
    return worker.log_path.read_text().count(" succeeded in ") if worker.log_path.exists() else 0


def test_every_send_message_delivered_twice_to_a_worker_sends_each_email_once(due_emails):
    total = 12
    leads = due_emails(total)
    messages = _dispatch_and_park(total)
    queue = unique_queue()
    with SmtpServer(delay=0.02) as smtp:
        worker = Worker(queue=queue, email_url=smtp.url).start()
        try:
            broker_deliver(queue, [copy for message in messages for copy in (message, message)])
            states = settle(total, timeout=45, beat=False)
            deadline = time.monotonic() + 30
            while _finished_tasks(worker) < 2 * len(messages) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert _finished_tasks(worker) == 2 * len(messages)  # the copies ran too
        finally:
            worker.stop()
        received = received_by_address(smtp.sink)
    assert states == {TouchStatus.DONE: total}
    assert received == {lead.email: 1 for lead in leads}
    assert_enrollments_consistent()


def test_the_same_send_task_run_twice_at_once_sends_each_email_once(due_emails, settings):
    total = 6
    leads = due_emails(total)
    messages = _dispatch_and_park(total)
    with SmtpServer(delay=0.05) as smtp:
        settings.EMAIL_BACKEND = "sdrcrm.core.mail.SMTPBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
        errors = []

        def run(task_name, args, kwargs, barrier):
            try:
                barrier.wait()
                app.tasks[task_name](*args, **kwargs)
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                connection.close()

        for message in messages:
            barrier = threading.Barrier(2)
            threads = [threading.Thread(target=run, args=(*decode_task(message), barrier)) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
        received = received_by_address(smtp.sink)
    assert errors == []
    assert email_states() == {TouchStatus.DONE: total}
    assert received == {lead.email: 1 for lead in leads}
    assert_enrollments_consistent()
