"""The handoff and opportunity API: statuses, payloads, query counts, and the whole flow end to end."""

import datetime

import pytest
from django.utils import timezone

from handoffs.models import Handoff, Opportunity
from leads.models import Lead
from tests.handoffs.factories import QUALIFICATION, hand_off, make_lead

pytestmark = pytest.mark.django_db


def payload(lead, **overrides):
    return {"lead": lead.pk, "next_step": "demo", **QUALIFICATION, **overrides}


def test_post_handoff_returns_201_with_the_handoff(actors, api_for):
    lead = make_lead(actors.team, owner=actors.sdr)
    response = api_for(actors.sdr).post("/api/handoffs/", payload(lead), format="json")
    assert response.status_code == 201, response.data
    body = response.json()
    handoff = Handoff.objects.get()
    assert body["id"] == handoff.pk
    assert body["status"] == "pending" and body["lead"] == lead.pk and body["ae"] == actors.ae.pk
    assert body["sdr"] == actors.sdr.pk and body["sla_breached"] is False
    assert body["sla_due_at"] == handoff.sla_due_at.isoformat().replace("+00:00", "Z")
    assert body["icp_matched"] == ["industry", "employee_count", "title"]
    assert body["opportunity"] is None


def test_post_handoff_errors(actors, api_for):
    lead = make_lead(actors.team, owner=actors.sdr)
    client = api_for(actors.sdr)
    assert client.post("/api/handoffs/", payload(lead, need=""), format="json").json() == {
        "need": ["Your team's rules of engagement require this."]
    }
    assert client.post("/api/handoffs/", payload(lead, next_step="x"), format="json").status_code == 400
    assert client.post("/api/handoffs/", payload(lead, ae=999999), format="json").json() == {
        "ae": ["Unknown user."]
    }
    assert (
        client.post("/api/handoffs/", {"lead": 999999, "next_step": "demo"}, format="json").status_code == 404
    )
    assert client.post("/api/handoffs/", {"lead": "abc"}, format="json").status_code == 400
    assert client.post("/api/handoffs/", payload(lead), format="json").status_code == 201
    second = client.post("/api/handoffs/", payload(lead), format="json")
    assert second.status_code == 409 and second.json()["pending_handoff"] == Handoff.objects.get().pk
    other_lead = make_lead(actors.other_team, owner=actors.other_sdr)
    assert client.post("/api/handoffs/", payload(other_lead), format="json").status_code == 404
    assert Handoff.objects.count() == 1


def test_handoff_list_filters_by_status_in_constant_queries(actors, api_for, django_assert_max_num_queries):
    for _ in range(3):
        hand_off(make_lead(actors.team, owner=actors.sdr), actors.sdr)
    client = api_for(actors.ae)
    with django_assert_max_num_queries(4):
        response = client.get("/api/handoffs/?status=pending")
    assert response.status_code == 200 and response.json()["count"] == 3
    for _ in range(10):
        hand_off(make_lead(actors.team, owner=actors.sdr), actors.sdr)
    with django_assert_max_num_queries(4):
        response = client.get("/api/handoffs/?status=pending")
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == sorted(ids)  # oldest first
    assert client.get("/api/handoffs/?status=accepted").json()["count"] == 0
    assert client.get("/api/handoffs/?status=bogus").status_code == 400


def test_handoff_lists_follow_who_sees_what(actors, api_for):
    hand_off(make_lead(actors.team, owner=actors.sdr), actors.sdr)
    hand_off(make_lead(actors.team, owner=actors.bdr), actors.bdr)
    hand_off(make_lead(actors.other_team, owner=actors.other_sdr), actors.other_sdr)
    counts = {
        who: api_for(getattr(actors, who)).get("/api/handoffs/").json()["count"]
        for who in ("sdr", "bdr", "ae", "manager", "admin", "other_sdr", "other_ae", "other_manager")
    }
    assert counts == {
        "sdr": 1, "bdr": 1, "ae": 2, "manager": 2, "admin": 3, "other_sdr": 1, "other_ae": 1, "other_manager": 1,
    }  # fmt: skip


