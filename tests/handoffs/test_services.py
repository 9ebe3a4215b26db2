"""Handoff and opportunity services: every rule, every refusal (and on refusal, nothing changed)."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from cadences.models import Enrollment
from cadences.services import cadence_enroll
from handoffs import services
from handoffs.models import (
    AeRoutingPointer,
    Handoff,
    Opportunity,
    OpportunityStageChange,
    RulesOfEngagement,
)
from leads.models import Activity
from sdrcrm.accounts.models import Notification, Role
from sdrcrm.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from tests.cadences.factories import CadenceFactory, add_steps
from tests.factories import UserFactory
from tests.handoffs.factories import QUALIFICATION, hand_off, make_lead

pytestmark = pytest.mark.django_db


def world_state(*leads):
    return {
        "handoffs": list(
            Handoff.objects.order_by("pk").values_list("pk", "status", "decided_at", "sla_breached_at")
        ),
        "opportunities": list(
            Opportunity.objects.order_by("pk").values_list("pk", "stage", "amount", "closed_at")
        ),
        "activities": Activity.objects.count(),
        "notifications": Notification.objects.count(),
        "pointer": list(AeRoutingPointer.objects.values_list("last_ae_id", "routed_count")),
        "leads": [
            (lead.pk, *type(lead).objects.filter(pk=lead.pk).values_list("status", "stage", "sql_at")[0])
            for lead in leads
        ],
        "mail": len(mail.outbox),
    }


@pytest.fixture
def lead(actors):
    return make_lead(actors.team, owner=actors.sdr)


# handoff_create -------------------------------------------------------------------------------


def test_handoff_makes_the_lead_a_handed_off_sql_and_tells_the_ae(actors, lead):
    handoff = hand_off(lead, actors.sdr)

    lead.refresh_from_db()
    assert (lead.status, lead.stage) == ("handed_off", "sql")
    assert lead.sql_at == handoff.created_at
    assert handoff.status == "pending"
    assert handoff.ae == actors.ae and handoff.routed is True
    assert handoff.sdr == actors.sdr and handoff.team == actors.team
    assert handoff.sla_due_at == handoff.created_at + datetime.timedelta(hours=24)
    assert handoff.icp_score == 80 and handoff.icp_grade == "A"
    assert handoff.icp_matched == ["industry", "employee_count", "title"]
    assert handoff.need == QUALIFICATION["need"]
    events = list(Activity.objects.filter(lead=lead).values_list("kind", "data__event"))
    assert ("system", "handoff_created") in events
    assert ("status", None) in events and ("stage", None) in events
    note = Notification.objects.get(user=actors.ae)
    assert note.kind == "handoff_new" and note.url == f"/handoffs/#handoff-{handoff.pk}"
    assert mail.outbox == []  # no meeting booked, no invitation


def test_handoff_exits_the_leads_cadence_as_handed_off(actors, lead):
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("email", 0), ("call", 2))
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=actors.sdr)
    assert Enrollment.objects.get(lead=lead).state == "active"

    hand_off(lead, actors.sdr)

    enrollment = Enrollment.objects.get(lead=lead)
    assert (enrollment.state, enrollment.exit_reason) == ("exited", "handed_off")


def test_handoff_calls_the_cadence_exit_with_handed_off(actors, lead, monkeypatch):
    calls = []
    monkeypatch.setattr(services, "enrollments_exit_for_lead", lambda **kw: calls.append(kw) or 0)
    hand_off(lead, actors.sdr)
    assert calls == [{"lead": lead, "reason": "handed_off", "by": actors.sdr}]


def test_handoff_with_a_meeting_emails_the_ae_an_invitation_after_commit(
    actors, lead, django_capture_on_commit_callbacks
):
    meeting = timezone.now() + datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        handoff = hand_off(lead, actors.sdr, meeting_at=meeting)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [actors.ae.email]
    (name, content, mimetype) = message.attachments[0]
    assert name == "invite.ics" and mimetype.startswith("text/calendar")
    assert f"UID:handoff-{handoff.pk}@sdrcrm" in content
    assert services.handoff_email_ae(handoff_id=handoff.pk) is False  # a repeat sends nothing
    assert len(mail.outbox) == 1


def test_handoff_to_a_chosen_ae(actors, lead):
    second = UserFactory(role=Role.AE, team=actors.team)
    handoff = hand_off(lead, actors.sdr, ae=second)
    assert handoff.ae == second and handoff.routed is False
    assert not AeRoutingPointer.objects.exists()


@pytest.mark.parametrize("who", ["bdr", "other_sdr", "ae"])
def test_handoff_of_a_lead_one_cannot_see_is_404_and_changes_nothing(actors, lead, who):
    before = world_state(lead)
    with pytest.raises(NotFound):
        hand_off(lead, getattr(actors, who))
    assert world_state(lead) == before


def test_handoff_of_a_lead_someone_else_owns_is_403(actors, lead):
    before = world_state(lead)
    with pytest.raises(NotAllowed):
        hand_off(lead, actors.manager)
    assert world_state(lead) == before


def test_a_second_pending_handoff_of_a_lead_is_409(actors, lead):
    first = hand_off(lead, actors.sdr)
    before = world_state(lead)
    with pytest.raises(Conflict) as error:
        hand_off(lead, actors.sdr)
    assert error.value.extra == {"pending_handoff": first.pk}
    assert world_state(lead) == before


@pytest.mark.parametrize("status", ["disqualified", "converted"])
def test_a_closed_lead_cannot_be_handed_off(actors, status):
    lead = make_lead(actors.team, owner=actors.sdr, status=status)
    before = world_state(lead)
    with pytest.raises(Conflict):
        hand_off(lead, actors.sdr)
    assert world_state(lead) == before


@pytest.mark.parametrize("field", ["need", "timeline"])
def test_need_and_timeline_are_always_required(actors, lead, field):
    before = world_state(lead)
    with pytest.raises(ValidationFailed) as error:
        hand_off(lead, actors.sdr, **{field: "  "})
    assert error.value.field == field
    assert world_state(lead) == before


def test_the_rules_of_engagement_add_required_fields(actors, lead):
    services.rules_update(team=actors.team, by=actors.manager, required_fields=["budget", "meeting_at"])
    before = world_state(lead)
    with pytest.raises(ValidationFailed) as error:
        hand_off(lead, actors.sdr, budget="")
    assert error.value.field == "budget"
    with pytest.raises(ValidationFailed) as error:
        hand_off(lead, actors.sdr)
    assert error.value.field == "meeting_at"
    assert world_state(lead) == before
    hand_off(lead, actors.sdr, meeting_at=timezone.now() + datetime.timedelta(days=1))


def test_bad_next_step_past_meeting_and_unavailable_ae_are_400(actors, lead):
    away = UserFactory(role=Role.AE, team=actors.team, away_until=timezone.localdate())
    inactive = UserFactory(role=Role.AE, team=actors.team, is_active=False)
    before = world_state(lead)
    cases = [
        ({"next_step": "lunch"}, "next_step"),
        ({"meeting_at": timezone.now() - datetime.timedelta(hours=1)}, "meeting_at"),
        ({"ae": away}, "ae"),
        ({"ae": inactive}, "ae"),
        ({"ae": actors.other_ae}, "ae"),
        ({"ae": actors.manager}, "ae"),
    ]
    for overrides, field in cases:
        with pytest.raises(ValidationFailed) as error:
            hand_off(lead, actors.sdr, **overrides)
        assert error.value.field == field
    assert world_state(lead) == before


def test_no_available_ae_is_400(actors, lead):
    actors.ae.away_until = timezone.localdate() + datetime.timedelta(days=3)
    actors.ae.save()
    before = world_state(lead)
    with pytest.raises(ValidationFailed) as error:
        hand_off(lead, actors.sdr)
    assert error.value.field == "ae"
    assert world_state(lead) == before


# routing --------------------------------------------------------------------------------------


def test_round_robin_is_fair_over_many_handoffs_and_skips_away_and_inactive_aes(actors):
    aes = [actors.ae, *(UserFactory(role=Role.AE, team=actors.team) for _ in range(3))]
    away = UserFactory(
        role=Role.AE, team=actors.team, away_until=timezone.localdate() + datetime.timedelta(days=1)
    )
    inactive = UserFactory(role=Role.AE, team=actors.team, is_active=False)
    counts = dict.fromkeys(ae.pk for ae in aes)
    counts = dict.fromkeys(counts, 0)
    order = []
    for _ in range(40):
        handoff = hand_off(make_lead(actors.team, owner=actors.sdr), actors.sdr)
        counts[handoff.ae_id] += 1
        order.append(handoff.ae_id)
    assert set(counts.values()) == {10}
    assert order[:4] == sorted(ae.pk for ae in aes)  # ids ascending, then round again
    assert not Handoff.objects.filter(ae__in=[away, inactive]).exists()
    assert AeRoutingPointer.objects.get(team=actors.team).routed_count == 40


def test_an_ae_back_from_leave_rejoins_the_round(actors):
    second = UserFactory(role=Role.AE, team=actors.team, away_until=timezone.localdate())
    first_round = [hand_off(make_lead(actors.team, owner=actors.sdr), actors.sdr).ae for _ in range(2)]
    assert first_round == [actors.ae, actors.ae]
    second.away_until = timezone.localdate() - datetime.timedelta(days=1)
    second.save()
    assert hand_off(make_lead(actors.team, owner=actors.sdr), actors.sdr).ae == second


# accept / reject ------------------------------------------------------------------------------


def test_accept_opens_an_opportunity_sourced_by_the_sdr_and_converts_the_lead(actors, lead):
    handoff = hand_off(lead, actors.sdr)
    opportunity = services.handoff_accept(
        handoff=handoff, by=actors.ae, amount="24000", expected_close=datetime.date(2027, 3, 31)
    )
    handoff.refresh_from_db()
    lead.refresh_from_db()
    assert handoff.status == "accepted" and handoff.decided_by == actors.ae and handoff.decided_at
    assert opportunity.sourced_by == actors.sdr and opportunity.owner == actors.ae
    assert opportunity.amount == Decimal("24000.00") and opportunity.stage == "discovery"
    assert opportunity.handoff == handoff and opportunity.lead == lead and opportunity.team == actors.team
    assert opportunity.name == lead.company
    assert (lead.status, lead.stage) == ("converted", "opportunity") and lead.opportunity_at
    assert Notification.objects.filter(user=actors.sdr, kind="handoff_decided").count() == 1
    assert Activity.objects.filter(lead=lead, data__event="handoff_accepted").count() == 1
    assert list(OpportunityStageChange.objects.values_list("from_stage", "to_stage")) == [("", "discovery")]


def test_a_manager_may_decide_and_the_opportunity_stays_with_the_assigned_ae(actors, lead):
    handoff = hand_off(lead, actors.sdr)
    opportunity = services.handoff_accept(handoff=handoff, by=actors.manager, amount=1000)
    assert opportunity.owner == actors.ae


def test_a_second_decision_is_409_and_changes_nothing(actors, lead):
    handoff = hand_off(lead, actors.sdr)
    services.handoff_accept(handoff=handoff, by=actors.ae, amount=100)
    before = world_state(lead)
    with pytest.raises(Conflict) as error:
        services.handoff_reject(handoff=handoff, by=actors.manager, reason="no_budget")
    assert error.value.code == "already_decided"
    with pytest.raises(Conflict):
        services.handoff_accept(handoff=handoff, by=actors.ae, amount=100)
    assert world_state(lead) == before


@pytest.mark.parametrize(
    ("who", "error"),
    [("sdr", NotAllowed), ("bdr", NotFound), ("other_ae", NotFound), ("other_manager", NotFound)],
)
def test_only_the_assigned_ae_or_a_manager_decides(actors, lead, who, error):
    handoff = hand_off(lead, actors.sdr)
    before = world_state(lead)
    with pytest.raises(error):
        services.handoff_accept(handoff=handoff, by=getattr(actors, who), amount=100)
    with pytest.raises(error):
        services.handoff_reject(handoff=handoff, by=getattr(actors, who), reason="other")
    assert world_state(lead) == before


def test_another_ae_of_the_team_cannot_see_the_handoff(actors, lead):
    handoff = hand_off(lead, actors.sdr)
    colleague = UserFactory(role=Role.AE, team=actors.team)
    with pytest.raises(NotFound):
        services.handoff_accept(handoff=handoff, by=colleague, amount=100)


@pytest.mark.parametrize("amount", ["-1", "abc", None, "1e20"])
def test_accept_needs_a_sane_amount(actors, lead, amount):
    handoff = hand_off(lead, actors.sdr)
    before = world_state(lead)
    with pytest.raises(ValidationFailed) as error:
        services.handoff_accept(handoff=handoff, by=actors.ae, amount=amount)
    assert error.value.field == "amount"
    assert world_state(lead) == before


def test_reject_sends_the_lead_back_to_its_sdr_with_the_reason(actors, lead):
    handoff = hand_off(lead, actors.sdr)
    services.handoff_reject(
        handoff=handoff, by=actors.ae, reason="no_budget", note="Budget frozen until 2027"
    )
    handoff.refresh_from_db()
    lead.refresh_from_db()
    assert (handoff.status, handoff.reject_reason, handoff.reject_note) == (
        "rejected",
        "no_budget",
        "Budget frozen until 2027",
    )
    assert (lead.status, lead.stage, lead.owner) == ("working", "sql", actors.sdr)
    note = Notification.objects.get(user=actors.sdr, kind="handoff_decided")
    assert "No budget" in note.title and note.body == "Budget frozen until 2027"
    row = Activity.objects.get(lead=lead, data__event="handoff_rejected")
    assert row.data["icp_matched"] == ["industry", "employee_count", "title"]
    assert row.data["reason"] == "no_budget"
    assert handoff.icp_snapshot[2]["matched"] is False  # the disagreement data stays on the handoff


def test_reject_needs_a_known_reason(actors, lead):
    handoff = hand_off(lead, actors.sdr)
    before = world_state(lead)
    with pytest.raises(ValidationFailed) as error:
        services.handoff_reject(handoff=handoff, by=actors.ae, reason="dislike")
    assert error.value.field == "reason"
    assert world_state(lead) == before


def test_after_a_rejection_the_sdr_fixes_and_hands_off_again(actors, lead):
    first = hand_off(lead, actors.sdr)
    services.handoff_reject(handoff=first, by=actors.ae, reason="insufficient_info")
    second = hand_off(lead, actors.sdr, budget="€60k signed off by the CFO")
    assert second.status == "pending" and second.pk != first.pk
    lead.refresh_from_db()
    assert lead.status == "handed_off"
    assert Handoff.objects.filter(lead=lead).count() == 2


def test_deciding_after_the_sla_marks_the_breach(actors, lead):
    handoff = hand_off(lead, actors.sdr)
    later = handoff.sla_due_at + datetime.timedelta(minutes=5)
    services.handoff_reject(handoff=handoff, by=actors.ae, reason="bad_timing", now=later)
    handoff.refresh_from_db()
    assert handoff.sla_breached_at == later and handoff.sla_breached


# meeting outcomes -----------------------------------------------------------------------------


def test_meeting_outcome_is_recorded_and_credited_to_the_sdr(actors, lead):
    handoff = hand_off(lead, actors.sdr, meeting_at=timezone.now() + datetime.timedelta(days=1))
    new_time = timezone.now() + datetime.timedelta(days=3)
    services.handoff_record_meeting(handoff=handoff, by=actors.ae, outcome="rescheduled", meeting_at=new_time)
    services.handoff_record_meeting(handoff=handoff, by=actors.ae, outcome="held", note="Great demo")
    handoff.refresh_from_db()
    assert (handoff.meeting_outcome, handoff.meeting_outcome_note, handoff.meeting_at) == (
        "held",
        "Great demo",
        new_time,
    )
    row = Activity.objects.filter(lead=lead, kind="meeting").first()
    assert row.data == {
        "event": "handoff_meeting",
        "handoff": handoff.pk,
        "outcome": "held",
        "credited_to": actors.sdr.pk,
    }
    before = world_state(lead)
    with pytest.raises(Conflict):
        services.handoff_record_meeting(handoff=handoff, by=actors.ae, outcome="no_show")
    assert world_state(lead) == before


def test_meeting_outcome_refusals(actors, lead):
    handoff = hand_off(lead, actors.sdr)
    before = world_state(lead)
    with pytest.raises(ValidationFailed) as error:
        services.handoff_record_meeting(handoff=handoff, by=actors.ae, outcome="held")
    assert error.value.field == "outcome"  # no meeting booked
    with pytest.raises(ValidationFailed):
        services.handoff_record_meeting(handoff=handoff, by=actors.ae, outcome="party")
    with pytest.raises(NotAllowed):
        services.handoff_record_meeting(handoff=handoff, by=actors.sdr, outcome="held")
    assert world_state(lead) == before


# SLA ------------------------------------------------------------------------------------------


def test_sla_breach_is_flagged_and_notified_exactly_once(actors, lead, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), tick=False)
    handoff = hand_off(lead, actors.sdr)
    time_machine.move_to(datetime.datetime(2026, 11, 3, 8, 59, tzinfo=datetime.UTC), tick=False)
    assert services.handoff_sla_sweep() == 0
    time_machine.move_to(datetime.datetime(2026, 11, 3, 9, 0, 30, tzinfo=datetime.UTC), tick=False)
    assert services.handoff_sla_sweep() == 1
    assert services.handoff_sla_sweep() == 0
    time_machine.move_to(datetime.datetime(2026, 11, 3, 12, 0, tzinfo=datetime.UTC), tick=False)
    assert services.handoff_sla_sweep() == 0
    handoff.refresh_from_db()
    assert handoff.sla_breached_at == datetime.datetime(2026, 11, 3, 9, 0, 30, tzinfo=datetime.UTC)
    breaches = Notification.objects.filter(kind="sla_breach")
    assert sorted(breaches.values_list("user__username", flat=True)) == ["dmitri", "maria"]
    assert Activity.objects.filter(lead=lead, data__event="handoff_sla_breached").count() == 1


def test_the_sla_sweep_ignores_decided_handoffs(actors, lead):
    handoff = hand_off(lead, actors.sdr)
    services.handoff_accept(handoff=handoff, by=actors.ae, amount=1)
    assert services.handoff_sla_sweep(now=handoff.sla_due_at + datetime.timedelta(hours=1)) == 0
    assert not Notification.objects.filter(kind="sla_breach").exists()


def test_the_sla_follows_the_teams_hours(actors, lead):
    services.rules_update(team=actors.team, by=actors.manager, sla_hours=4)
    handoff = hand_off(lead, actors.sdr)
    assert handoff.sla_due_at - handoff.created_at == datetime.timedelta(hours=4)


# rules of engagement --------------------------------------------------------------------------


def test_rules_update_by_a_manager_and_refusals(actors):
    rules = services.rules_update(
        team=actors.team, by=actors.manager, required_fields=["users", "budget"], sla_hours=8
    )
    assert rules.required_fields == ["budget", "users"]
    assert rules.effective_required_fields == ["budget", "need", "timeline", "users"]
    actors.team.refresh_from_db()
    assert actors.team.handoff_sla_hours == 8
    for who in ("sdr", "ae", "other_manager"):
        with pytest.raises(NotAllowed):
            services.rules_update(team=actors.team, by=getattr(actors, who), sla_hours=2)
    with pytest.raises(ValidationFailed) as error:
        services.rules_update(team=actors.team, by=actors.manager, required_fields=["shoe_size"])
    assert error.value.field == "required_fields"
    with pytest.raises(ValidationFailed) as error:
        services.rules_update(team=actors.team, by=actors.manager, sla_hours=0)
    assert error.value.field == "sla_hours"
    assert RulesOfEngagement.objects.get(team=actors.team).required_fields == ["budget", "users"]
    actors.team.refresh_from_db()
    assert actors.team.handoff_sla_hours == 8


# opportunities --------------------------------------------------------------------------------


def test_an_ae_opens_an_opportunity_with_no_sdr_source(actors):
    opportunity = services.opportunity_create(
        by=actors.ae, name="Inbound referral: Nordic Bank", amount="50000"
    )
    assert opportunity.owner == actors.ae and opportunity.sourced_by is None and opportunity.lead is None
    assert opportunity.team == actors.team and opportunity.stage == "discovery"


def test_opportunity_create_refusals(actors):
    before = world_state()
    with pytest.raises(NotAllowed):
        services.opportunity_create(by=actors.sdr, name="x", amount=1)
    with pytest.raises(NotAllowed):
        services.opportunity_create(
            by=actors.ae, name="x", amount=1, owner=UserFactory(role=Role.AE, team=actors.team)
        )
    with pytest.raises(ValidationFailed) as error:
        services.opportunity_create(by=actors.manager, name="x", amount=1)
    assert error.value.field == "owner"
    with pytest.raises(ValidationFailed) as error:
        services.opportunity_create(by=actors.manager, name="x", amount=1, owner=actors.other_ae)
    assert error.value.field == "owner"
    with pytest.raises(ValidationFailed) as error:
        services.opportunity_create(by=actors.ae, name="x", amount=1, sourced_by=actors.other_sdr)
    assert error.value.field == "sourced_by"
    with pytest.raises(ValidationFailed) as error:
        services.opportunity_create(by=actors.ae, name=" ", amount=1)
    assert error.value.field == "name"
    with pytest.raises(ValidationFailed) as error:
        services.opportunity_create(by=actors.ae, name="x", amount=1, stage="lost")
    assert error.value.field == "lost_reason"
    with pytest.raises(ValidationFailed) as error:
        services.opportunity_create(by=actors.ae, name="x", amount=1, lead=make_lead(actors.other_team))
    assert error.value.field == "lead"
    assert world_state() == before


def test_stage_moves_leave_rows_and_won_makes_the_lead_a_customer(actors, lead):
    handoff = hand_off(lead, actors.sdr)
    opportunity = services.handoff_accept(handoff=handoff, by=actors.ae, amount=1000)
    for stage in ("demo", "proposal", "negotiation", "won"):
        opportunity = services.opportunity_update(opportunity=opportunity, by=actors.ae, stage=stage)
    lead.refresh_from_db()
    assert lead.stage == "customer" and lead.customer_at
    assert opportunity.closed_at and opportunity.reached_stage2_at
    assert list(
        OpportunityStageChange.objects.filter(opportunity=opportunity).values_list("to_stage", flat=True)
    ) == [
        "discovery",
        "demo",
        "proposal",
        "negotiation",
        "won",
    ]
    moves = Activity.objects.filter(lead=lead, data__event="opportunity_stage")
    assert moves.count() == 4


def test_lost_needs_a_reason_and_reopening_clears_closed_at(actors):
    opportunity = services.opportunity_create(by=actors.ae, name="Deal", amount=5)
    before = world_state()
    with pytest.raises(ValidationFailed) as error:
        services.opportunity_update(opportunity=opportunity, by=actors.ae, stage="lost")
    assert error.value.field == "lost_reason"
    assert world_state() == before
    opportunity = services.opportunity_update(
        opportunity=opportunity, by=actors.ae, stage="lost", lost_reason="Chose a competitor"
    )
    assert opportunity.closed_at and opportunity.reached_stage2_at is None
    opportunity = services.opportunity_update(opportunity=opportunity, by=actors.ae, stage="negotiation")
    assert opportunity.closed_at is None and opportunity.reached_stage2_at


def test_opportunity_update_permissions(actors, lead):
    opportunity = services.handoff_accept(handoff=hand_off(lead, actors.sdr), by=actors.ae, amount=10)
    before = world_state(lead)
    with pytest.raises(NotAllowed):
        services.opportunity_update(opportunity=opportunity, by=actors.sdr, stage="demo")
    with pytest.raises(NotAllowed):
        services.opportunity_update(opportunity=opportunity, by=actors.ae, sourced_by=None)
    with pytest.raises(NotFound):
        services.opportunity_update(opportunity=opportunity, by=actors.bdr, stage="demo")
    with pytest.raises(NotFound):
        services.opportunity_update(opportunity=opportunity, by=actors.other_manager, stage="demo")
    assert world_state(lead) == before
    services.opportunity_update(opportunity=opportunity, by=actors.manager, sourced_by=actors.bdr)
    opportunity.refresh_from_db()
    assert opportunity.sourced_by == actors.bdr


def test_a_new_deal_cannot_be_expected_to_close_in_the_past(actors, lead):
    handoff = hand_off(lead, actors.sdr)
    with pytest.raises(ValidationFailed) as refused:
        services.handoff_accept(
            handoff=handoff, by=actors.ae, amount="5000", expected_close=datetime.date(2020, 1, 1)
        )
    assert refused.value.field == "expected_close"
    with pytest.raises(ValidationFailed):
        services.opportunity_create(
            by=actors.ae, name="Old deal", amount="5000", expected_close=datetime.date(2020, 1, 1)
        )
    assert not Opportunity.objects.exists()
    handoff.refresh_from_db()
    assert handoff.status == "pending"
