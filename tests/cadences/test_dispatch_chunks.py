"""Sending claimed email touches a chunk at a time: one load, one SMTP connection, bulk finalise."""

import datetime
import smtplib

import pytest
import time_machine
from django.core import mail

from cadences import services, tasks
from cadences.models import Enrollment, RepSendDay, Suppression, Touch, TouchStatus
from cadences.services.common import email_hash
from leads.models import Activity
from tests.cadences.factories import CadenceFactory, LeadFactory, add_steps

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
TUESDAY_11_TALLINN = datetime.datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(TUESDAY_11_TALLINN, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cadence(actors):
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("email", 0), ("call", 2))
    return cadence


def claimed(django_capture_on_commit_callbacks) -> list[int]:
    """Claims every due email touch without running the send tasks."""
    with django_capture_on_commit_callbacks(execute=False):
        return services.touches_claim_due()


def enroll_leads(cadence, by, *leads):
    services.cadence_enroll(cadence=cadence, lead_ids=[lead.pk for lead in leads], by=by)
    return {lead.pk: Touch.objects.get(lead=lead, step__position=1) for lead in leads}


def test_a_chunk_sends_the_allowed_touches_and_holds_back_each_blocked_one(
    actors, cadence, clock, django_capture_on_commit_callbacks
):
    allowed = [LeadFactory(team=actors.team, owner=actors.sdr) for _ in range(3)]
    opted_out, bounced, suppressed, paused, far_away = (LeadFactory(team=actors.team, owner=actors.sdr)
                                                        for _ in range(5))  # fmt: skip
    touches = enroll_leads(cadence, actors.sdr, *allowed, opted_out, bounced, suppressed, paused, far_away)
    type(opted_out).objects.filter(pk=opted_out.pk).update(opted_out=True)
    type(bounced).objects.filter(pk=bounced.pk).update(email_bounced=True)
    Suppression.objects.create(
        team=actors.team, email_hash=email_hash(suppressed.email), reason="unsubscribed"
    )
    type(far_away).objects.filter(pk=far_away.pk).update(timezone="Pacific/Honolulu")  # 23:00 there
    ids = claimed(django_capture_on_commit_callbacks)
    assert sorted(ids) == sorted(touch.pk for touch in touches.values())
    Enrollment.objects.filter(lead=paused).update(state="paused")

    outcomes = services.touches_send(touch_ids=ids)

    assert outcomes == {
        **{touches[lead.pk].pk: "sent" for lead in allowed},
        touches[opted_out.pk].pk: "blocked",
        touches[bounced.pk].pk: "blocked",
        touches[suppressed.pk].pk: "blocked",
        touches[paused.pk].pk: "paused",
        touches[far_away.pk].pk: "outside_window",
    }
    assert sorted(message.message()["To"] for message in mail.outbox) == sorted(
        f"{lead.first_name} {lead.last_name} <{lead.email}>" for lead in allowed
    )
    assert len({message.extra_headers["Message-ID"] for message in mail.outbox}) == 3
    assert len({message.extra_headers["List-Unsubscribe"] for message in mail.outbox}) == 3
    states = dict(Touch.objects.filter(step__position=1).values_list("lead_id", "status"))
    assert states == {
        **{lead.pk: "done" for lead in allowed},
        opted_out.pk: "skipped", bounced.pk: "skipped", suppressed.pk: "skipped",
        paused.pk: "scheduled", far_away.pk: "scheduled",
    }  # fmt: skip
    exits = dict(Enrollment.objects.filter(state="exited").values_list("lead_id", "exit_reason"))
    assert exits == {opted_out.pk: "opted_out", bounced.pk: "bounced", suppressed.pk: "opted_out"}
    sent_rows = Activity.objects.filter(kind="email", outcome="sent")
    assert sorted(sent_rows.values_list("lead_id", flat=True)) == sorted(lead.pk for lead in allowed)
    assert {row.data["touch"] for row in sent_rows} == {touches[lead.pk].pk for lead in allowed}
    assert set(sent_rows.values_list("actor", flat=True)) == {actors.sdr.pk}
    follow_ups = Touch.objects.filter(step__position=2)
    assert sorted(follow_ups.values_list("lead_id", flat=True)) == sorted(lead.pk for lead in allowed)
    assert {touch.due_at for touch in follow_ups} == {datetime.datetime(2026, 3, 5, 9, 0, tzinfo=UTC)}
    for lead in allowed:
        lead.refresh_from_db()
        assert (lead.status, lead.first_touch_at) == ("working", TUESDAY_11_TALLINN)
    assert RepSendDay.objects.get(sender=actors.sdr).sent == 3