def test_accept_returns_the_new_opportunity_and_a_second_decision_is_409(actors, api_for):
    handoff = hand_off(make_lead(actors.team, owner=actors.sdr), actors.sdr)
    client = api_for(actors.ae)
    response = client.post(
        f"/api/handoffs/{handoff.pk}/accept/",
        {"amount": "18000.50", "expected_close": "2027-01-31"},
        format="json",
    )
    assert response.status_code == 201, response.data
    body = response.json()
    assert (
        body["amount"] == "18000.50" and body["sourced_by"] == actors.sdr.pk and body["owner"] == actors.ae.pk
    )
    assert (
        body["handoff"] == handoff.pk
        and body["stage"] == "discovery"
        and body["expected_close"] == "2027-01-31"
    )
    again = client.post(f"/api/handoffs/{handoff.pk}/reject/", {"reason": "other"}, format="json")
    assert again.status_code == 409
    assert again.json()["detail"].startswith("This handoff was already accepted")
    assert Opportunity.objects.count() == 1


def test_accept_and_reject_validate_input(actors, api_for):
    handoff = hand_off(make_lead(actors.team, owner=actors.sdr), actors.sdr)
    client = api_for(actors.ae)
    assert client.post(f"/api/handoffs/{handoff.pk}/accept/", {}, format="json").status_code == 400
    assert (
        client.post(f"/api/handoffs/{handoff.pk}/accept/", {"amount": "-5"}, format="json").status_code == 400
    )
    assert (
        client.post(f"/api/handoffs/{handoff.pk}/reject/", {"reason": "meh"}, format="json").status_code
        == 400
    )
    assert client.post("/api/handoffs/999999/accept/", {"amount": 1}, format="json").status_code == 404
    handoff.refresh_from_db()
    assert handoff.status == "pending"


def test_meeting_outcome_and_ics_download(actors, api_for):
    meeting = (timezone.now() + datetime.timedelta(days=2)).replace(microsecond=0)
    handoff = hand_off(make_lead(actors.team, owner=actors.sdr), actors.sdr, meeting_at=meeting)
    ics = api_for(actors.sdr).get(f"/api/handoffs/{handoff.pk}/meeting.ics")
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
    assert "attachment" in ics["Content-Disposition"]
    text = ics.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and f"DTSTART:{meeting.strftime('%Y%m%dT%H%M%SZ')}" in text
    response = api_for(actors.ae).post(
        f"/api/handoffs/{handoff.pk}/meeting/", {"outcome": "held"}, format="json"
    )
    assert response.status_code == 200 and response.json()["meeting_outcome"] == "held"
    assert (
        api_for(actors.sdr)
        .post(f"/api/handoffs/{handoff.pk}/meeting/", {"outcome": "held"}, format="json")
        .status_code
        == 403
    )
    assert (
        api_for(actors.ae)
        .post(f"/api/handoffs/{handoff.pk}/meeting/", {"outcome": "no_show"}, format="json")
        .status_code
        == 409
    )
    plain = hand_off(make_lead(actors.team, owner=actors.sdr), actors.sdr)
    assert api_for(actors.sdr).get(f"/api/handoffs/{plain.pk}/meeting.ics").status_code == 404


