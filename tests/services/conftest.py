"""Due email touches, and how to read the outcome of a fault: touch states, the SMTP sink, enrollments."""

import datetime
import time
from collections import Counter

import pytest

from cadences import services
from cadences.models import Enrollment, Touch, TouchStatus
from tests.cadences.factories import CadenceFactory, LeadFactory, add_steps

FINAL = (TouchStatus.DONE, TouchStatus.UNKNOWN, TouchStatus.FAILED)


@pytest.fixture
def due_emails(actors):
    """`make(n, due_in=0)` → n leads, each enrolled in a cadence (email, then a call 3 days later) whose
    email is due `due_in` seconds from now; the window is the whole day and caps are out of the way."""
    cadence = CadenceFactory(team=actors.team, business_days_only=False,
                             window_start=datetime.time(0, 0), window_end=datetime.time(23, 59, 59))  # fmt: skip
    add_steps(cadence, ("email", 0, "Hello {{first_name}}", "Hi {{first_name}}"), ("call", 3))
    policy = services.policy_for(actors.team.pk)
    type(policy).objects.filter(pk=policy.pk).update(daily_send_cap=100_000)

    def make(n: int, *, due_in: float = -5):
        leads = [LeadFactory(team=actors.team, owner=actors.sdr, timezone="UTC") for _ in range(n)]
        services.cadence_enroll(cadence=cadence, lead_ids=[lead.pk for lead in leads], by=actors.sdr)
        due_at = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=due_in)
        Touch.objects.filter(lead__in=leads, step__position=1).update(due_at=due_at)
        return leads

    return make


def email_states() -> Counter:
    return Counter(Touch.objects.filter(channel="email").values_list("status", flat=True))


def settle(total: int, *, timeout: float, beat: bool = True) -> Counter:
    """Waits until every email touch is final; with `beat`, acts as beat would (reaper, then dispatcher)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = email_states()
        if sum(states[status] for status in FINAL) == total:
            return states
        if beat:
            services.touches_reap_expired()
            services.dispatch_due()
        time.sleep(0.5)
    return email_states()


def received_by_address(sink) -> Counter:
    """How many messages each recipient address got at the SMTP sink."""
    with sink.lock:
        return Counter(message["To"].split("<")[-1].rstrip(">") for message in sink.messages)


def assert_enrollments_consistent() -> None:
    """Each enrollment is where its touches say it is: after a sent email exactly one call touch
    (the next step, scheduled once); after an unconfirmed or unsent email, no next step yet."""
    for enrollment in Enrollment.objects.prefetch_related("touches__step"):
        touches = list(enrollment.touches.all())
        by_position = Counter(touch.step.position for touch in touches)
        email = next(touch for touch in touches if touch.step.position == 1)
        assert by_position[1] == 1, (enrollment.pk, by_position)
        expected_next = 1 if email.status == TouchStatus.DONE else 0
        assert by_position[2] == expected_next, (enrollment.pk, email.status, by_position)
        if expected_next:
            (call,) = [touch for touch in touches if touch.step.position == 2]
            assert call.status == TouchStatus.SCHEDULED
        assert enrollment.state == "active"
