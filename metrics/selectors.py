"""Reads for the funnel, the leaderboard, cadence step analytics and the dashboard. No writes.

Every figure is a set-wise aggregate: one query per table touched (leads, handoffs, opportunities,
users, activities, touches), never a query per lead or per rep. Whose rows count is decided once, in
`metrics.scope` (the caller's team, and a rep when `owner` is set):

- an SDR/BDR rep: leads they own, handoffs they created, opportunities they sourced;
- an AE rep: leads handed off to them, handoffs assigned to them, opportunities they own.

Definitions follow API.md ("Metrics"); where it leaves room the choice is written beside the code.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import (
    Aggregate,
    BooleanField,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import TruncWeek
from django.utils import timezone

from cadences.models import Cadence, EmailEvent, EmailEventType, Step, Touch, TouchStatus
from handoffs.models import (
    STAGE_TWO_STAGES,
    Handoff,
    HandoffStatus,
    MeetingOutcome,
    Opportunity,
    OpportunityStage,
    RejectReason,
)
from leads.models import REP_TOUCH, Activity, ActivityKind, ActivityOutcome, Lead
from metrics.periods import Period
from metrics.scope import Scope
from sdrcrm.accounts.models import PROSPECTING_ROLES, Role, User
from sdrcrm.core.errors import NotFound

CENT = Decimal("0.01")
ZERO = Decimal("0")
PROSPECTORS = sorted(PROSPECTING_ROLES)


# -- number helpers ---------------------------------------------------------------------------------


def rate(part, whole) -> float | None:
    """A share in [0, 1]; None when the whole is zero (undefined, never a division error)."""
    if not whole:
        return None
    return min(1.0, max(0.0, part / whole))


def ratio(part, whole) -> float | None:
    return None if not whole else part / whole


def money(amount) -> str:
    return str((amount or ZERO).quantize(CENT, rounding=ROUND_HALF_UP))


def money_per(amount, count) -> str | None:
    if not count:
        return None
    return money((amount or ZERO) / count)


# -- the rows a scope covers ------------------------------------------------------------------------


def scoped_leads(scope: Scope):
    leads = Lead.objects.all()
    if scope.team is not None:
        leads = leads.filter(team_id=scope.team_id)
    if scope.owner is not None:
        if scope.owner_is_ae:
            handed = Handoff.objects.filter(lead=OuterRef("pk"), ae_id=scope.owner.pk)
            leads = leads.filter(Exists(handed))
        else:
            leads = leads.filter(owner_id=scope.owner.pk)
    return leads


def scoped_handoffs(scope: Scope):
    handoffs = Handoff.objects.all()
    if scope.team is not None:
        handoffs = handoffs.filter(team_id=scope.team_id)
    if scope.owner is not None:
        key = "ae_id" if scope.owner_is_ae else "sdr_id"
        handoffs = handoffs.filter(**{key: scope.owner.pk})
    return handoffs


def scoped_opportunities(scope: Scope):
    opportunities = Opportunity.objects.all()
    if scope.team is not None:
        opportunities = opportunities.filter(team_id=scope.team_id)
    if scope.owner is not None:
        key = "owner_id" if scope.owner_is_ae else "sourced_by_id"
        opportunities = opportunities.filter(**{key: scope.owner.pk})
    return opportunities


def scoped_members(scope: Scope):
    members = User.objects.filter(is_active=True)
    if scope.team is not None:
        members = members.filter(team_id=scope.team_id)
    return members


# -- the funnel --------------------------------------------------------------------------------------


def funnel(*, scope: Scope, period: Period) -> dict:
    """Every key of API.md's funnel for the period (events inside [from, to], the team's days)."""
    created = Q(**period.contains("created_at"))
    became_mql = Q(**period.contains("mql_at"))
    touched = Q(**period.contains("first_touch_at"))
    followed_up = created & Q(first_touch_at__isnull=False)
    in_one_pass = connection.vendor == "postgresql"
    median = (
        {"median_seconds": MedianSeconds(_first_touch_delay(), filter=followed_up)} if in_one_pass else {}
    )
    lead_counts = (
        scoped_leads(scope)
        .filter(created | became_mql | touched)
        .aggregate(
            leads=Count("pk", filter=created),
            mqls=Count("pk", filter=became_mql),
            contacted=Count("pk", filter=touched),
            followed_up=Count("pk", filter=followed_up),
            **median,
        )
    )
    if in_one_pass:
        seconds = lead_counts["median_seconds"]
        speed = None if seconds is None else round(float(seconds) / 60, 2)
    else:
        speed = _median_minutes_to_first_touch(scope, followed_up, lead_counts["followed_up"])

    decided = Q(**period.contains("decided_at"))
    rejected = decided & Q(status=HandoffStatus.REJECTED)
    handoff_counts = (
        scoped_handoffs(scope)
        .filter(Q(**period.contains("created_at")) | decided)
        .aggregate(
            sqls=Count("pk", filter=Q(**period.contains("created_at"))),
            accepted=Count("pk", filter=decided & Q(status=HandoffStatus.ACCEPTED)),
            rejected=Count("pk", filter=rejected),
            **{
                f"reason_{reason}": Count("pk", filter=rejected & Q(reject_reason=reason))
                for reason in RejectReason.values
            },
        )
    )

    opened = Q(**period.contains("created_at"))
    closed = Q(**period.contains("closed_at"))
    won = closed & Q(stage=OpportunityStage.WON)
    lost = closed & Q(stage=OpportunityStage.LOST)
    # Stage 2: reached a demo or beyond (won included); a lost deal counts if it got that far.
    stage_two = Q(reached_stage2_at__isnull=False) | Q(stage__in=list(STAGE_TWO_STAGES))
    # SDR-sourced: attributed to a rep whose role is SDR or BDR. AE-sourced deals (no source, or an AE
    # as the source) are bookings, but not SDR-sourced ones.
    sdr_sourced = Q(sourced_by__role__in=PROSPECTORS)
    opportunity_sums = (
        scoped_opportunities(scope)
        .filter(opened | closed)
        .aggregate(
            opportunities=Count("pk", filter=opened),
            pipeline=Sum("amount", filter=opened),
            stage2=Count("pk", filter=opened & stage_two),
            won=Count("pk", filter=won),
            won_revenue=Sum("amount", filter=won),
            lost=Count("pk", filter=lost),
            sdr_sourced_revenue=Sum("amount", filter=won & sdr_sourced),
            sdr_sourced_deals=Count("pk", filter=won & sdr_sourced),
        )
    )

    heads = scoped_members(scope).aggregate(
        sdrs=Count("pk", filter=Q(role__in=PROSPECTORS)), aes=Count("pk", filter=Q(role=Role.AE))
    )

    leads, mqls = lead_counts["leads"], lead_counts["mqls"]
    accepted, rejected_count = handoff_counts["accepted"], handoff_counts["rejected"]
    opportunities = opportunity_sums["opportunities"]
    pipeline = opportunity_sums["pipeline"] or ZERO
    won_deals, lost_deals = opportunity_sums["won"], opportunity_sums["lost"]
    won_revenue = opportunity_sums["won_revenue"] or ZERO
    sdr_revenue = opportunity_sums["sdr_sourced_revenue"] or ZERO
    return {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "time_zone": str(scope.zone),
        "team": scope.team_id,
        "owner": scope.owner.pk if scope.owner else None,
        "leads": leads,
        "mqls": mqls,
        "mql_rate": rate(mqls, leads),
        "contacted": lead_counts["contacted"],
        "followed_up": lead_counts["followed_up"],
        "follow_up_rate": rate(lead_counts["followed_up"], leads),
        "speed_to_lead_median_minutes": speed,
        "sqls": handoff_counts["sqls"],
        "handoffs_accepted": accepted,
        "handoffs_rejected": rejected_count,
        "acceptance_rate": rate(accepted, accepted + rejected_count),
        "rejection_reasons": {reason: handoff_counts[f"reason_{reason}"] for reason in RejectReason.values},
        "opportunities": opportunities,
        "opportunities_per_mql": ratio(opportunities, mqls),
        "pipeline": money(pipeline),
        "pipeline_per_opportunity": money_per(pipeline, opportunities),
        "stage2_opportunities": opportunity_sums["stage2"],
        "stage2_rate": rate(opportunity_sums["stage2"], opportunities),
        "won_deals": won_deals,
        "lost_deals": lost_deals,
        "won_revenue": money(won_revenue),
        "average_selling_price": money_per(won_revenue, won_deals),
        "win_rate": rate(won_deals, won_deals + lost_deals),
        "sdr_sourced_deals": opportunity_sums["sdr_sourced_deals"],
        "sdr_sourced_revenue": money(sdr_revenue),
        "sdr_sourced_share": rate(sdr_revenue, won_revenue),
        "sdr_headcount": heads["sdrs"],
        "ae_headcount": heads["aes"],
        "sdr_to_ae_ratio": ratio(heads["sdrs"], heads["aes"]),
    }


class MedianSeconds(Aggregate):
    """PostgreSQL's exact median of an interval, in seconds, inside the same pass as the counts."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s))"
    output_field = FloatField()


