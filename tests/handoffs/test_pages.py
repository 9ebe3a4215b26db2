"""The handoff pages: full page vs htmx partial, decisions in one step, the 409 message, the form,
the rules of engagement, the pipeline board."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from handoffs import services
from handoffs.models import Handoff, Opportunity
from leads.models import Lead
from tests.handoffs.factories import QUALIFICATION, hand_off, make_lead

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_ae_inbox_lists_pending_handoffs_oldest_first_with_the_sla(actors):
    first = hand_off(make_lead(actors.team, owner=actors.sdr, company="Älmhult AB"), actors.sdr)
    second = hand_off(make_lead(actors.team, owner=actors.sdr, company="Baltic Beans"), actors.sdr)
    response = client_for(actors.ae).get("/handoffs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(f'id="handoff-{first.pk}"') < html.index(f'id="handoff-{second.pk}"')
    assert "left" in html and f'hx-get="/handoffs/{first.pk}/sla/"' in html
    assert QUALIFICATION["need"] in html and "Software is in the ICP" in html
    assert f'hx-post="/handoffs/{first.pk}/accept/"' in html


def test_the_sla_fragment_shows_a_breach(actors):
    handoff = hand_off(make_lead(actors.team, owner=actors.sdr), actors.sdr)
    Handoff.objects.filter(pk=handoff.pk).update(sla_due_at=timezone.now() - datetime.timedelta(minutes=90))
    response = client_for(actors.ae).get(f"/handoffs/{handoff.pk}/sla/", **HTMX)
    assert response.status_code == 200
    assert "sla--breached" in response.content.decode() and "1h 30m ago" in response.content.decode()
    assert client_for(actors.other_ae).get(f"/handoffs/{handoff.pk}/sla/").status_code == 404


def test_accept_in_one_htmx_step_returns_the_decided_card(actors):
    handoff = hand_off(make_lead(actors.team, owner=actors.sdr), actors.sdr)
    response = client_for(actors.ae).post(
        f"/handoffs/{handoff.pk}/accept/",
        {f"a{handoff.pk}-amount": "12000", f"a{handoff.pk}-expected_close": "2027-02-01"},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<article") and "Accepted. Opportunity" in html
    assert Opportunity.objects.get().amount == 12000


def test_a_decision_updates_the_waiting_count_in_the_same_response(actors):
    first = hand_off(make_lead(actors.team, owner=actors.sdr), actors.sdr)
    hand_off(make_lead(actors.team, owner=actors.sdr), actors.sdr)
    client = client_for(actors.ae)
    assert (
        '<span id="inbox-waiting-count" class="count-pill">2</span>'
        in client.get("/handoffs/").content.decode()
    )
    response = client.post(f"/handoffs/{first.pk}/reject/", {f"r{first.pk}-reason": "duplicate"}, **HTMX)
    assert response.status_code == 200
    assert (
        'id="inbox-waiting-count" class="count-pill" hx-swap-oob="true">1</span>' in response.content.decode()
    )


def test_a_decision_someone_else_made_first_shows_a_clear_409(actors):
    handoff = hand_off(make_lead(actors.team, owner=actors.sdr), actors.sdr)
    services.handoff_reject(handoff=handoff, by=actors.manager, reason="duplicate")
    response = client_for(actors.ae).post(
        f"/handoffs/{handoff.pk}/accept/", {f"a{handoff.pk}-amount": "5"}, **HTMX
    )
    assert response.status_code == 409
    assert "This handoff was already rejected by Maria Tamm." in response.content.decode()
    assert not Opportunity.objects.exists()


def test_reject_needs_a_reason_and_then_sends_the_lead_back(actors):
    handoff = hand_off(make_lead(actors.team, owner=actors.sdr), actors.sdr)
    client = client_for(actors.ae)
    refused = client.post(f"/handoffs/{handoff.pk}/reject/", {f"r{handoff.pk}-reason": ""}, **HTMX)
    assert refused.status_code == 400 and "This field is required." in refused.content.decode()
    done = client.post(
        f"/handoffs/{handoff.pk}/reject/",
        {f"r{handoff.pk}-reason": "not_icp", f"r{handoff.pk}-note": "Too small"},
        **HTMX,
    )
    assert done.status_code == 200 and "back with its SDR" in done.content.decode()
    assert Lead.objects.get(pk=handoff.lead_id).status == "working"


def test_without_htmx_a_decision_redirects_back_to_the_inbox(actors):
    handoff = hand_off(make_lead(actors.team, owner=actors.sdr), actors.sdr)
    response = client_for(actors.ae).post(
        f"/handoffs/{handoff.pk}/reject/", {f"r{handoff.pk}-reason": "other"}
    )
    assert response.status_code == 302 and response["Location"] == f"/handoffs/#handoff-{handoff.pk}"


def test_the_sdr_sees_their_own_handoffs_and_the_history_partial(actors):
    mine = hand_off(make_lead(actors.team, owner=actors.sdr), actors.sdr)
    theirs = hand_off(make_lead(actors.team, owner=actors.bdr), actors.bdr)
    services.handoff_reject(handoff=mine, by=actors.ae, reason="bad_timing", note="Back in Q2")
    client = client_for(actors.sdr)
    html = client.get("/handoffs/").content.decode()
    assert f'id="history-{mine.pk}"' in html and f'id="history-{theirs.pk}"' not in html
    assert "Bad timing" in html and "Back in Q2" in html and "accept/" not in html
    partial = client.get("/handoffs/?status=rejected", **HTMX).content.decode()
    assert partial.lstrip().startswith('<section id="handoff-history"')


def test_the_handoff_form_enforces_the_rules_and_hands_off(actors):
    services.rules_update(team=actors.team, by=actors.manager, required_fields=["budget"])
    lead = make_lead(actors.team, owner=actors.sdr)
    client = client_for(actors.sdr)
    page = client.get(f"/handoffs/new/?lead={lead.pk}")
    assert page.status_code == 200 and "Budget, Need, Timeline" in page.content.decode()
    data = {"lead": lead.pk, "next_step": "demo", **QUALIFICATION, "budget": ""}
    refused = client.post(f"/handoffs/new/?lead={lead.pk}", data)
    assert refused.status_code == 400 and not Handoff.objects.exists()
    meeting = (timezone.localtime(timezone.now() + datetime.timedelta(days=2))).strftime("%Y-%m-%dT%H:%M")
    done = client.post(f"/handoffs/new/?lead={lead.pk}", {**data, "budget": "€20k", "meeting_at": meeting})
    handoff = Handoff.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/handoffs/#handoff-{handoff.pk}"
    assert handoff.budget == "€20k" and handoff.meeting_at is not None
    assert client_for(actors.other_sdr).get(f"/handoffs/new/?lead={lead.pk}").status_code == 404


def test_the_handoff_form_returns_to_the_lead_page_but_never_off_site(actors):
    client = client_for(actors.sdr)
    lead = make_lead(actors.team, owner=actors.sdr)
    data = {"lead": lead.pk, "next_step": "demo", **QUALIFICATION}
    done = client.post(f"/handoffs/new/?lead={lead.pk}", {**data, "next": f"/leads/{lead.pk}/"})
    assert done["Location"] == f"/leads/{lead.pk}/"
    services.handoff_reject(handoff=Handoff.objects.get(), by=actors.ae, reason="other")
    evil = client.post(f"/handoffs/new/?lead={lead.pk}", {**data, "next": "https://evil.example/"})
    assert evil["Location"].startswith("/handoffs/#handoff-")


def test_the_rules_page_is_for_managers(actors):
    assert client_for(actors.sdr).get("/handoffs/rules/").status_code == 404
    client = client_for(actors.manager)
    assert client.get("/handoffs/rules/").status_code == 200
    response = client.post(
        "/handoffs/rules/", {"required_fields": ["budget", "meeting_at"], "sla_hours": "6"}
    )
    assert response.status_code == 302
    actors.team.refresh_from_db()
    assert actors.team.handoff_sla_hours == 6
    assert services.rules_for_team(team=actors.team).required_fields == ["budget", "meeting_at"]


def test_the_pipeline_board_totals_stages_and_moves_with_htmx(actors):
    opportunity = services.opportunity_create(by=actors.ae, name="Nordic Bank", amount="75000")
    services.opportunity_create(by=actors.ae, name="Tartu Tech", amount="25000", stage="demo")
    client = client_for(actors.ae)
    html = client.get("/opportunities/").content.decode()
    assert 'data-stage-total="discovery">75,000<' in html and 'data-stage-total="demo">25,000<' in html
    refused = client.post(f"/opportunities/{opportunity.pk}/stage/", {"stage": "lost"}, **HTMX)
    assert refused.status_code == 400 and "Say why it was lost." in refused.content.decode()
    moved = client.post(f"/opportunities/{opportunity.pk}/stage/", {"stage": "won"}, **HTMX)
    assert moved.status_code == 200 and moved.content.decode().lstrip().startswith(
        '<section id="opportunity-board"'
    )
    assert 'data-stage-total="won">75,000<' in moved.content.decode()
    assert (
        client_for(actors.other_ae)
        .post(f"/opportunities/{opportunity.pk}/stage/", {"stage": "demo"})
        .status_code
        == 404
    )


def test_an_sdr_reads_the_opportunities_they_sourced_without_moving_them(actors):
    opportunity = services.handoff_accept(
        handoff=hand_off(make_lead(actors.team, owner=actors.sdr), actors.sdr), by=actors.ae, amount=900
    )
    html = client_for(actors.sdr).get("/opportunities/").content.decode()
    assert opportunity.name in html and "opp-move" not in html
    assert (
        client_for(actors.sdr)
        .post(f"/opportunities/{opportunity.pk}/stage/", {"stage": "won"}, **HTMX)
        .status_code
        == 403
    )


def test_the_lead_page_panel_shows_history_breach_and_the_way_to_hand_off(actors, rf):
    from django.template import Context, Template

    lead = make_lead(actors.team, owner=actors.sdr)
    template = Template("{% load handoffs_tags %}{% lead_handoff_panel lead %}")

    def render(user, query=""):
        request = rf.get(f"/leads/{lead.pk}/{query}")
        request.user = user
        return template.render(Context({"request": request, "lead": lead}))

    html = render(actors.sdr, "?handoff=1")
    assert (
        "Not handed off yet." in html and f"/handoffs/new/?lead={lead.pk}" in html and "btn--primary" in html
    )
    first = hand_off(lead, actors.sdr)
    services.handoff_reject(handoff=first, by=actors.ae, reason="no_authority", note="Talk to the VP")
    second = hand_off(lead, actors.sdr)
    Handoff.objects.filter(pk=second.pk).update(sla_due_at=timezone.now() - datetime.timedelta(hours=1))
    lead.refresh_from_db()
    html = render(actors.sdr)
    assert "No authority" in html and "Talk to the VP" in html and "industry, employee_count, title" in html
    assert "SLA breached 1h" in html and "Decided within the SLA" in html and "Hand off to an AE" not in html
    assert 'id="lead-handoff-panel"' in render(actors.manager)
    assert "Not handed off yet." in render(actors.bdr)  # the BDR sees none of the SDR's handoffs


def test_the_inbox_costs_the_same_queries_for_two_or_twelve_handoffs(actors, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(actors.ae)
    for _ in range(2):
        hand_off(make_lead(actors.team, owner=actors.sdr), actors.sdr)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/handoffs/").status_code == 200
    for _ in range(10):
        services.handoff_accept(
            handoff=hand_off(make_lead(actors.team, owner=actors.sdr), actors.sdr), by=actors.ae, amount=1
        )
        hand_off(make_lead(actors.team, owner=actors.sdr), actors.sdr)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/handoffs/").status_code == 200
    assert len(many) == len(few)
