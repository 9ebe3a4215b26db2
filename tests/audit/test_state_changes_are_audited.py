"""Every state change of a lead, enrollment, handoff, opportunity, team, ICP and user leaves an audit row
(or a timeline row, for the lead's own workflow) naming who and when."""

import datetime
from decimal import Decimal

from django.utils import timezone

from cadences.models import Enrollment
from cadences.services import (
    cadence_create,
    cadence_enroll,
    enrollment_exit,
    enrollment_pause,
    enrollment_resume,
)
from handoffs.services import handoff_accept, handoff_reject, opportunity_update, rules_update
from leads import services as lead_services
from leads.models import IcpProfile
from sdrcrm.accounts import services as account_services
from sdrcrm.accounts.models import User
from sdrcrm.audit.models import AuditEvent
from tests.cadences.factories import CadenceFactory, LeadFactory, add_steps
from tests.handoffs.factories import hand_off, make_lead


def _events(**filters):
    return list(
        AuditEvent.objects.filter(**filters)
        .order_by("pk")
        .values_list("action", "actor_id", "team_id", "target_id", "changes")
    )


def test_a_lead_edit_records_who_changed_which_fields_from_what_to_what(actors):
    lead = LeadFactory(team=actors.team, owner=actors.sdr, title="CTO", phone="")

    lead_services.lead_update(lead=lead, by=actors.sdr, values={"title": "CEO", "phone": "+372 5123 4567"})

    assert _events(target_type="lead") == [
        (
            "lead.updated",
            actors.sdr.pk,
            actors.team.pk,
            lead.pk,
            {"title": ["CTO", "CEO"], "phone": ["", "+37251234567"]},
        )
    ]
    assert AuditEvent.objects.get().created_at <= timezone.now()


def test_deleting_a_lead_leaves_a_row_naming_it(actors):
    lead = LeadFactory(team=actors.team, first_name="Ann", last_name="Lee")
    lead_id = lead.pk

    lead_services.lead_delete(lead=lead, by=actors.manager)

    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.target_id, event.target_label) == (
        "lead.deleted", actors.manager, lead_id, "Ann Lee",
    )  # fmt: skip


def test_enrollment_pause_resume_and_exit_are_audited(actors):
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("email", 1))
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=actors.sdr)
    enrollment = Enrollment.objects.get(lead=lead)
    back = timezone.now() + datetime.timedelta(days=3)

    enrollment_pause(enrollment=enrollment, by=actors.sdr)
    enrollment_pause(enrollment=enrollment, by=actors.manager, resume_at=back)
    enrollment_resume(enrollment=enrollment, by=actors.sdr)
    enrollment_exit(enrollment=enrollment, reason="manual", by=actors.manager)

    assert _events(target_type="enrollment") == [
        ("enrollment.paused", actors.sdr.pk, actors.team.pk, enrollment.pk, {"state": ["active", "paused"]}),
        (
            "enrollment.resume_date_changed",
            actors.manager.pk,
            actors.team.pk,
            enrollment.pk,
            {"resume_at": [None, back.isoformat()]},
        ),
        ("enrollment.resumed", actors.sdr.pk, actors.team.pk, enrollment.pk, {"state": ["paused", "active"]}),
        (
            "enrollment.exited",
            actors.manager.pk,
            actors.team.pk,
            enrollment.pk,
            {"state": ["open", "exited"], "exit_reason": [None, "manual"]},
        ),
    ]


