"""The dispatcher and the email executor on the default database (SQLite: conditional UPDATE claims)."""

import datetime

import pytest
import time_machine
from django.core import mail

from cadences import services
from cadences.models import Enrollment, Touch, TouchStatus
from cadences.services import cadence_enroll, dispatch_due, touch_send, touches_reap_expired
from leads.models import Activity, Company
from tests.cadences.factories import CadenceFactory, LeadFactory, add_steps

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
TUESDAY_11_TALLINN = datetime.datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def cadence(actors):
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("email", 0), ("email", 2, "Re: {{company}}", "Following up, {{first_name}}."))
    return cadence


@pytest.fixture
def clock():
    with time_machine.travel(TUESDAY_11_TALLINN, tick=False) as traveller:
        yield traveller


def enroll(cadence, lead, by):
    assert cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=by)["enrolled"] == [lead.pk]
    return Touch.objects.get(lead=lead, step__position=1)


def test_due_email_is_sent_once_with_message_id_and_unsubscribe_header(
    actors, cadence, clock, django_capture_on_commit_callbacks
):
    lead = LeadFactory(team=actors.team, owner=actors.sdr, first_name="Liis", company="Acme OÜ")
    touch = enroll(cadence, lead, actors.sdr)
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch_due() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch_due() == 0
    assert touch_send(touch_id=touch.pk) == "not_claimed"  # the task delivered twice: one effect
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    touch.refresh_from_db()
    assert (touch.status, touch.outcome) == ("done", "sent")
    assert message.subject == "Hello Liis"
    assert message.body == "Hi Liis at Acme OÜ"
    assert message.extra_headers["Message-ID"] == touch.message_id
    assert touch.message_id.startswith("<") and "@" in touch.message_id
    assert message.extra_headers["List-Unsubscribe"].startswith("<mailto:unsubscribe@")
    assert "List-Unsubscribe-Post" not in message.extra_headers  # one click needs an HTTPS link
    assert message.to == [lead.email]
    assert message.message()["To"] == f"Liis Mets <{lead.email}>"
    assert actors.sdr.email in message.from_email
    sent = Activity.objects.get(lead=lead, kind="email")
    assert (sent.outcome, sent.actor, sent.data["touch"]) == ("sent", actors.sdr, touch.pk)
    follow_up = Touch.objects.get(lead=lead, step__position=2)
    assert follow_up.status == "scheduled"
    assert follow_up.due_at == datetime.datetime(2026, 3, 5, 9, 0, tzinfo=UTC)


def test_last_step_completes_the_enrollment(actors, clock, django_capture_on_commit_callbacks):
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("email", 0))
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    enroll(cadence, lead, actors.sdr)
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_due()
    assert Enrollment.objects.get(lead=lead).state == "completed"


def test_opted_out_lead_is_never_emailed_and_leaves_the_cadence(
    actors, cadence, clock, django_capture_on_commit_callbacks
):
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    touch = enroll(cadence, lead, actors.sdr)
    type(lead).objects.filter(pk=lead.pk).update(opted_out=True)
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_due()
    assert mail.outbox == []
    touch.refresh_from_db()
    assert touch.status == "skipped"
    enrollment = Enrollment.objects.get(lead=lead)
    assert (enrollment.state, enrollment.exit_reason) == ("exited", "opted_out")


def test_outside_the_leads_window_the_touch_waits_for_the_window(
    actors, cadence, django_capture_on_commit_callbacks
):
    lead = LeadFactory(team=actors.team, owner=actors.sdr, timezone="Asia/Seoul")
    with time_machine.travel(datetime.datetime(2026, 3, 3, 6, 0, tzinfo=UTC), tick=False):  # 15:00 KST
        touch = enroll(cadence, lead, actors.sdr)
    at_19_kst = time_machine.travel(datetime.datetime(2026, 3, 3, 10, 0, tzinfo=UTC), tick=False)
    with at_19_kst, django_capture_on_commit_callbacks(execute=True):
        dispatch_due()
    assert mail.outbox == []
    touch.refresh_from_db()
    assert (touch.status, touch.error) == ("scheduled", "outside_window")
    assert touch.due_at == datetime.datetime(2026, 3, 3, 23, 0, tzinfo=UTC)  # 08:00 KST next day


