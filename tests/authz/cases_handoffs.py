"""Handoffs, opportunities and the rules of engagement in the authorization matrix."""

import datetime

from django.utils import timezone

from handoffs import services
from tests.authz.matrix import Case, by_role
from tests.handoffs.factories import QUALIFICATION, make_lead


def build(world):
    actors = world.actors
    meeting = timezone.now() + datetime.timedelta(days=2)
    # A lead the SDR owns and may hand off; a pending handoff (with a meeting) for the AE to decide.
    world.objects["fresh_lead"] = make_lead(actors.team, owner=actors.sdr)
    world.objects["pending"] = services.handoff_create(
        by=actors.sdr, lead=make_lead(actors.team, owner=actors.sdr), next_step="demo", meeting_at=meeting,
        ae=actors.ae, **QUALIFICATION,
    )  # fmt: skip
    accepted = services.handoff_create(
        by=actors.sdr,
        lead=make_lead(actors.team, owner=actors.sdr),
        next_step="demo",
        ae=actors.ae,
        **QUALIFICATION,
    )
    world.objects["opportunity"] = services.handoff_accept(handoff=accepted, by=actors.ae, amount=1000)


def _decision_statuses(success: int) -> dict:
    # The creator sees the handoff but may not decide (403); the BDR never sees it (404).
    return by_role(
        sdr=403,
        bdr=404,
        ae=success,
        manager=success,
        admin=success,
        other_sdr=404,
        other_ae=404,
        other_manager=404,
    )


CASES = [
    Case(
        "handoff list",
        "get",
        lambda w: "/api/handoffs/?status=pending",
        by_role(sdr=200, ae=200, manager=200, admin=200),
    ),
    Case(
        "handoff create",
        "post",
        lambda w: "/api/handoffs/",
        # Only the lead's owner hands it off; the manager sees it (403), everyone else does not (404).
        by_role(
            sdr=201, bdr=404, ae=404, manager=403, admin=403, other_sdr=404, other_ae=404, other_manager=404
        ),
        data=lambda w: {"lead": w.fresh_lead.pk, "next_step": "demo", **QUALIFICATION},
    ),
    Case(
        "handoff detail",
        "get",
        lambda w: f"/api/handoffs/{w.pending.pk}/",
        by_role(
            sdr=200, bdr=404, ae=200, manager=200, admin=200, other_sdr=404, other_ae=404, other_manager=404
        ),
    ),
    Case(
        "handoff accept",
        "post",
        lambda w: f"/api/handoffs/{w.pending.pk}/accept/",
        _decision_statuses(201),
        data=lambda w: {"amount": "12000"},
    ),
    Case(
        "handoff reject",
        "post",
        lambda w: f"/api/handoffs/{w.pending.pk}/reject/",
        _decision_statuses(200),
        data=lambda w: {"reason": "no_budget", "note": "Frozen"},
    ),
    Case(
        "handoff meeting outcome",
        "post",
        lambda w: f"/api/handoffs/{w.pending.pk}/meeting/",
        _decision_statuses(200),
        data=lambda w: {"outcome": "held"},
    ),
    Case(
        "handoff meeting invitation",
        "get",
        lambda w: f"/api/handoffs/{w.pending.pk}/meeting.ics",
        by_role(
            sdr=200, bdr=404, ae=200, manager=200, admin=200, other_sdr=404, other_ae=404, other_manager=404
        ),
    ),
    Case(
        "opportunity list",
        "get",
        lambda w: "/api/opportunities/",
        by_role(sdr=200, ae=200, manager=200, admin=200),
    ),
    Case(
        "opportunity create",
        "post",
        lambda w: "/api/opportunities/",
        # An AE opens their own; a manager or admin names the AE; SDRs read only.
        by_role(sdr=403, ae=201, manager=201, admin=201, other_ae=403, other_manager=400),
        data=lambda w: {"name": "Direct deal", "amount": "500", "owner": w.actors.ae.pk},
    ),
    Case(
        "opportunity detail",
        "get",
        lambda w: f"/api/opportunities/{w.opportunity.pk}/",
        # The sourcing SDR reads it; the BDR did not source it.
        by_role(
            sdr=200, bdr=404, ae=200, manager=200, admin=200, other_sdr=404, other_ae=404, other_manager=404
        ),
    ),
    Case(
        "opportunity stage move",
        "patch",
        lambda w: f"/api/opportunities/{w.opportunity.pk}/",
        by_role(
            sdr=403, bdr=404, ae=200, manager=200, admin=200, other_sdr=404, other_ae=404, other_manager=404
        ),
        data=lambda w: {"stage": "demo"},
    ),
    Case(
        "rules of engagement read",
        "get",
        lambda w: f"/api/teams/{w.actors.team.pk}/rules-of-engagement/",
        by_role(sdr=200, ae=200, manager=200, admin=200, other_sdr=404, other_ae=404, other_manager=404),
    ),
    Case(
        "rules of engagement edit",
        "patch",
        lambda w: f"/api/teams/{w.actors.team.pk}/rules-of-engagement/",
        by_role(sdr=403, ae=403, manager=200, admin=200, other_sdr=404, other_ae=404, other_manager=404),
        data=lambda w: {"required_fields": ["budget"], "sla_hours": 12},
    ),
]