def test_a_chunk_run_twice_sends_each_email_once(actors, cadence, clock, django_capture_on_commit_callbacks):
    leads = [LeadFactory(team=actors.team, owner=actors.sdr) for _ in range(4)]
    enroll_leads(cadence, actors.sdr, *leads)
    ids = claimed(django_capture_on_commit_callbacks)
    assert set(services.touches_send(touch_ids=ids).values()) == {"sent"}
    assert set(services.touches_send(touch_ids=ids).values()) == {"not_claimed"}
    assert len(mail.outbox) == 4
    assert Activity.objects.filter(kind="email", outcome="sent").count() == 4
    assert Touch.objects.filter(step__position=2).count() == 4


def test_the_last_step_completes_each_enrollment_of_the_chunk_with_a_timeline_row(
    actors, clock, django_capture_on_commit_callbacks
):
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("email", 0))
    leads = [LeadFactory(team=actors.team, owner=actors.sdr) for _ in range(3)]
    enroll_leads(cadence, actors.sdr, *leads)
    services.touches_send(touch_ids=claimed(django_capture_on_commit_callbacks))
    assert set(Enrollment.objects.values_list("state", flat=True)) == {"completed"}
    completed = Activity.objects.filter(kind="system", data__event="enrollment_completed")
    assert sorted(completed.values_list("lead_id", flat=True)) == sorted(lead.pk for lead in leads)


def test_the_daily_cap_counts_what_went_out_today_before_the_counter_and_holds_the_rest(
    actors, cadence, clock, django_capture_on_commit_callbacks
):
    policy = services.policy_for(actors.team.pk)
    policy.daily_send_cap = 3
    policy.save()
    earlier, *leads = [LeadFactory(team=actors.team, owner=actors.sdr) for _ in range(4)]
    enroll_leads(cadence, actors.sdr, earlier)
    Touch.objects.filter(lead=earlier).update(status="done", send_started_at=TUESDAY_11_TALLINN)
    touches = enroll_leads(cadence, actors.sdr, *leads)
    outcomes = services.touches_send(touch_ids=claimed(django_capture_on_commit_callbacks))
    assert sorted(outcomes.values()) == ["daily_cap", "sent", "sent"]
    assert len(mail.outbox) == 2
    assert RepSendDay.objects.get(sender=actors.sdr, day=datetime.date(2026, 3, 3)).sent == 3
    waiting = Touch.objects.get(pk__in=[touch.pk for touch in touches.values()], status="scheduled")
    assert (waiting.error, waiting.due_at) == ("daily_cap", datetime.datetime(2026, 3, 4, 6, 0, tzinfo=UTC))


def test_a_refused_connection_retries_later_and_gives_its_place_under_the_cap_back(
    actors, cadence, clock, django_capture_on_commit_callbacks, monkeypatch
):
    leads = [LeadFactory(team=actors.team, owner=actors.sdr) for _ in range(2)]
    enroll_leads(cadence, actors.sdr, *leads)
    from django.core.mail.backends.locmem import EmailBackend

    def refuse(self, messages):
        raise smtplib.SMTPConnectError(421, "try later")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    outcomes = services.touches_send(touch_ids=claimed(django_capture_on_commit_callbacks))
    assert set(outcomes.values()) == {"retry"}
    assert RepSendDay.objects.get(sender=actors.sdr).sent == 0
    retried = Touch.objects.filter(step__position=1)
    assert {(t.status, t.send_started_at, t.message_id) for t in retried} == {("scheduled", None, None)}
    assert {t.due_at for t in retried} == {TUESDAY_11_TALLINN + datetime.timedelta(minutes=2)}


