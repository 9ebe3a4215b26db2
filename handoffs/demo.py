"""Demo handoffs and deals over the last ~120 days: rules of engagement, handoffs routed round-robin or
to a chosen AE, accepted ones turned into opportunities across every stage (won and lost among them),
rejections with reasons (some fixed and handed off again), meeting outcomes, SLA breaches, and a few
pending handoffs in the AE inboxes (one about to breach, one breached)."""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from handoffs import services
from handoffs.models import Handoff
from leads.models import Activity, Lead
from sdrcrm.accounts.models import Notification
from sdrcrm.core.errors import DomainError

NEXT_STEPS = ["demo", "demo", "demo", "strategy_call", "fit_assessment", "consultation", "technical_call"]
REJECTIONS = [
    ("no_budget", "Budget is not approved; come back after their planning round."),
    ("not_icp", "Too small for our product: 12 people in sales ops."),
    ("bad_timing", "Mid-migration to a new ERP; revisit in Q2."),
    ("insufficient_info", "Who signs? The qualification does not say."),
    ("no_authority", "Talked to an analyst; need the VP in the room."),
    ("duplicate", "Already in a deal with their parent company."),
    ("no_need", "Happy with their current setup."),
]
QUALIFICATIONS = [
    {
        "budget": "€30–50k set aside for sales tooling this year",
        "authority": "VP Sales decides; CFO signs above €40k",
        "need": "SDRs lose inbound leads; follow-up takes two days",
        "timeline": "Wants it live before the next quarter",
        "users": "10 SDRs, 4 AEs, 1 manager",
        "decision_process": "Demo → two-week pilot → security review → contract",
    },
    {
        "budget": "Part of the 2027 revenue-ops budget",
        "authority": "Head of Sales with the CEO",
        "need": "No visibility of the pipeline sourced by SDRs",
        "timeline": "Decision this quarter",
        "users": "6 BDRs",
        "decision_process": "Demo, reference call, contract",
    },
    {
        "budget": "Not confirmed yet",
        "authority": "Sales director",
        "need": "Cadences are run from spreadsheets",
        "timeline": "Exploring for next year",
        "users": "4 SDRs",
        "decision_process": "Unclear",
    },
]
LOST_REASONS = ["Chose a competitor", "Budget cut", "No decision", "Went with an in-house tool"]


def _stamp(lead: Lead, since, at) -> None:
    """Rows the services wrote at the real clock get the story's time instead."""
    Activity.objects.filter(lead=lead, created_at__gte=since).update(created_at=at)


def seed(context: dict) -> None:
    rng = random.Random(context.get("seed", 2026) + 5)
    team, users = context["team"], context["users"]
    now = timezone.now()
    since = now  # everything the services write from here on is restamped to its story time
    aes = [users[name] for name in ("dmitri", "seoyeon", "li")]
    manager = users["maria"]
    services.rules_update(team=team, by=manager, required_fields=["budget", "authority"], sla_hours=24)

    leads = context.get("leads") or list(Lead.objects.filter(team=team))
    candidates = sorted(
        (
            lead
            for lead in leads
            if lead.owner_id
            and lead.owner.is_prospector
            and lead.status in ("new", "working")
            and lead.score >= 35
        ),
        key=lambda lead: lead.created_at,
    )
    pending_leads = [lead for lead in candidates if now - lead.created_at > datetime.timedelta(days=2)][-5:]
    pending_ids = {lead.pk for lead in pending_leads}
    history = [
        lead
        for lead in candidates
        if lead.pk not in pending_ids and now - lead.created_at > datetime.timedelta(days=8)
    ]
    history = history[:: max(1, len(history) // 45)][:45]

    for lead in history:
        try:
            with transaction.atomic():
                _story(rng, lead, aes, now, since)
        except DomainError:
            continue

    # Pending in the inboxes: fresh, half-way, about to breach, breached.
    for lead, hours_ago in zip(pending_leads, (1.5, 9, 22.5, 30, 4), strict=False):
        at = now - datetime.timedelta(hours=hours_ago)
        meeting = (
            now + datetime.timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 6))
            if rng.random() < 0.7
            else None
        )
        try:
            with transaction.atomic():
                services.handoff_create(
                    by=lead.owner, lead=lead, next_step=rng.choice(NEXT_STEPS), meeting_at=meeting,
                    ae=aes[0] if hours_ago in (22.5, 30) else None,  # Dmitri's inbox shows both SLA states
                    now=at, **rng.choice(QUALIFICATIONS[:2]), notes="Asked for a Russian-speaking AE if possible."
                    if lead.country == "RU" else "",
                )  # fmt: skip
                _stamp(lead, since, at)
        except DomainError:
            continue
    services.handoff_sla_sweep(now=now)

    # Deals the AEs found themselves (no SDR source).
    for ae, name, amount, stage in [
        (aes[0], "Inbound referral: Läänemere Energia expansion", "64000", "proposal"),
        (aes[1], "Partner deal: 서울소프트 renewal", "28000", "negotiation"),
        (aes[2], "Conference lead: 深圳云图 pilot", "15000", "demo"),
    ]:
        opened = now - datetime.timedelta(days=rng.randint(10, 40))
        opportunity = services.opportunity_create(
            by=ae,
            name=name,
            amount=amount,
            now=opened,
            expected_close=(now + datetime.timedelta(days=30)).date(),
        )
        services.opportunity_update(
            opportunity=opportunity, by=ae, stage=stage, now=opened + datetime.timedelta(days=5)
        )

    # Old news is read; what is still pending or breached stays unread.
    pending_keys = [
        f"handoff-new:{pk}"
        for pk in Handoff.objects.filter(team=team, status="pending").values_list("pk", flat=True)
    ]
    Notification.objects.filter(user__team=team, created_at__gte=since).exclude(
        dedupe_key__in=pending_keys
    ).exclude(kind="sla_breach").update(read_at=now)


