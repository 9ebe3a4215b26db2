"""The REST contract of cadences, the queue, email events and inbound leads."""

import datetime
import io

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cadences.models import (
    Cadence,
    EmailEvent,
    Enrollment,
    Reminder,
    Step,
    Suppression,
    TeamSendingPolicy,
    Touch,
)
from cadences.services import cadence_enroll, dispatch_due, touch_complete
from leads.models import Activity, Lead
from sdrcrm.accounts.models import Notification, Role
from sdrcrm.accounts.services import team_rotate_api_key
from tests.cadences.factories import CadenceFactory, LeadFactory, add_steps
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
TUESDAY_11_TALLINN = datetime.datetime(2026, 3, 3, 9, 0, tzinfo=UTC)

SEED_STEPS = [
    {
        "channel": "email",
        "wait_days": 0,
        "subject": "Hi {{first_name}}",
        "body": "About {{company}} — {{sender_name}}",
    },
    {"channel": "linkedin", "wait_days": 0, "instructions": "Connect with a note"},
    {"channel": "call", "wait_days": 2},
]


def test_create_cadence_with_steps_and_read_it_back(actors, api_for):
    response = api_for(actors.sdr).post(
        "/api/cadences/",
        {"name": "Seed example", "window_start": "09:00", "window_end": "17:30", "steps": SEED_STEPS},
        format="json",
    )
    assert response.status_code == 201, response.data
    body = response.data
    assert (body["name"], body["window_start"], body["window_end"], body["business_days_only"]) == (
        "Seed example", "09:00", "17:30", True,
    )  # fmt: skip
    assert [(s["position"], s["channel"], s["wait_days"]) for s in body["steps"]] == [
        (1, "email", 0), (2, "linkedin", 0), (3, "call", 2),
    ]  # fmt: skip
    detail = api_for(actors.ae).get(f"/api/cadences/{body['id']}/")
    assert detail.status_code == 200 and len(detail.data["steps"]) == 3


@pytest.mark.parametrize(
    ("step", "field"),
    [
        ({"channel": "email", "subject": "Hi {{firstname}}", "body": "x"}, "subject"),
        ({"channel": "email", "subject": "Hi", "body": "Dear {{ nickname }}"}, "body"),
        (
            {
                "channel": "email",
                "subject": "Hi",
                "body": "x",
                "variants": [{"subject": "{{oops}}", "body": "y"}],
            },
            "variants",
        ),
    ],
)
def test_unknown_placeholder_is_a_400_naming_the_field(actors, api_for, step, field):
    response = api_for(actors.sdr).post("/api/cadences/", {"name": "Bad", "steps": [step]}, format="json")
    assert response.status_code == 400
    assert list(response.data) == [field]
    assert "Unknown placeholder" in response.data[field][0]


@pytest.mark.parametrize("subject", ["Hi {{first_name", "Hi first_name}}", "{{company}} and {{title"])
def test_an_unclosed_placeholder_is_a_400_and_nothing_is_saved(actors, api_for, subject):
    step = {"channel": "email", "subject": subject, "body": "x"}
    response = api_for(actors.sdr).post("/api/cadences/", {"name": "Typo", "steps": [step]}, format="json")
    assert response.status_code == 400
    assert "not closed" in response.data["subject"][0]
    assert not Cadence.objects.filter(name="Typo").exists()


def test_every_text_at_fault_is_named_at_once(actors, api_for):
    step = {"channel": "email", "subject": "Hi {{name}}", "body": "About {{company", "instructions": "{{x}}"}
    response = api_for(actors.sdr).post("/api/cadences/", {"name": "Typos", "steps": [step]}, format="json")
    assert response.status_code == 400
    assert set(response.data) == {"subject", "body", "instructions"}
    assert "Unknown placeholder" in response.data["subject"][0] and "not closed" in response.data["body"][0]


def test_two_steps_at_one_position_are_refused(actors, api_for):
    steps = [{"position": 1, "channel": "call"}, {"position": 1, "channel": "linkedin"}]
    response = api_for(actors.sdr).post("/api/cadences/", {"name": "Twins", "steps": steps}, format="json")
    assert response.status_code == 400
    assert "same position" in response.data["steps"][0]
    assert not Cadence.objects.filter(name="Twins").exists()