def test_any_other_send_error_fails_the_touch_and_the_chunk_goes_on(
    actors, cadence, clock, django_capture_on_commit_callbacks, monkeypatch
):
    first, second = (LeadFactory(team=actors.team, owner=actors.sdr) for _ in range(2))
    touches = enroll_leads(cadence, actors.sdr, first, second)
    from django.core.mail.backends.locmem import EmailBackend

    original = EmailBackend.send_messages

    def fail_for_first(self, messages):
        if first.email in messages[0].to[0]:
            raise smtplib.SMTPDataError(554, "rejected")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", fail_for_first)
    outcomes = services.touches_send(touch_ids=claimed(django_capture_on_commit_callbacks))
    assert outcomes == {touches[first.pk].pk: "failed", touches[second.pk].pk: "sent"}
    assert Touch.objects.get(pk=touches[first.pk].pk).status == TouchStatus.FAILED
    assert RepSendDay.objects.get(sender=actors.sdr).sent == 2  # it may have gone out: it counts


def test_the_dispatcher_enqueues_one_task_per_chunk(
    actors, cadence, clock, monkeypatch, django_capture_on_commit_callbacks
):
    from cadences.services import sending

    monkeypatch.setattr(sending, "SEND_CHUNK", 2)
    leads = [LeadFactory(team=actors.team, owner=actors.sdr) for _ in range(5)]
    enroll_leads(cadence, actors.sdr, *leads)
    chunks = []
    monkeypatch.setattr(tasks.touches_send, "delay", lambda ids: chunks.append(ids))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.dispatch_due() == 5
    assert [len(chunk) for chunk in chunks] == [2, 2, 1]
    assert sorted(touch_id for chunk in chunks for touch_id in chunk) == sorted(
        Touch.objects.filter(step__position=1).values_list("pk", flat=True)
    )


def test_a_touch_send_task_still_queued_from_before_chunks_sends_its_touch(
    actors, cadence, clock, django_capture_on_commit_callbacks
):
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    touch = enroll_leads(cadence, actors.sdr, lead)[lead.pk]
    claimed(django_capture_on_commit_callbacks)
    assert tasks.touch_send(touch.pk) == "sent"
    assert tasks.touch_send(touch.pk) == "not_claimed"
    assert len(mail.outbox) == 1


def test_touches_are_marked_started_together_and_a_twin_run_keeps_the_ones_it_started(
    actors, cadence, clock, django_capture_on_commit_callbacks, monkeypatch
):
    leads = [LeadFactory(team=actors.team, owner=actors.sdr) for _ in range(6)]
    touches = enroll_leads(cadence, actors.sdr, *leads)
    ids = claimed(django_capture_on_commit_callbacks)
    twin = touches[leads[2].pk]
    monkeypatch.setattr(services.sending._Pace, "group_size", lambda self: 4)
    statements = []
    original = services.sending._mark_started

    def twin_run_first(group, *args):
        if not statements:  # another run of the same chunk starts one of this group a moment before
            Touch.objects.filter(pk=twin.pk).update(
                send_started_at=TUESDAY_11_TALLINN, message_id="<twin@x.test>"
            )
        statements.append(len(group))
        return original(group, *args)

    monkeypatch.setattr(services.sending, "_mark_started", twin_run_first)

    outcomes = services.touches_send(touch_ids=ids)

    assert statements == [4, 2]  # six touches, two statements
    assert outcomes[twin.pk] == "not_claimed"
    assert sorted(outcome for pk, outcome in outcomes.items() if pk != twin.pk) == ["sent"] * 5
    assert len(mail.outbox) == 5 and leads[2].email not in {message.to[0] for message in mail.outbox}
    twin.refresh_from_db()
    assert (twin.message_id, twin.status) == ("<twin@x.test>", TouchStatus.SENDING)
    sent = Touch.objects.filter(pk__in=ids, status=TouchStatus.DONE)
    assert sent.count() == 5 and all(touch.message_id and touch.subject for touch in sent)


def test_the_started_group_holds_about_20_ms_of_sends_at_the_pace_seen():
    pace = services.sending._Pace()
    assert pace.group_size() == 1  # nothing timed yet: one at a time
    pace.record(0.08)  # a slow server: a killed worker leaves one send unconfirmed
    assert pace.group_size() == 1
    for _ in range(40):
        pace.record(0.002)
    assert 9 <= pace.group_size() <= 10
    for _ in range(40):
        pace.record(0.0002)
    assert pace.group_size() == services.sending.STARTED_GROUP_MAX
