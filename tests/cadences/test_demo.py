"""The demo sends real cadence email by itself: a few outbound enrollments wait on their automatic first email."""

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db.models import Max

from cadences import services
from cadences.models import Touch, TouchStatus

pytestmark = pytest.mark.django_db


def test_the_demo_leaves_automatic_first_emails_for_the_dispatcher(django_capture_on_commit_callbacks):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    waiting = Touch.objects.filter(channel="email", status=TouchStatus.SCHEDULED, step__position=1)
    due = waiting.count()
    assert due >= 4
    latest = waiting.aggregate(latest=Max("due_at"))["latest"]

    # When the last of them is due (each is due at a time inside its lead's send window), all are claimed
    # and at least that one is inside its window and goes out, its placeholders filled.
    with time_machine.travel(latest, tick=False), django_capture_on_commit_callbacks(execute=True):
        claimed = services.dispatch_due()

    assert claimed == due
    sent = [m for m in mail.outbox if "List-Unsubscribe" in m.extra_headers]
    assert sent and all("{{" not in m.subject + m.body for m in sent)
    assert Touch.objects.filter(
        step__position=1, channel="email", status=TouchStatus.DONE, outcome="sent"
    ).exists()