def test_daily_cap_defers_the_rest_to_the_next_window(
    actors, cadence, clock, django_capture_on_commit_callbacks
):
    policy = services.policy_for(actors.team.pk)
    policy.daily_send_cap = 2
    policy.save()
    leads = [LeadFactory(team=actors.team, owner=actors.sdr) for _ in range(3)]
    for lead in leads:
        enroll(cadence, lead, actors.sdr)
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_due()
    assert len(mail.outbox) == 2
    waiting = Touch.objects.get(step__position=1, status="scheduled")
    assert waiting.error == "daily_cap"
    assert waiting.due_at == datetime.datetime(2026, 3, 4, 6, 0, tzinfo=UTC)  # Wed 08:00 Tallinn


def test_account_cap_spreads_touches_across_the_week(
    actors, cadence, clock, django_capture_on_commit_callbacks
):
    policy = services.policy_for(actors.team.pk)
    policy.account_touch_cap = 1
    policy.save()
    acme = Company.objects.create(team=actors.team, name="Acme", domain="acme.example")
    first = LeadFactory(team=actors.team, owner=actors.sdr, account=acme)
    second = LeadFactory(team=actors.team, owner=actors.bdr, account=acme)
    enroll(cadence, first, actors.sdr)
    enroll(cadence, second, actors.bdr)
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_due()
    assert len(mail.outbox) == 1
    assert Touch.objects.get(step__position=1, status="scheduled").error == "account_cap"


def test_reaper_reschedules_unstarted_claims_and_flags_started_ones_unknown(actors, cadence, clock):
    a, b = (LeadFactory(team=actors.team, owner=actors.sdr) for _ in range(2))
    ta, tb = enroll(cadence, a, actors.sdr), enroll(cadence, b, actors.sdr)
    claimed = services.touches_claim_due()  # tasks are not run: the worker "died"
    assert sorted(claimed) == sorted([ta.pk, tb.pk])
    Touch.objects.filter(pk=tb.pk).update(send_started_at=TUESDAY_11_TALLINN)
    assert touches_reap_expired() == {"rescheduled": 0, "unknown": 0}  # leases still valid
    clock.shift(datetime.timedelta(minutes=11))
    assert touches_reap_expired() == {"rescheduled": 1, "unknown": 1}
    ta.refresh_from_db()
    tb.refresh_from_db()
    assert (ta.status, tb.status) == (TouchStatus.SCHEDULED, TouchStatus.UNKNOWN)
    assert touch_send(touch_id=tb.pk) == "not_claimed"  # an unknown send is never retried by itself
    assert mail.outbox == []


def test_a_late_task_after_its_lease_expired_does_nothing(actors, cadence, clock):
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    touch = enroll(cadence, lead, actors.sdr)
    services.touches_claim_due()
    clock.shift(datetime.timedelta(minutes=11))
    assert touch_send(touch_id=touch.pk) == "lease_expired"
    assert mail.outbox == []


def test_variants_split_leads_evenly(actors, clock, django_capture_on_commit_callbacks):
    cadence = CadenceFactory(team=actors.team)
    (step,) = add_steps(cadence, ("email", 0, "A {{first_name}}", "Body A"))
    step.variants = [{"subject": "B {{first_name}}", "body": "Body B"}]
    step.save()
    leads = [LeadFactory(team=actors.team, owner=actors.sdr) for _ in range(6)]
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk for lead in leads], by=actors.sdr)
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_due()
    subjects = sorted(message.subject[0] for message in mail.outbox)
    assert subjects == ["A", "A", "A", "B", "B", "B"]


def test_a_manager_resolves_an_unknown_send_and_the_cadence_moves_on(actors, cadence, clock, api_for):
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    touch = enroll(cadence, lead, actors.sdr)
    services.touches_claim_due()
    Touch.objects.filter(pk=touch.pk).update(send_started_at=TUESDAY_11_TALLINN)
    clock.shift(datetime.timedelta(minutes=11))
    touches_reap_expired()
    assert (
        api_for(actors.sdr)
        .post(f"/api/touches/{touch.pk}/resolve/", {"sent": True}, format="json")
        .status_code
        == 403
    )
    response = api_for(actors.manager).post(
        f"/api/touches/{touch.pk}/resolve/", {"sent": True}, format="json"
    )
    assert response.status_code == 200 and response.data["status"] == "done"
    assert Activity.objects.filter(lead=lead, kind="email", outcome="sent").count() == 1
    assert Touch.objects.get(lead=lead, step__position=2).status == "scheduled"
    again = api_for(actors.manager).post(f"/api/touches/{touch.pk}/resolve/", {"sent": False}, format="json")
    assert again.status_code == 409
    assert mail.outbox == []