def test_patch_reorders_steps_and_archives_used_ones(actors, api_for):
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("call", 0), ("linkedin", 1), ("task", 1))
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=actors.sdr)
    response = api_for(actors.manager).patch(
        f"/api/cadences/{cadence.pk}/",
        {"steps": [{"channel": "linkedin", "wait_days": 1}, {"channel": "call", "wait_days": 0}]},
        format="json",
    )
    assert response.status_code == 200, response.data
    assert [s["channel"] for s in response.data["steps"]] == ["linkedin", "call"]


def test_enroll_endpoint_reports_enrolled_and_skipped(actors, api_for):
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("call", 0))
    mine = LeadFactory(team=actors.team, owner=actors.sdr)
    theirs = LeadFactory(team=actors.team, owner=actors.bdr)
    response = api_for(actors.sdr).post(
        f"/api/cadences/{cadence.pk}/enroll/", {"leads": [mine.pk, theirs.pk]}, format="json"
    )
    assert response.data == {"enrolled": [mine.pk], "skipped": [{"lead": theirs.pk, "reason": "not_visible"}]}
    listed = api_for(actors.sdr).get(f"/api/enrollments/?lead={mine.pk}&state=active")
    assert [row["lead"] for row in listed.data["results"]] == [mine.pk]


@time_machine.travel(TUESDAY_11_TALLINN, tick=False)
def test_call_outcome_voicemail_creates_a_follow_up_reminder(actors, api_for):
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("call", 0), ("email", 2))
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=actors.sdr)
    touch = Touch.objects.get(lead=lead)
    response = api_for(actors.sdr).post(
        f"/api/touches/{touch.pk}/complete/", {"outcome": "voicemail"}, format="json"
    )
    assert response.status_code == 200 and response.data["status"] == "done"
    again = api_for(actors.sdr).post(
        f"/api/touches/{touch.pk}/complete/", {"outcome": "voicemail"}, format="json"
    )
    assert again.status_code == 409
    reminder = Reminder.objects.get(lead=lead)
    assert reminder.due_at == datetime.datetime(2026, 3, 5, 9, 0, tzinfo=UTC)  # 2 business days
    call = Activity.objects.get(lead=lead, kind="call")
    assert (call.outcome, call.actor) == ("voicemail", actors.sdr)
    assert Touch.objects.filter(lead=lead, status="scheduled").count() == 1


def test_a_wrong_outcome_for_the_channel_is_a_400(actors, api_for):
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("linkedin", 0))
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=actors.sdr)
    touch = Touch.objects.get(lead=lead)
    response = api_for(actors.sdr).post(
        f"/api/touches/{touch.pk}/complete/", {"outcome": "voicemail"}, format="json"
    )
    assert response.status_code == 400 and "outcome" in response.data
    assert Touch.objects.get(pk=touch.pk).status == "scheduled"


@time_machine.travel(TUESDAY_11_TALLINN, tick=False)
def test_queue_orders_overdue_first_then_priority_with_constant_queries(actors, api_for):
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("call", 0), ("email", 1))
    leads = [LeadFactory(team=actors.team, owner=actors.sdr, score=score) for score in (40, 90, 65)]
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk for lead in leads], by=actors.sdr)
    Touch.objects.filter(lead=leads[0]).update(due_at=TUESDAY_11_TALLINN - datetime.timedelta(days=2))
    Reminder.objects.create(
        team=actors.team, lead=leads[2], owner=actors.sdr, due_at=TUESDAY_11_TALLINN, note="Ping"
    )
    client = api_for(actors.sdr)
    response = client.get("/api/queue/")
    assert response.status_code == 200
    rows = response.data["results"]
    assert [(r["type"], r["lead"]["id"]) for r in rows] == [
        ("touch", leads[0].pk), ("touch", leads[1].pk), ("touch", leads[2].pk), ("reminder", leads[2].pk),
    ]  # fmt: skip
    assert rows[0]["overdue"] is True and rows[1]["overdue"] is False
    assert (rows[1]["step"], rows[1]["steps_total"]) == (1, 2)
    with CaptureQueriesContext(connection) as small:
        client.get("/api/queue/")
    more = [LeadFactory(team=actors.team, owner=actors.sdr) for _ in range(40)]
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk for lead in more], by=actors.sdr)
    for lead in more[:10]:
        Reminder.objects.create(team=actors.team, lead=lead, owner=actors.sdr, due_at=TUESDAY_11_TALLINN)
    with CaptureQueriesContext(connection) as big:
        assert len(client.get("/api/queue/").data["results"]) == 54
    assert len(big) == len(small)