def _first_touch_delay():
    return ExpressionWrapper(F("first_touch_at") - F("created_at"), output_field=DurationField())


def _median_minutes_to_first_touch(scope: Scope, followed_up: Q, count: int) -> float | None:
    """The median of (first touch − created) over the followed-up leads where the database has no
    percentile_cont (SQLite): the middle one or two rows of the set sorted by that delay, by OFFSET."""
    if not count:
        return None
    delay = _first_touch_delay()
    middle = list(
        scoped_leads(scope)
        .filter(followed_up)
        .annotate(delay=delay)
        .order_by("delay", "pk")
        .values_list("delay", flat=True)[(count - 1) // 2 : count // 2 + 1]
    )
    if not middle:
        return None
    seconds = sum(value.total_seconds() for value in middle) / len(middle)
    return round(seconds / 60, 2)


# -- the leaderboard ---------------------------------------------------------------------------------


def leaderboard(*, scope: Scope, period: Period) -> list[dict]:
    """A row per active SDR/BDR: their touches, calls, emails, connects, SQLs, accepted handoffs, and
    meetings — `meetings` are meetings held (the AE's outcome, credited to the SDR who booked it, in
    the period), `meetings_booked` handoffs created in the period with a meeting time."""
    reps = scoped_members(scope).filter(role__in=PROSPECTORS)
    if scope.owner is not None:
        reps = reps.filter(pk=scope.owner.pk)
    reps = list(reps.order_by("first_name", "last_name", "username", "id"))
    if not reps:
        return []
    rep_ids = [rep.pk for rep in reps]

    activities = Activity.objects.filter(REP_TOUCH, **period.contains("created_at"))
    if scope.team is not None:
        activities = activities.filter(team_id=scope.team_id)
    activities = activities.filter(actor_id__in=rep_ids) if len(rep_ids) < 50 else activities
    touch_rows = {
        row["actor_id"]: row
        for row in activities.values("actor_id")
        .order_by()
        .annotate(
            touches=Count("pk"),
            calls=Count("pk", filter=Q(kind=ActivityKind.CALL)),
            emails=Count("pk", filter=Q(kind=ActivityKind.EMAIL)),
            linkedin=Count("pk", filter=Q(kind=ActivityKind.LINKEDIN)),
            connects=Count("pk", filter=Q(kind=ActivityKind.CALL, outcome=ActivityOutcome.CONNECTED)),
        )
    }

    created = Q(**period.contains("created_at"))
    decided = Q(**period.contains("decided_at"))
    met = Q(**period.contains("meeting_outcome_at"))
    handoffs = Handoff.objects.filter(sdr_id__in=rep_ids).filter(created | decided | met)
    if scope.team is not None:
        handoffs = handoffs.filter(team_id=scope.team_id)
    handoff_rows = {
        row["sdr_id"]: row
        for row in handoffs.values("sdr_id")
        .order_by()
        .annotate(
            sqls=Count("pk", filter=created),
            accepted=Count("pk", filter=decided & Q(status=HandoffStatus.ACCEPTED)),
            rejected=Count("pk", filter=decided & Q(status=HandoffStatus.REJECTED)),
            meetings_booked=Count("pk", filter=created & Q(meeting_at__isnull=False)),
            meetings=Count("pk", filter=met & Q(meeting_outcome=MeetingOutcome.HELD)),
            no_shows=Count("pk", filter=met & Q(meeting_outcome=MeetingOutcome.NO_SHOW)),
        )
    }

    rows = []
    for rep in reps:
        touch = touch_rows.get(rep.pk, {})
        handed = handoff_rows.get(rep.pk, {})
        row = {
            "user": rep.pk,
            "name": rep.display_name,
            "role": rep.role,
            **{key: touch.get(key, 0) for key in ("touches", "calls", "emails", "linkedin", "connects")},
            **{
                key: handed.get(key, 0)
                for key in ("sqls", "accepted", "rejected", "meetings", "meetings_booked", "no_shows")
            },
        }
        row["meetings_held"] = row["meetings"]  # API.md names it both ways: `meetings` and `meetings_held`
        row["connect_rate"] = rate(row["connects"], row["calls"])
        row["acceptance_rate"] = rate(row["accepted"], row["accepted"] + row["rejected"])
        row["meetings_held_rate"] = rate(row["meetings"], row["meetings"] + row["no_shows"])
        rows.append(row)
    rows.sort(key=lambda row: (-row["sqls"], -row["touches"], row["name"]))
    return rows


# -- cadence steps -----------------------------------------------------------------------------------


def cadence_for_scope(*, scope: Scope, cadence_id) -> Cadence:
    cadences = Cadence.objects.all()
    if scope.team is not None:
        cadences = cadences.filter(team_id=scope.team_id)
    cadence = cadences.filter(pk=cadence_id).first()
    if cadence is None:
        raise NotFound("Cadence not found.")
    return cadence


def _reply_flag():
    """Did this done touch get the reply? Yes if a reply event names it; otherwise, when the enrollment
    ended `replied` and no event names any of its touches, the enrollment's last done touch gets it."""
    named = Exists(EmailEvent.objects.filter(touch_id=OuterRef("pk"), type=EmailEventType.REPLY))
    any_named = Exists(
        EmailEvent.objects.filter(touch__enrollment_id=OuterRef("enrollment_id"), type=EmailEventType.REPLY)
    )
    later = Exists(
        Touch.objects.filter(
            enrollment_id=OuterRef("enrollment_id"),
            status=TouchStatus.DONE,
            completed_at__gt=OuterRef("completed_at"),
        )
    )
    return ExpressionWrapper(
        Q(named) | (Q(enrollment__exit_reason="replied") & ~Q(any_named) & ~Q(later)),
        output_field=BooleanField(),
    )


def cadence_steps(
    *, scope: Scope, cadence: Cadence | None = None, period: Period | None = None
) -> list[dict]:
    """Per step (in order, archived ones last): touches done (`sent`), `replies`, `reply_rate`, and the
    same per variant (0 is the step's own text). Without `cadence`, every cadence of the scope."""
    steps = Step.objects.select_related("cadence")
    if cadence is not None:
        steps = steps.filter(cadence=cadence)
    elif scope.team is not None:
        steps = steps.filter(cadence__team_id=scope.team_id)
    touches = Touch.objects.filter(status=TouchStatus.DONE)
    if cadence is not None:
        touches = touches.filter(step__cadence_id=cadence.pk)
    elif scope.team is not None:
        touches = touches.filter(team_id=scope.team_id)
    if scope.owner is not None:
        touches = touches.filter(owner_id=scope.owner.pk)
    if period is not None:
        touches = touches.filter(**period.contains("completed_at"))
    counted = (
        touches.annotate(got_reply=_reply_flag())
        .values("step_id", "variant")
        .order_by()
        .annotate(sent=Count("pk"), replies=Count("pk", filter=Q(got_reply=True)))
    )
    per_step: dict[int, dict] = {}
    for row in counted:
        per_step.setdefault(row["step_id"], {})[row["variant"]] = (row["sent"], row["replies"])
    rows = []
    ordered = sorted(
        steps, key=lambda s: (s.cadence.name, s.cadence_id, s.archived_at is not None, s.position)
    )
    for step in ordered:
        counts = per_step.get(step.pk, {})
        sent = sum(value[0] for value in counts.values())
        replies = sum(value[1] for value in counts.values())
        variants = []
        if step.variants:
            for number in range(len(step.variants) + 1):
                v_sent, v_replies = counts.get(number, (0, 0))
                subject = (
                    step.subject if number == 0 else (step.variants[number - 1] or {}).get("subject", "")
                )
                variants.append(
                    {
                        "variant": number,
                        "subject": subject,
                        "sent": v_sent,
                        "replies": v_replies,
                        "reply_rate": rate(v_replies, v_sent),
                    }
                )
        rows.append(
            {
                "cadence": step.cadence_id,
                "cadence_name": step.cadence.name,
                "step": step.pk,
                "position": step.position,
                "channel": step.channel,
                "channel_label": str(step.get_channel_display()),
                "subject": step.subject,
                "archived": step.archived_at is not None,
                "sent": sent,
                "replies": replies,
                "reply_rate": rate(replies, sent),
                "variants": variants,
            }
        )
    return rows


# -- the dashboard's other tables --------------------------------------------------------------------


def weekly_trends(*, scope: Scope, period: Period) -> list[dict]:
    """Per week (Monday, the team's days) of the period: leads, MQLs, SQLs, opportunities, won revenue."""
    zone = scope.zone

    def by_week(queryset, field, **aggregate):
        rows = (
            queryset.filter(**period.contains(field))
            .annotate(week=TruncWeek(field, tzinfo=zone))
            .values("week")
            .order_by()
            .annotate(**aggregate)
        )
        return {_as_day(row["week"], zone): row for row in rows}

    leads = by_week(scoped_leads(scope), "created_at", n=Count("pk"))
    mqls = by_week(scoped_leads(scope), "mql_at", n=Count("pk"))
    sqls = by_week(scoped_handoffs(scope), "created_at", n=Count("pk"))
    opportunities = by_week(scoped_opportunities(scope), "created_at", n=Count("pk"), amount=Sum("amount"))
    won = by_week(
        scoped_opportunities(scope).filter(stage=OpportunityStage.WON),
        "closed_at",
        n=Count("pk"),
        amount=Sum("amount"),
    )
    weeks = []
    for monday in period.weeks():
        weeks.append(
            {
                "week": monday.isoformat(),
                "leads": leads.get(monday, {}).get("n", 0),
                "mqls": mqls.get(monday, {}).get("n", 0),
                "sqls": sqls.get(monday, {}).get("n", 0),
                "opportunities": opportunities.get(monday, {}).get("n", 0),
                "pipeline": money(opportunities.get(monday, {}).get("amount")),
                "won_deals": won.get(monday, {}).get("n", 0),
                "won_revenue": money(won.get(monday, {}).get("amount")),
            }
        )
    return weeks


def _as_day(value, zone) -> datetime.date:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(zone)
        return value.date()
    return value


def icp_fit_of_decisions(*, scope: Scope, period: Period) -> list[dict]:
    """For each ICP criterion: how many handoffs decided in the period matched or missed it, rejected
    vs accepted (from the ICP snapshot taken at handoff). A criterion the rejected ones keep matching is
    one the AEs do not believe in; one they keep missing may deserve more weight."""
    decisions = (
        scoped_handoffs(scope)
        .filter(status__in=[HandoffStatus.ACCEPTED, HandoffStatus.REJECTED], **period.contains("decided_at"))
        .values_list("status", "icp_snapshot")
    )
    table: dict[str, dict] = {}
    for status, snapshot in decisions:
        for entry in snapshot or ():
            criterion = (entry or {}).get("criterion")
            if not criterion:
                continue
            row = table.setdefault(
                criterion,
                {
                    "criterion": criterion,
                    "rejected_matched": 0,
                    "rejected_missed": 0,
                    "accepted_matched": 0,
                    "accepted_missed": 0,
                },
            )
            side = "rejected" if status == HandoffStatus.REJECTED else "accepted"
            row[f"{side}_{'matched' if entry.get('matched') else 'missed'}"] += 1
    rows = []
    for row in table.values():
        row["rejected_match_rate"] = rate(
            row["rejected_matched"], row["rejected_matched"] + row["rejected_missed"]
        )
        row["accepted_match_rate"] = rate(
            row["accepted_matched"], row["accepted_matched"] + row["accepted_missed"]
        )
        rows.append(row)
    order = {"industry": 0, "employees": 1, "country": 2, "title": 3}
    rows.sort(key=lambda row: (order.get(row["criterion"], 9), row["criterion"]))
    return rows


def open_sla_breaches(*, scope: Scope, now: datetime.datetime | None = None, limit: int = 10) -> dict:
    """Pending handoffs past their SLA, oldest first (the `limit` oldest, and how many in all)."""
    now = now or timezone.now()
    breached = scoped_handoffs(scope).filter(status=HandoffStatus.PENDING, sla_due_at__lt=now)
    rows = list(breached.select_related("lead", "sdr", "ae").order_by("sla_due_at", "pk")[:limit])
    count = len(rows) if len(rows) < limit else breached.count()
    return {
        "count": count,
        "rows": [
            {
                "handoff": handoff.pk,
                "lead": str(handoff.lead),
                "sdr": handoff.sdr.display_name,
                "ae": handoff.ae.display_name,
                "sla_due_at": handoff.sla_due_at,
                "overdue_hours": round((now - handoff.sla_due_at).total_seconds() / 3600, 1),
            }
            for handoff in rows
        ],
    }


def ae_decisions(*, scope: Scope, period: Period) -> list[dict]:
    """Per AE, the handoffs they decided in the period: accepted, rejected, median hours to decide,
    and how many were decided after the SLA."""
    decided = (
        scoped_handoffs(scope)
        .filter(status__in=[HandoffStatus.ACCEPTED, HandoffStatus.REJECTED], **period.contains("decided_at"))
        .annotate(took=ExpressionWrapper(F("decided_at") - F("created_at"), output_field=DurationField()))
        .values_list("ae_id", "status", "took", "decided_at", "sla_due_at")
        .order_by("ae_id", "took")
    )
    per_ae: dict[int, dict] = {}
    for ae_id, status, took, decided_at, sla_due_at in decided:
        row = per_ae.setdefault(ae_id, {"ae": ae_id, "accepted": 0, "rejected": 0, "late": 0, "_took": []})
        row["accepted" if status == HandoffStatus.ACCEPTED else "rejected"] += 1
        row["late"] += decided_at > sla_due_at
        row["_took"].append(took.total_seconds() / 3600)
    names = {user.pk: user.display_name for user in User.objects.filter(pk__in=list(per_ae))}
    rows = []
    for ae_id, row in per_ae.items():
        took = row.pop("_took")
        middle = took[(len(took) - 1) // 2 : len(took) // 2 + 1]
        row["name"] = names.get(ae_id, "")
        row["decided"] = row["accepted"] + row["rejected"]
        row["acceptance_rate"] = rate(row["accepted"], row["decided"])
        row["median_hours_to_decision"] = round(sum(middle) / len(middle), 1)
        rows.append(row)
    rows.sort(key=lambda row: row["name"])
    return rows


def follow_up_coverage(*, scope: Scope, period: Period, touches: int = 3, within_days: int = 7) -> list[dict]:
    """Of the leads created in each week of the period: how many got at least `touches` rep touches
    within `within_days` days of being created (one query: a correlated count per lead, grouped)."""
    window_end = ExpressionWrapper(
        OuterRef("created_at") + Value(datetime.timedelta(days=within_days)), output_field=DateTimeField()
    )
    touched = (
        Activity.objects.filter(
            REP_TOUCH,
            lead_id=OuterRef("pk"),
            created_at__gte=OuterRef("created_at"),
            created_at__lte=window_end,
        )
        .order_by()
        .values("lead_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        scoped_leads(scope)
        .filter(**period.contains("created_at"))
        .annotate(week=TruncWeek("created_at", tzinfo=scope.zone), touch_count=Subquery(touched))
        .values("week")
        .order_by()
        .annotate(total=Count("pk"), covered=Count("pk", filter=Q(touch_count__gte=touches)))
    )
    found = {_as_day(row["week"], scope.zone): row for row in rows}
    weeks = []
    for monday in period.weeks():
        row = found.get(monday, {})
        total, covered = row.get("total", 0), row.get("covered", 0)
        weeks.append(
            {"week": monday.isoformat(), "leads": total, "covered": covered, "rate": rate(covered, total)}
        )
    return weeks
