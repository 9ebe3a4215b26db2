"""Rows for the metrics tests, written straight to the other apps' models with exact timestamps.

`march_world(actors)` is the hand-built data set of tests/metrics: the expected figures are written
out by hand in the tests that use it (see the table in test_funnel.py), never recomputed.
"""

import datetime
import itertools
from decimal import Decimal
from types import SimpleNamespace

from cadences.models import Cadence, EmailEvent, Enrollment, Step, Touch
from handoffs.models import Handoff, Opportunity
from leads.models import Activity, Lead
from sdrcrm.accounts.models import Role
from tests.factories import UserFactory

UTC = datetime.UTC
_numbers = itertools.count(1)


def at(text: str) -> datetime.datetime:
    """'2026-03-02 09:00' in UTC."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


def make_lead(team, owner=None, *, created, first_touch=None, mql=None, **fields) -> Lead:
    number = next(_numbers)
    values = {
        "team": team,
        "owner": owner,
        "first_name": "Liis",
        "last_name": f"Mets {number}",
        "email": f"liis{number}@metrics{number}.example",
        "company": f"Metrics {number} OÜ",
        "created_at": at(created),
        "first_touch_at": at(first_touch) if first_touch else None,
        "mql_at": at(mql) if mql else None,
    }
    values.update(fields)
    return Lead.objects.create(**values)


def make_handoff(lead, sdr, ae, *, created, status="pending", decided=None, reason="", **fields) -> Handoff:
    created_at = at(created)
    values = {
        "team_id": lead.team_id,
        "lead": lead,
        "sdr": sdr,
        "ae": ae,
        "status": status,
        "next_step": "demo",
        "need": "Follow-up discipline",
        "timeline": "This quarter",
        "created_at": created_at,
        "sla_due_at": created_at + datetime.timedelta(hours=24),
        "decided_at": at(decided) if decided else None,
        "reject_reason": reason,
    }
    for key in ("meeting_at", "meeting_outcome_at"):
        if isinstance(fields.get(key), str):
            fields[key] = at(fields[key])
    values.update(fields)
    return Handoff.objects.create(**values)


def make_opportunity(
    team, owner, *, amount, created, stage="discovery", closed=None, sourced_by=None, **fields
):
    values = {
        "team": team,
        "owner": owner,
        "sourced_by": sourced_by,
        "name": f"Deal {next(_numbers)}",
        "amount": Decimal(amount),
        "stage": stage,
        "created_at": at(created),
        "closed_at": at(closed) if closed else None,
        "lost_reason": "Price" if stage == "lost" else "",
    }
    if isinstance(fields.get("reached_stage2_at"), str):
        fields["reached_stage2_at"] = at(fields["reached_stage2_at"])
    values.update(fields)
    return Opportunity.objects.create(**values)


def make_activity(lead, actor, kind, when, outcome="") -> Activity:
    return Activity.objects.create(
        lead=lead, team_id=lead.team_id, actor=actor, kind=kind, outcome=outcome, created_at=at(when)
    )


def snapshot(**matched) -> list[dict]:
    return [
        {"criterion": name, "matched": matched[name], "weight": 25, "detail": ""}
        for name in ("industry", "employees", "country", "title")
    ]


def march_world(actors) -> SimpleNamespace:
    """March 2026 for team Nordlys, whose manager (Maria) lives in Europe/Tallinn: UTC+2 until
    29 March 03:00, UTC+3 after. So March is [2026-02-28 22:00 UTC, 2026-03-31 21:00 UTC)."""
    team, other = actors.team, actors.other_team
    sdr, bdr, ae = actors.sdr, actors.bdr, actors.ae
    w = SimpleNamespace(team=team, sdr=sdr, bdr=bdr, ae=ae)
    w.sdr3 = UserFactory(username="tiina", first_name="Tiina", last_name="Tamm", role=Role.SDR, team=team)
    UserFactory(username="gone", role=Role.SDR, team=team, is_active=False)
    w.ae2 = UserFactory(username="aino", first_name="Aino", last_name="Aas", role=Role.AE, team=team)

    # Leads
    w.l1 = make_lead(
        team, sdr, created="2026-03-02 09:00", first_touch="2026-03-02 09:10", mql="2026-03-03 10:00"
    )
    w.l2 = make_lead(
        team, sdr, created="2026-03-05 12:00", first_touch="2026-03-05 12:30", mql="2026-03-06 08:00"
    )
    w.l3 = make_lead(team, bdr, created="2026-03-10 08:00", first_touch="2026-03-10 09:00")
    w.l4 = make_lead(team, bdr, created="2026-03-12 10:00")
    # 22:30 UTC on 28 Feb is 00:30 on 1 March in Tallinn: inside.
    w.l5 = make_lead(team, sdr, created="2026-02-28 22:30", first_touch="2026-02-28 22:50")
    # 21:30 UTC on 28 Feb is 23:30 on 28 Feb in Tallinn: outside, but touched and MQL'd in March.
    w.l6 = make_lead(
        team, sdr, created="2026-02-28 21:30", first_touch="2026-03-01 08:00", mql="2026-03-01 09:00"
    )
    # 20:30 UTC on 31 March is 23:30 EEST: inside; 21:00 UTC is 00:00 on 1 April: outside.
    w.l7 = make_lead(team, None, created="2026-03-31 20:30")
    w.l8 = make_lead(
        team, sdr, created="2026-03-31 21:00", first_touch="2026-03-31 21:05", mql="2026-03-31 21:10"
    )
    w.l10 = make_lead(
        team, sdr, created="2026-01-15 10:00", first_touch="2026-01-15 11:00", mql="2026-02-01 10:00"
    )
    other_lead = make_lead(
        other, actors.other_sdr, created="2026-03-05 10:00", first_touch="2026-03-05 10:01"
    )

    # Handoffs
    w.h1 = make_handoff(
        w.l1, sdr, ae, created="2026-03-03 11:00", status="accepted", decided="2026-03-03 15:00",
        meeting_at="2026-03-10 10:00", meeting_outcome="held", meeting_outcome_at="2026-03-10 11:00",
        icp_snapshot=snapshot(industry=True, employees=True, country=False, title=True),
    )  # fmt: skip
    w.h2 = make_handoff(
        w.l10, sdr, ae, created="2026-03-04 10:00", status="rejected", decided="2026-03-04 12:00",
        reason="no_budget", meeting_at="2026-03-09 10:00",
        icp_snapshot=snapshot(industry=True, employees=False, country=False, title=True),
    )  # fmt: skip
    # The same lead, rejected, then handed off again and accepted 24 hours later.
    w.h3 = make_handoff(
        w.l10, sdr, ae, created="2026-03-06 09:00", status="accepted", decided="2026-03-07 09:00"
    )
    w.h4 = make_handoff(
        w.l3, bdr, w.ae2, created="2026-03-11 10:00", status="rejected", decided="2026-03-12 10:00",
        reason="not_icp", icp_snapshot=snapshot(industry=False, employees=False, country=True, title=False),
    )  # fmt: skip
    w.h5 = make_handoff(w.l2, sdr, ae, created="2026-03-20 10:00", meeting_at="2026-03-25 10:00")
    # Created in February, decided (and its meeting missed) in March.
    w.h6 = make_handoff(
        w.l6, sdr, ae, created="2026-02-20 10:00", status="accepted", decided="2026-03-01 10:00",
        meeting_at="2026-03-02 09:00", meeting_outcome="no_show", meeting_outcome_at="2026-03-02 10:00",
    )  # fmt: skip
    make_handoff(other_lead, actors.other_sdr, actors.other_ae, created="2026-03-06 10:00")

    # Opportunities
    w.o1 = make_opportunity(
        team, ae, amount="10000.00", created="2026-03-03 15:00", stage="won", closed="2026-03-25 10:00",
        sourced_by=sdr, lead=w.l1, handoff=w.h1, reached_stage2_at="2026-03-10 12:00",
    )  # fmt: skip
    w.o2 = make_opportunity(
        team, ae, amount="5000.00", created="2026-03-07 09:00", stage="demo", sourced_by=sdr, lead=w.l10,
        handoff=w.h3, reached_stage2_at="2026-03-15 12:00",
    )  # fmt: skip
    w.o3 = make_opportunity(
        team, ae, amount="2000.00", created="2026-03-01 10:00", stage="lost", closed="2026-03-20 10:00",
        sourced_by=sdr, lead=w.l6, handoff=w.h6,
    )  # fmt: skip
    # AE-sourced (no SDR), created in February, won in March.
    w.o4 = make_opportunity(
        team, ae, amount="8000.00", created="2026-02-10 10:00", stage="won", closed="2026-03-15 10:00"
    )
    # The AE named as the source: still not SDR-sourced.
    w.o5 = make_opportunity(team, ae, amount="1500.00", created="2026-03-20 10:00", sourced_by=ae)
    make_opportunity(
        team,
        ae,
        amount="900.00",
        created="2026-01-05 10:00",
        stage="lost",
        closed="2026-02-05 10:00",
        sourced_by=sdr,
    )
    w.o7 = make_opportunity(
        team, w.ae2, amount="3000.00", created="2026-03-12 10:00", stage="won", closed="2026-03-31 20:30",
        sourced_by=bdr, reached_stage2_at="2026-03-20 10:00",
    )  # fmt: skip
    make_opportunity(
        other,
        actors.other_ae,
        amount="99999.00",
        created="2026-03-05 10:00",
        stage="won",
        closed="2026-03-06 10:00",
    )

    # Activities (touches)
    make_activity(w.l1, sdr, "call", "2026-03-02 09:10", "connected")
    make_activity(w.l1, sdr, "call", "2026-03-02 15:00", "no_answer")
    make_activity(w.l2, sdr, "email", "2026-03-05 13:00", "sent")
    make_activity(w.l2, sdr, "linkedin", "2026-03-06 10:00")
    make_activity(w.l2, sdr, "email", "2026-03-06 12:00", "replied")  # the prospect's reply: not a touch
    make_activity(w.l1, sdr, "call", "2026-02-27 10:00", "connected")  # February
    make_activity(w.l1, sdr, "note", "2026-03-02 10:00")  # not a touch
    make_activity(w.l3, bdr, "call", "2026-03-10 09:00", "connected")
    make_activity(w.l3, bdr, "call", "2026-03-11 09:00", "connected")
    make_activity(w.l4, bdr, "email", "2026-03-31 20:30", "sent")
    make_activity(other_lead, actors.other_sdr, "call", "2026-03-05 10:01", "connected")
    return w


def cadence_world(team, owner, leads) -> SimpleNamespace:
    """A cadence with an email step (two variants) and a call step; three leads went through it."""
    w = SimpleNamespace()
    w.cadence = Cadence.objects.create(team=team, name="Outbound EE")
    w.s1 = Step.objects.create(
        cadence=w.cadence,
        position=1,
        channel="email",
        subject="Quick question",
        variants=[{"subject": "Idea", "body": "b"}],
    )
    w.s2 = Step.objects.create(cadence=w.cadence, position=2, wait_days=2, channel="call")
    l1, l2, l3 = leads

    def touch(enrollment, step, variant, status, completed):
        return Touch.objects.create(
            team=team, enrollment=enrollment, lead=enrollment.lead, step=step, owner=owner, channel=step.channel,
            due_at=at(completed or "2026-03-20 09:00"), status=status, variant=variant,
            outcome="sent" if status == "done" and step.channel == "email" else "",
            completed_at=at(completed) if completed else None,
        )  # fmt: skip

    # 1: email (variant 0), then a call; the enrollment ended `replied` with no event: the call gets it.
    e1 = Enrollment.objects.create(
        team=team, lead=l1, cadence=w.cadence, state="exited", exit_reason="replied"
    )
    w.t1 = touch(e1, w.s1, 0, "done", "2026-03-02 09:00")
    w.t2 = touch(e1, w.s2, None, "done", "2026-03-04 09:00")
    # 2: email (variant 1) that a reply event names, then a call: the email gets the reply.
    e2 = Enrollment.objects.create(
        team=team, lead=l2, cadence=w.cadence, state="exited", exit_reason="replied"
    )
    w.t3 = touch(e2, w.s1, 1, "done", "2026-03-05 13:00")
    w.t4 = touch(e2, w.s2, None, "done", "2026-03-07 09:00")
    EmailEvent.objects.create(
        team=team,
        type="reply",
        email_hash="h",
        dedupe_key="r1",
        lead=l2,
        occurred_at=at("2026-03-06 10:00"),
        touch=w.t3,
    )
    # 3: email (variant 0), no reply; the call is still scheduled.
    e3 = Enrollment.objects.create(team=team, lead=l3, cadence=w.cadence, state="active")
    w.t5 = touch(e3, w.s1, 0, "done", "2026-03-10 09:00")
    w.t6 = touch(e3, w.s2, None, "scheduled", None)
    return w