def _story(rng: random.Random, lead: Lead, aes, now, since) -> None:
    sdr = lead.owner
    at = lead.created_at + datetime.timedelta(days=rng.uniform(1, 6), hours=rng.uniform(0, 8))
    if at > now - datetime.timedelta(days=3):
        return
    meeting = (
        at + datetime.timedelta(days=rng.randint(1, 5), hours=rng.randint(1, 5))
        if rng.random() < 0.65
        else None
    )
    qualification = rng.choice(QUALIFICATIONS)
    handoff = services.handoff_create(
        by=sdr, lead=lead, next_step=rng.choice(NEXT_STEPS), meeting_at=meeting, now=at,
        ae=rng.choice(aes) if rng.random() < 0.25 else None, **qualification,
    )  # fmt: skip
    _stamp(lead, since, at)
    decided = at + datetime.timedelta(hours=rng.choice([1, 2, 3, 5, 8, 18, 20, 30, 40]))
    ae = handoff.ae
    weak = qualification["budget"] == "Not confirmed yet"
    if weak or rng.random() < 0.3:
        reason, note = rng.choice(REJECTIONS[:3] if weak else REJECTIONS)
        services.handoff_reject(handoff=handoff, by=ae, reason=reason, note=note, now=decided)
        _stamp(lead, since, decided)
        if rng.random() < 0.4 and decided < now - datetime.timedelta(days=4):
            # The SDR fixes the qualification and hands off again.
            again = decided + datetime.timedelta(days=rng.uniform(1, 3))
            lead.refresh_from_db()
            handoff = services.handoff_create(
                by=sdr, lead=lead, next_step="demo", now=again, ae=ae, **QUALIFICATIONS[0]
            )
            _stamp(lead, since, again)
            decided = again + datetime.timedelta(hours=rng.uniform(1, 10))
        else:
            return
    lead.refresh_from_db()
    amount = Decimal(rng.choice([8, 12, 15, 24, 30, 45, 60, 90, 120])) * 1000
    opportunity = services.handoff_accept(
        handoff=handoff, by=ae, amount=amount, now=decided,
        expected_close=(decided + datetime.timedelta(days=rng.randint(30, 90))).date(),
    )  # fmt: skip
    _stamp(lead, since, decided)
    if handoff.meeting_at and handoff.meeting_at < now:
        outcome = rng.choices(["held", "no_show", "rescheduled"], weights=[7, 2, 1])[0]
        services.handoff_record_meeting(
            handoff=handoff, by=ae, outcome=outcome, now=handoff.meeting_at + datetime.timedelta(hours=1)
        )
        _stamp(lead, since, handoff.meeting_at + datetime.timedelta(hours=1))
    # Move the deal along: older deals got further.
    age_days = (now - decided).days
    path = ["demo", "proposal", "negotiation"]
    steps = min(len(path), max(int(age_days / 15) - 1 + rng.randint(0, 1), 0))
    moved = decided
    for stage in path[:steps]:
        moved += datetime.timedelta(days=rng.uniform(3, 10))
        if moved > now:
            return
        opportunity = services.opportunity_update(opportunity=opportunity, by=ae, stage=stage, now=moved)
        _stamp(lead, since, moved)
    if age_days > 30 and rng.random() < 0.7:
        moved += datetime.timedelta(days=rng.uniform(3, 12))
        if moved < now:
            if rng.random() < 0.6:
                services.opportunity_update(opportunity=opportunity, by=ae, stage="won", now=moved)
            else:
                services.opportunity_update(
                    opportunity=opportunity,
                    by=ae,
                    stage="lost",
                    lost_reason=rng.choice(LOST_REASONS),
                    now=moved,
                )
            _stamp(lead, since, moved)