def test_handoff_decisions_and_opportunity_edits_are_audited(actors):
    accepted = hand_off(make_lead(actors.team, owner=actors.sdr), by=actors.sdr, ae=actors.ae)
    rejected = hand_off(make_lead(actors.team, owner=actors.sdr), by=actors.sdr, ae=actors.ae)

    opportunity = handoff_accept(handoff=accepted, by=actors.ae, amount=Decimal("1000"))
    handoff_reject(handoff=rejected, by=actors.ae, reason="not_icp")
    opportunity_update(
        opportunity=opportunity, by=actors.manager, amount=Decimal("2500.50"), name="Acme expansion"
    )

    assert _events(target_type="handoff") == [
        (
            "handoff.accepted",
            actors.ae.pk,
            actors.team.pk,
            accepted.pk,
            {"opportunity": [None, opportunity.pk]},
        ),
        ("handoff.rejected", actors.ae.pk, actors.team.pk, rejected.pk, {"reject_reason": [None, "not_icp"]}),
    ]
    assert _events(target_type="opportunity") == [
        (
            "opportunity.updated",
            actors.manager.pk,
            actors.team.pk,
            opportunity.pk,
            {"amount": ["1000.00", "2500.50"], "name": [opportunity.name, "Acme expansion"]},
        )
    ]


def test_team_settings_rules_and_api_key_rotation_are_audited_without_the_key(actors):
    account_services.team_update(team=actors.team, by=actors.manager, mql_threshold=75)
    rules_update(team=actors.team, by=actors.manager, required_fields=["need"], sla_hours=12)
    raw_key = account_services.team_rotate_api_key(team=actors.team, by=actors.manager)

    events = _events(team_id=actors.team.pk)
    assert [event[:2] for event in events] == [
        ("team.updated", actors.manager.pk),
        ("team.updated", actors.manager.pk),
        ("team.rules_updated", actors.manager.pk),
        ("team.api_key_rotated", actors.manager.pk),
    ]
    assert events[0][4] == {"mql_threshold": [60, 75]}
    assert events[1][4] == {"handoff_sla_hours": [24, 12]}
    assert events[2][4]["handoff_sla_hours"] == [24, 12]
    stored = AuditEvent.objects.filter(team=actors.team).values_list("changes", "target_label")
    assert raw_key not in str(list(stored))
    assert actors.team.api_key_prefix not in str(list(stored))


def test_icp_edits_are_audited(actors):
    profile = lead_services.icp_profile_create(
        team=actors.team, by=actors.manager, values={"name": "Mid-market"}
    )
    lead_services.icp_profile_update(profile=profile, by=actors.manager, values={"employee_min": 50})
    lead_services.icp_profile_delete(profile=IcpProfile.objects.get(pk=profile.pk), by=actors.admin)

    events = _events(target_type="icpprofile")
    assert [event[:2] for event in events] == [
        ("icp.created", actors.manager.pk),
        ("icp.updated", actors.manager.pk),
        ("icp.deleted", actors.admin.pk),
    ]
    assert events[1][4] == {"employee_min": [None, 50]}


def test_user_role_team_and_away_changes_are_audited_and_passwords_never(actors):
    away = timezone.localdate() + datetime.timedelta(days=5)

    account_services.user_update(user=actors.sdr, by=actors.manager, away_until=away)
    account_services.user_update(user=actors.bdr, by=actors.admin, role="sdr", team=actors.other_team)
    account_services.user_create(
        username="new", password="a-long-enough-secret-9", role="ae", team=actors.team
    )

    assert _events(target_type="user") == [
        (
            "user.updated",
            actors.manager.pk,
            actors.team.pk,
            actors.sdr.pk,
            {"away_until": [None, away.isoformat()]},
        ),
        (
            "user.updated",
            actors.admin.pk,
            actors.other_team.pk,
            actors.bdr.pk,
            {"role": ["bdr", "sdr"], "team": [actors.team.pk, actors.other_team.pk]},
        ),
        ("user.created", None, actors.team.pk, User.objects.get(username="new").pk, {"role": [None, "ae"]}),
    ]
    assert "a-long-enough-secret-9" not in str(list(AuditEvent.objects.values_list("changes", flat=True)))


def test_cadence_edits_are_audited(actors):
    cadence = cadence_create(team=actors.team, by=actors.manager, name="Outbound", steps=[])

    events = _events(target_type="cadence")
    assert events == [
        ("cadence.created", actors.manager.pk, actors.team.pk, cadence.pk, {"steps": [None, 0]})
    ]