@time_machine.travel(TUESDAY_11_TALLINN, tick=False)
def test_queue_renders_email_text_for_email_steps(actors, api_for):
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("manual_email", 0, "Hi {{first_name}}", "From {{sender_name}}"))
    lead = LeadFactory(team=actors.team, owner=actors.sdr, first_name="Liis")
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=actors.sdr)
    Step.objects.filter(cadence=cadence).update(instructions="Mention {{company}}")
    row = api_for(actors.sdr).get("/api/queue/?channel=email").data["results"][0]
    assert (row["subject"], row["body"]) == ("Hi Liis", "From Kadri Kask")
    assert row["instructions"] == "Mention Acme OÜ"


@pytest.fixture
def keyed(actors):
    return {"HTTP_X_API_KEY": team_rotate_api_key(team=actors.team)}


@time_machine.travel(TUESDAY_11_TALLINN, tick=False)
def test_reply_exits_enrollment_and_cancels_touches_once(actors, api, keyed):
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("call", 0), ("email", 1))
    lead = LeadFactory(team=actors.team, owner=actors.sdr, email="liis@acme.example")
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=actors.sdr)
    event = {"type": "reply", "email": "Liis@Acme.example", "occurred_at": "2026-03-03T08:00:00Z"}
    first = api.post("/api/email-events/", event, format="json", **keyed)
    assert first.status_code == 201 and first.data["applied"] is True
    replay = api.post("/api/email-events/", event, format="json", **keyed)
    assert replay.status_code == 200 and replay.data["applied"] is False
    enrollment = Enrollment.objects.get(lead=lead)
    assert (enrollment.state, enrollment.exit_reason) == ("exited", "replied")
    assert list(Touch.objects.filter(lead=lead).values_list("status", flat=True)) == ["canceled"]
    assert Activity.objects.filter(lead=lead, kind="email", outcome="replied").count() == 1
    assert EmailEvent.objects.count() == 1


def test_unsubscribe_and_bounce_suppress_the_address(actors, api, keyed):
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("email", 0))
    lead = LeadFactory(team=actors.team, owner=actors.sdr, email="out@acme.example")
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=actors.sdr)
    assert (
        api.post(
            "/api/email-events/", {"type": "unsubscribe", "email": lead.email}, format="json", **keyed
        ).status_code
        == 201
    )
    lead.refresh_from_db()
    assert lead.opted_out is True
    assert Enrollment.objects.get(lead=lead).exit_reason == "opted_out"
    assert Suppression.objects.filter(team=actors.team, reason="unsubscribe").count() == 1
    bounced = LeadFactory(team=actors.team, owner=actors.sdr, email="gone@acme.example")
    assert (
        api.post(
            "/api/email-events/", {"type": "bounce", "email": bounced.email}, format="json", **keyed
        ).status_code
        == 201
    )
    bounced.refresh_from_db()
    assert bounced.email_bounced is True
    unknown = api.post(
        "/api/email-events/", {"type": "reply", "email": "nobody@x.example"}, format="json", **keyed
    )
    assert unknown.status_code == 404


