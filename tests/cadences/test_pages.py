"""The Today queue, the cadence builder and the enroll panels as pages (full page and htmx partials)."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cadences.models import Cadence, Enrollment, Reminder, Step, Touch
from cadences.services import cadence_enroll
from tests.cadences.factories import CadenceFactory, LeadFactory, add_steps

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def queue(actors):
    cadence = CadenceFactory(team=actors.team, name="Seed example")
    add_steps(
        cadence, ("call", 0), ("manual_email", 0, "Hi {{first_name}}", "About {{company}}"), ("linkedin", 1)
    )
    leads = [
        LeadFactory(team=actors.team, owner=actors.sdr, first_name=f"Lead{i}", score=50 + i) for i in range(3)
    ]
    with time_machine.travel(NOW, tick=False):
        cadence_enroll(cadence=cadence, lead_ids=[lead.pk for lead in leads], by=actors.sdr)
    return cadence, leads


@time_machine.travel(NOW, tick=False)
def test_today_page_lists_due_work_with_step_and_priority(client, actors, queue):
    client.force_login(actors.sdr)
    response = client.get("/today/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Lead2") < html.index("Lead1") < html.index("Lead0")  # best score first
    assert "Step 1 of 3" in html and "Seed example" in html
    assert 'id="today-counter"' in html and "0</strong>" in html
    partial = client.get("/today/?channel=call", **HTMX)
    assert partial.status_code == 200
    assert b"<html" not in partial.content and b'id="queue-list"' in partial.content


@time_machine.travel(NOW, tick=False)
def test_logging_a_call_outcome_swaps_the_row_and_bumps_the_counter(client, actors, queue):
    _cadence, leads = queue
    client.force_login(actors.sdr)
    touch = Touch.objects.get(lead=leads[0])
    response = client.post(f"/today/touches/{touch.pk}/complete/", {"outcome": "no_answer"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="touch-{touch.pk}"' in html and "is-done" in html
    assert 'hx-swap-oob="true"' in html and "<strong>1</strong>" in html
    again = client.post(f"/today/touches/{touch.pk}/complete/", {"outcome": "no_answer"}, **HTMX)
    assert again.status_code == 409
    next_touch = Touch.objects.get(lead=leads[0], step__position=2)
    response = client.post(
        f"/today/touches/{next_touch.pk}/complete/", {"outcome": "sent", "subject": "x", "body": "y"}, **HTMX
    )
    assert response.status_code == 200
    assert Touch.objects.get(pk=next_touch.pk).outcome == "sent"


@time_machine.travel(NOW, tick=False)
def test_skip_and_snooze_from_the_queue(client, actors, queue):
    _cadence, leads = queue
    client.force_login(actors.sdr)
    first, second = Touch.objects.get(lead=leads[1]), Touch.objects.get(lead=leads[2])
    assert client.post(f"/today/touches/{first.pk}/skip/", **HTMX).status_code == 200
    assert Touch.objects.get(pk=first.pk).status == "skipped"
    assert (
        client.post(f"/today/touches/{second.pk}/snooze/", {"snooze": "tomorrow"}, **HTMX).status_code == 200
    )
    assert Touch.objects.get(pk=second.pk).due_at == datetime.datetime(
        2026, 3, 4, 7, 0, tzinfo=UTC
    )  # 09:00 Tallinn


@time_machine.travel(NOW, tick=False)
def test_rescheduling_without_a_time_says_so_and_changes_nothing(client, actors, queue):
    _cadence, leads = queue
    client.force_login(actors.sdr)
    touch = Touch.objects.get(lead=leads[2])
    due_before = touch.due_at
    response = client.post(f"/today/touches/{touch.pk}/snooze/", {"snooze": "custom", "due_at": ""}, **HTMX)
    assert response.status_code == 422
    assert "Pick a date and time." in response.content.decode()
    assert Touch.objects.get(pk=touch.pk).due_at == due_before


def test_without_javascript_an_action_redirects_back_to_the_queue(client, actors, queue):
    _cadence, leads = queue
    client.force_login(actors.sdr)
    touch = Touch.objects.get(lead=leads[0])
    response = client.post(f"/today/touches/{touch.pk}/complete/", {"outcome": "connected"})
    assert response.status_code == 302 and response["Location"] == "/today/"


def test_someone_elses_touch_is_a_404(client, actors, queue):
    _cadence, leads = queue
    client.force_login(actors.other_sdr)
    touch = Touch.objects.get(lead=leads[0])
    assert client.post(f"/today/touches/{touch.pk}/skip/", **HTMX).status_code == 404
    assert Touch.objects.get(pk=touch.pk).status == "scheduled"


@time_machine.travel(NOW, tick=False)
def test_today_page_query_count_does_not_grow_with_the_queue(client, actors, queue):
    cadence, _leads = queue
    client.force_login(actors.sdr)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/today/").status_code == 200
    more = [LeadFactory(team=actors.team, owner=actors.sdr) for _ in range(150)]
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk for lead in more], by=actors.sdr)
    for lead in more[:20]:
        Reminder.objects.create(team=actors.team, lead=lead, owner=actors.sdr, due_at=NOW, note="Call back")
    with CaptureQueriesContext(connection) as big:
        response = client.get("/today/")
    assert response.content.decode().count('class="queue-item ') == 173
    assert len(big) == len(small)


def test_cadence_builder_adds_reorders_and_previews_with_a_real_lead(client, actors):
    client.force_login(actors.sdr)
    response = client.post("/cadences/", {"name": "Inbound fast", "is_active": "on", "business_days_only": "on",
                                          "window_start": "08:00", "window_end": "18:00"})  # fmt: skip
    cadence = Cadence.objects.get(name="Inbound fast")
    assert response.status_code == 302 and response["Location"] == f"/cadences/{cadence.pk}/"
    lead = LeadFactory(team=actors.team, owner=actors.sdr, first_name="Mari", company="Tartu AS")
    save = f"/cadences/{cadence.pk}/steps/save/"
    assert client.post(save, {"channel": "call", "wait_days": 0}, **HTMX).status_code == 200
    response = client.post(save, {"channel": "email", "wait_days": 1, "subject": "Hi {{first_name}}",
                                  "body": "Re {{company}}"}, **HTMX)  # fmt: skip
    assert response.status_code == 200
    bad = client.post(
        save, {"channel": "email", "wait_days": 1, "subject": "Hi {{name}}", "body": "x"}, **HTMX
    )
    assert bad.status_code == 422 and "Unknown placeholder" in bad.content.decode()
    both_bad = client.post(save, {"channel": "manual_email", "wait_days": 1, "subject": "Hi {{name}}",
                                  "body": "About {{company", "instructions": "Ask {{boss}}"}, **HTMX)  # fmt: skip
    errors = both_bad.content.decode()
    assert (
        errors.count("Unknown placeholder") == 2 and errors.count("is not closed") == 1
    )  # every field at once
    # The errors replace the editor only, so the builder around it keeps working.
    assert (bad["HX-Retarget"], bad["HX-Reswap"]) == ("#step-editor", "outerHTML")
    assert 'id="step-editor"' in bad.content.decode() and 'id="builder"' not in bad.content.decode()
    assert client.post(f"/cadences/{cadence.pk}/steps/up/", {"position": 2}, **HTMX).status_code == 200
    assert list(Step.objects.filter(cadence=cadence).order_by("position").values_list("channel", flat=True)) == [
        "email", "call",
    ]  # fmt: skip
    page = client.get(f"/cadences/{cadence.pk}/?lead={lead.pk}").content.decode()
    assert "Hi Mari" in page and "Re Tartu AS" in page
    assert client.get("/cadences/").status_code == 200
    client.force_login(actors.other_sdr)
    assert client.get(f"/cadences/{cadence.pk}/").status_code == 404


def test_the_builder_previews_a_steps_instructions_for_the_chosen_lead(client, actors):
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("linkedin", 0))
    Step.objects.filter(cadence=cadence).update(instructions="Connect; mention their role ({{title}}).")
    lead = LeadFactory(team=actors.team, owner=actors.sdr, title="Head of <Sales>")
    client.force_login(actors.sdr)
    page = client.get(f"/cadences/{cadence.pk}/?lead={lead.pk}").content.decode()
    assert "Connect; mention their role ({{title}})." in page  # the step as written
    assert "Connect; mention their role (Head of &lt;Sales&gt;)." in page  # and as this lead reads it


def test_lead_panel_enrolls_pauses_and_exits(client, actors):
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("call", 0))
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    client.force_login(actors.sdr)
    url = f"/cadences/enroll/lead/{lead.pk}/"
    assert b"Enroll in" in client.get(url, **HTMX).content
    assert client.post(url, {"action": "enroll", "cadence": cadence.pk}, **HTMX).status_code == 200
    assert Enrollment.objects.get(lead=lead).state == "active"
    client.post(url, {"action": "pause"}, **HTMX)
    assert Enrollment.objects.get(lead=lead).state == "paused"
    client.post(url, {"action": "exit"}, **HTMX)
    assert Enrollment.objects.get(lead=lead).exit_reason == "manual"


def test_bulk_enroll_from_the_lead_list(client, actors):
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("call", 0))
    leads = [LeadFactory(team=actors.team, owner=actors.sdr) for _ in range(3)]
    opted = LeadFactory(team=actors.team, owner=actors.sdr, opted_out=True)
    client.force_login(actors.sdr)
    response = client.post(
        "/cadences/enroll/bulk/",
        {"cadence": cadence.pk, "leads": [lead.pk for lead in [*leads, opted]]},
        **HTMX,
    )
    assert response.status_code == 200
    assert "3 leads enrolled" in response.content.decode() and "opted_out" in response.content.decode()
    assert Enrollment.objects.filter(cadence=cadence).count() == 3


def test_manager_sees_the_send_review(client, actors):
    client.force_login(actors.manager)
    assert client.get("/cadences/review/").status_code == 200
    client.force_login(actors.sdr)
    assert client.get("/cadences/review/").status_code == 403


def test_manager_saves_the_sending_rules_from_the_cadence_page(client, actors):
    from cadences.models import TeamSendingPolicy

    cadence = CadenceFactory(team=actors.team, name="Inbound")
    client.force_login(actors.manager)
    assert b"Sending rules" in client.get("/cadences/").content
    response = client.post("/cadences/sending-policy/", {"daily_send_cap": 90, "account_touch_cap": 4,
                                                          "default_inbound_cadence": cadence.pk,
                                                          "voicemail_followup_business_days": 2})  # fmt: skip
    assert response.status_code == 302
    policy = TeamSendingPolicy.objects.get(team=actors.team)
    assert (policy.daily_send_cap, policy.account_touch_cap, policy.default_inbound_cadence) == (
        90,
        4,
        cadence,
    )
    client.force_login(actors.sdr)
    assert b"/cadences/sending-policy/" not in client.get("/cadences/").content
    client.post("/cadences/sending-policy/", {"daily_send_cap": 1, "voicemail_followup_business_days": 2})
    assert TeamSendingPolicy.objects.get(team=actors.team).daily_send_cap == 90


def test_lead_panel_sets_a_reminder_in_the_reps_zone(client, actors):
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    client.force_login(actors.sdr)
    response = client.post(
        f"/cadences/enroll/lead/{lead.pk}/",
        {"action": "reminder", "due_at": "2030-01-07T09:30", "note": "Call"},
        **HTMX,
    )
    assert response.status_code == 200 and b"Reminder set." in response.content
    reminder = Reminder.objects.get(lead=lead)
    assert reminder.due_at == datetime.datetime(2030, 1, 7, 7, 30, tzinfo=UTC)  # 09:30 in Tallinn
    assert reminder.owner == actors.sdr


def test_a_reminder_in_the_past_is_refused_on_the_page_and_in_the_api(client, actors, api_for):
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    client.force_login(actors.sdr)
    response = client.post(
        f"/cadences/enroll/lead/{lead.pk}/",
        {"action": "reminder", "due_at": "2020-01-07T09:30", "note": "Call"},
        **HTMX,
    )
    assert b"Pick a time in the future." in response.content
    response = api_for(actors.sdr).post(
        "/api/reminders/", {"lead": lead.pk, "due_at": "2020-01-07T09:30:00+02:00"}, format="json"
    )
    assert response.status_code == 400 and "due_at" in str(response.json())
    assert not Reminder.objects.filter(lead=lead).exists()


def test_template_tags_give_the_lead_pages_their_cadence_panels(rf, actors):
    from django.template import Context, Template

    cadence = CadenceFactory(team=actors.team, name="Outbound")
    add_steps(cadence, ("call", 0))
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    request = rf.get("/leads/")
    request.user = actors.sdr
    html = Template(
        "{% load cadences_tags %}<form id='lead-bulk-form'></form>{% bulk_enroll_action %}{% lead_cadence_panel lead %}"
    ).render(Context({"request": request, "lead": lead, "csrf_token": "t"}))
    assert 'id="bulk-enroll"' in html and 'form="lead-bulk-form"' in html and "Outbound" in html
    assert 'id="lead-enroll"' in html and "Enroll in" in html
    request.user = actors.ae
    hidden = Template("{% load cadences_tags %}{% bulk_enroll_action %}").render(
        Context({"request": request})
    )
    assert "bulk-enroll" not in hidden


def test_bulk_enroll_without_javascript_takes_the_lead_lists_field_and_returns(client, actors):
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("call", 0))
    leads = [LeadFactory(team=actors.team, owner=actors.sdr) for _ in range(2)]
    client.force_login(actors.sdr)
    response = client.post("/cadences/enroll/bulk/", {"cadence": cadence.pk, "lead": [lead.pk for lead in leads],
                                                      "next": "/leads/?status=new"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/leads/?status=new"
    assert Enrollment.objects.filter(cadence=cadence).count() == 2
    evil = client.post("/cadences/enroll/bulk/", {"cadence": cadence.pk, "lead": [leads[0].pk],
                                                  "next": "https://evil.example/"})  # fmt: skip
    assert evil["Location"] == "/leads/"
