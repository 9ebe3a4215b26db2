"""Two `celery beat` processes started by mistake, each with its own schedule file: every dispatch
tick is sent twice, and the dispatchers race for the same due touches. Nothing goes out twice."""

import time

import pytest

from cadences.models import TouchStatus
from tests.services.conftest import assert_enrollments_consistent, received_by_address, settle
from tests.support.faults import Beat
from tests.support.smtp import SmtpServer
from tests.support.worker import Worker, unique_queue

pytestmark = [pytest.mark.services, pytest.mark.faults, pytest.mark.django_db(transaction=True)]
TICK_SECONDS = 1.5


def _ticks(beats: list[Beat]) -> list[int]:
    return [beat.sent("cadences.dispatch_due") for beat in beats]


def test_two_beats_by_mistake_send_nothing_twice(due_emails, tmp_path):
    leads = due_emails(30)
    total = len(leads) + 30
    queue = unique_queue()
    with SmtpServer(delay=0.01) as smtp:
        worker = Worker(queue=queue, email_url=smtp.url, app="tests.support.celery_on_queue").start()
        beats = [Beat(queue=queue, schedule_dir=tmp_path, name=name, every=TICK_SECONDS) for name in "ab"]
        try:
            for beat in beats:
                beat.start()
            deadline = time.monotonic() + 30
            while min(_ticks(beats)) < 1 and time.monotonic() < deadline:
                time.sleep(0.2)
            leads += due_emails(30)  # falling due between two ticks of both beats
            states = settle(total, timeout=60, beat=False)
            # at least three ticks from each beat, the last ones finding nothing due
            deadline = time.monotonic() + 30
            while min(_ticks(beats)) < 3 and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(TICK_SECONDS)
        finally:
            for beat in beats:
                beat.stop()
            worker.stop()
        ticks = _ticks(beats)
        received = received_by_address(smtp.sink)
    assert min(ticks) >= 3, ticks
    assert states == {TouchStatus.DONE: total}
    assert received == {lead.email: 1 for lead in leads}
    assert_enrollments_consistent()