def test_out_of_office_pauses_then_resumes_after_the_return_date(
    actors, api, keyed, django_capture_on_commit_callbacks
):
    from cadences.services import enrollments_resume_due

    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("email", 0), ("call", 1))
    lead = LeadFactory(team=actors.team, owner=actors.sdr, email="ooo@acme.example")
    with time_machine.travel(
        datetime.datetime(2026, 3, 2, 5, 0, tzinfo=UTC), tick=False
    ):  # Mon 07:00 Tallinn
        cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=actors.sdr)
        response = api.post(
            "/api/email-events/", {"type": "out_of_office", "email": lead.email, "until": "2026-03-06"},
            format="json", **keyed,
        )  # fmt: skip
        assert response.status_code == 201
    enrollment = Enrollment.objects.get(lead=lead)
    assert enrollment.state == "paused"
    with time_machine.travel(datetime.datetime(2026, 3, 4, 9, 0, tzinfo=UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert dispatch_due() == 0  # paused: nothing goes out
        assert enrollments_resume_due() == 0
    with time_machine.travel(datetime.datetime(2026, 3, 9, 7, 0, tzinfo=UTC), tick=False):  # Mon after
        assert enrollments_resume_due() == 1
    enrollment.refresh_from_db()
    assert enrollment.state == "active"
    touch = Touch.objects.get(lead=lead)
    assert touch.due_at >= datetime.datetime(2026, 3, 7, 0, 0, tzinfo=UTC)  # shifted, not caught up
    assert Activity.objects.filter(lead=lead, data__event="out_of_office").count() == 1
    assert mail.outbox == []


def test_inbound_leads_are_dealt_round_robin_to_present_reps_and_enrolled(actors, api, keyed):
    away = UserFactory(team=actors.team, role=Role.SDR, away_until=datetime.date(2099, 1, 1))
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("call", 0))
    TeamSendingPolicy.objects.create(team=actors.team, default_inbound_cadence=cadence)
    owners = []
    for i in range(4):
        response = api.post(
            "/api/inbound/leads/",
            {"email": f"form{i}@corp.example", "first_name": "F"},
            format="json",
            **keyed,
        )
        assert response.status_code == 201, response.data
        assert response.data["source"] == "inbound" and response.data["enrolled"] is True
        owners.append(response.data["owner"])
    assert owners == [actors.sdr.pk, actors.bdr.pk, actors.sdr.pk, actors.bdr.pk]
    assert away.pk not in owners
    duplicate = api.post("/api/inbound/leads/", {"email": "form0@corp.example"}, format="json", **keyed)
    assert duplicate.status_code == 409
    assert Lead.objects.filter(source="inbound").count() == 4


def test_speed_to_lead_alerts_owner_and_manager_once(actors):
    from cadences.services import speed_to_lead_check

    lead = LeadFactory(team=actors.team, owner=actors.sdr, source="inbound")
    Lead.objects.filter(pk=lead.pk).update(created_at=lead.created_at - datetime.timedelta(minutes=90))
    assert speed_to_lead_check() == 2
    assert speed_to_lead_check() == 0
    assert set(Notification.objects.filter(kind="speed_to_lead").values_list("user_id", flat=True)) == {
        actors.sdr.pk, actors.manager.pk,
    }  # fmt: skip


def test_due_reminder_notifies_in_app_and_by_email_once(actors, django_capture_on_commit_callbacks):
    from cadences.services import reminders_notify_due

    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    Reminder.objects.create(
        team=actors.team, lead=lead, owner=actors.sdr, due_at=TUESDAY_11_TALLINN, note="Call"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_notify_due() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_notify_due() == 0
    assert Notification.objects.filter(user=actors.sdr, kind="reminder_due").count() == 1
    assert [m.to for m in mail.outbox] == [[actors.sdr.email]]


def test_reassign_moves_due_touches_and_reminders(actors, api_for):
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("call", 0))
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=actors.sdr)
    Reminder.objects.create(team=actors.team, lead=lead, owner=actors.sdr, due_at=TUESDAY_11_TALLINN)
    response = api_for(actors.manager).post(
        f"/api/users/{actors.sdr.pk}/reassign/", {"to": actors.bdr.pk}, format="json"
    )
    assert response.status_code == 200 and response.data == {"touches": 1, "reminders": 1}
    assert Touch.objects.get(lead=lead).owner == actors.bdr
    wrong = api_for(actors.manager).post(
        f"/api/users/{actors.sdr.pk}/reassign/", {"to": actors.other_sdr.pk}, format="json"
    )
    assert wrong.status_code == 400 and "to" in wrong.data