def test_opportunity_endpoints(actors, api_for, django_assert_max_num_queries):
    ae = api_for(actors.ae)
    created = ae.post("/api/opportunities/", {"name": "Nordic Bank", "amount": "75000"}, format="json")
    assert created.status_code == 201, created.data
    body = created.json()
    assert body["owner"] == actors.ae.pk and body["sourced_by"] is None and body["lead"] is None
    for amount in (1, 2, 3):
        ae.post(
            "/api/opportunities/",
            {"name": f"Deal {amount}", "amount": amount, "stage": "demo"},
            format="json",
        )
    with django_assert_max_num_queries(3):
        listing = ae.get("/api/opportunities/?stage=demo")
    assert listing.json()["count"] == 3
    moved = ae.patch(f"/api/opportunities/{body['id']}/", {"stage": "lost"}, format="json")
    assert moved.status_code == 400 and moved.json() == {"lost_reason": ["Say why it was lost."]}
    moved = ae.patch(f"/api/opportunities/{body['id']}/", {"stage": "won"}, format="json")
    assert moved.status_code == 200 and moved.json()["closed_at"] is not None
    assert (
        ae.patch(f"/api/opportunities/{body['id']}/", {"owner": actors.ae.pk}, format="json").status_code
        == 403
    )
    assert (
        api_for(actors.sdr).post("/api/opportunities/", {"name": "x", "amount": 1}, format="json").status_code
        == 403
    )
    assert ae.get("/api/opportunities/?stage=nope").status_code == 400


def test_rules_of_engagement_endpoint(actors, api_for):
    url = f"/api/teams/{actors.team.pk}/rules-of-engagement/"
    assert api_for(actors.sdr).get(url).json() == {
        "team": actors.team.pk, "required_fields": ["need", "timeline"], "sla_hours": 24,
        "updated_at": None, "updated_by": None,
    }  # fmt: skip
    response = api_for(actors.manager).patch(
        url, {"required_fields": ["budget"], "sla_hours": 12}, format="json"
    )
    assert response.status_code == 200
    assert (
        response.json()["required_fields"] == ["budget", "need", "timeline"]
        and response.json()["sla_hours"] == 12
    )
    assert api_for(actors.manager).patch(url, {"required_fields": ["x"]}, format="json").status_code == 400
    assert api_for(actors.sdr).patch(url, {"sla_hours": 1}, format="json").status_code == 403
    assert api_for(actors.other_manager).get(url).status_code == 404
    lead = make_lead(actors.team, owner=actors.sdr)
    refused = api_for(actors.sdr).post("/api/handoffs/", payload(lead, budget=""), format="json")
    assert refused.status_code == 400 and list(refused.json()) == ["budget"]


def test_the_whole_flow_through_the_api(actors, api_for):
    """SDR hands off, AE rejects, SDR fixes and hands off again, AE accepts, moves the deal to won."""
    lead = make_lead(actors.team, owner=actors.sdr)
    sdr, ae = api_for(actors.sdr), api_for(actors.ae)

    first = sdr.post("/api/handoffs/", payload(lead, budget="not discussed"), format="json").json()
    assert ae.get("/api/handoffs/?status=pending").json()["count"] == 1
    rejected = ae.post(
        f"/api/handoffs/{first['id']}/reject/", {"reason": "no_budget", "note": "Ask the CFO"}, format="json"
    )
    assert rejected.status_code == 200 and rejected.json()["reject_reason"] == "no_budget"
    assert Lead.objects.get(pk=lead.pk).status == "working"
    notifications = sdr.get("/api/notifications/").json()["results"]
    assert any("No budget" in n["title"] for n in notifications)

    second = sdr.post("/api/handoffs/", payload(lead, budget="€40k confirmed by the CFO"), format="json")
    assert second.status_code == 201
    opportunity = ae.post(
        f"/api/handoffs/{second.json()['id']}/accept/", {"amount": "40000"}, format="json"
    ).json()
    for stage in ("demo", "proposal", "negotiation", "won"):
        assert (
            ae.patch(f"/api/opportunities/{opportunity['id']}/", {"stage": stage}, format="json").status_code
            == 200
        )

    lead = Lead.objects.get(pk=lead.pk)
    assert (lead.status, lead.stage) == ("converted", "customer")
    assert sdr.get(f"/api/opportunities/{opportunity['id']}/").json()["stage"] == "won"  # the source reads it
    statuses = [row["status"] for row in sdr.get("/api/handoffs/").json()["results"]]
    assert statuses == ["accepted", "rejected"]