@time_machine.travel(TUESDAY_11_TALLINN, tick=False)
def test_replies_are_reported_per_variant(actors, api_for, keyed, api, django_capture_on_commit_callbacks):
    cadence = CadenceFactory(team=actors.team)
    (step,) = add_steps(cadence, ("email", 0, "A", "Body A"))
    step.variants = [{"subject": "B", "body": "Body B"}]
    step.save()
    leads = [LeadFactory(team=actors.team, owner=actors.sdr) for _ in range(4)]
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk for lead in leads], by=actors.sdr)
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_due()
    b_lead = Touch.objects.filter(variant=1).first().lead
    api.post("/api/email-events/", {"type": "reply", "email": b_lead.email}, format="json", **keyed)
    report = api_for(actors.manager).get(f"/api/cadences/{cadence.pk}/report/").data["steps"][0]
    assert (report["sent"], report["replies"]) == (4, 1)
    assert [(v["variant"], v["sent"], v["replies"]) for v in report["variants"]] == [(0, 2, 0), (1, 2, 1)]


def test_touch_complete_service_refuses_a_done_touch(actors):
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("task", 0))
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=actors.sdr)
    touch = Touch.objects.get(lead=lead)
    touch_complete(touch=touch, outcome="", by=actors.sdr)
    from sdrcrm.core.errors import Conflict

    with pytest.raises(Conflict):
        touch_complete(touch=touch, outcome="", by=actors.sdr)
    assert Enrollment.objects.get(lead=lead).state == "completed"


def test_managers_set_the_sending_policy(actors, api_for):
    cadence = CadenceFactory(team=actors.team)
    foreign = CadenceFactory(team=actors.other_team)
    url = f"/api/teams/{actors.team.pk}/sending-policy/"
    response = api_for(actors.manager).patch(
        url, {"daily_send_cap": 80, "default_inbound_cadence": cadence.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.data == {"team": actors.team.pk, "daily_send_cap": 80, "account_touch_cap": None,
                             "default_inbound_cadence": cadence.pk, "voicemail_followup_business_days": 2}  # fmt: skip
    bad = api_for(actors.manager).patch(url, {"default_inbound_cadence": foreign.pk}, format="json")
    assert bad.status_code == 400 and "default_inbound_cadence" in bad.data
    assert TeamSendingPolicy.objects.get(team=actors.team).default_inbound_cadence == cadence


def test_disqualifying_a_lead_takes_it_out_of_its_cadence(actors):
    from leads.services import lead_disqualify

    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("call", 0))
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=actors.sdr)
    lead_disqualify(lead=lead, by=actors.sdr, reason="No budget this year")
    enrollment = Enrollment.objects.get(lead=lead)
    assert (enrollment.state, enrollment.exit_reason) == ("exited", "disqualified")
    assert Touch.objects.get(lead=lead).status == "canceled"


@time_machine.travel(TUESDAY_11_TALLINN, tick=False)
def test_dispatch_due_command_sends_what_is_due(actors, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("email", 0))
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=actors.sdr)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("dispatch_due", stdout=io.StringIO())
    assert len(mail.outbox) == 1
    assert Touch.objects.get(lead=lead).status == "done"


def _scheduled_call(actors) -> Touch:
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("call", 0))
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=actors.sdr)
    return Touch.objects.get(lead=lead)


def test_a_touch_cannot_be_rescheduled_into_the_past(actors, api_for):
    touch = _scheduled_call(actors)
    response = api_for(actors.sdr).post(
        f"/api/touches/{touch.pk}/reschedule/", {"due_at": "2020-01-07T09:00:00+02:00"}, format="json"
    )
    assert response.status_code == 400 and response.json()["due_at"] == ["Pick a time in the future."]
    assert Touch.objects.get(pk=touch.pk).due_at == touch.due_at


@pytest.mark.django_db(transaction=True)
def test_a_touch_is_rescheduled_as_in_production_outside_any_test_transaction(actors, api_for):
    """Requests run in autocommit in production: the reschedule locks the touch in its own transaction."""
    touch = _scheduled_call(actors)
    later = (timezone.now() + datetime.timedelta(days=2)).replace(microsecond=0)
    response = api_for(actors.sdr).post(
        f"/api/touches/{touch.pk}/reschedule/", {"due_at": later.isoformat()}, format="json"
    )
    assert response.status_code == 200
    assert Touch.objects.get(pk=touch.pk).due_at == later
