"""Writes to handoffs, AE routing, the rules of engagement and opportunities.

Invariants:
- A lead has at most one pending handoff: a partial unique index, checked again under the lead's row lock.
- A handoff is decided once. Accept and reject lock the lead and then the handoff row and check that it
  is still pending; whoever comes second gets Conflict (409) and changes nothing.
- Locks are always taken in one order: lead → routing pointer → handoff → opportunity.
- Round-robin routing reads and moves the team's pointer under FOR UPDATE, so concurrent handoffs never
  read the same position; inactive and away AEs are skipped.
- Every state change leaves a timeline row on the lead (through leads.services); an opportunity's stage
  moves also leave an OpportunityStageChange row, lead or no lead.
- An SLA breach is flagged once per handoff (a conditional update under the lead lock), and its
  notifications carry dedupe keys, so the sweep is safe to run twice or concurrently.
- Email leaves the process only after commit, at most once per handoff.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadences.services import enrollments_exit_for_lead
from handoffs.ics import meeting_invitation
from handoffs.models import (
    CLOSED_STAGES,
    REQUIRABLE_FIELDS,
    STAGE_TWO_STAGES,
    AeRoutingPointer,
    Handoff,
    HandoffStatus,
    MeetingOutcome,
    NextStep,
    Opportunity,
    OpportunityStage,
    OpportunityStageChange,
    RejectReason,
    RulesOfEngagement,
)
from leads.models import ActivityKind, Lead, LeadStage, LeadStatus
from leads.services import activity_record, lead_set_stage, lead_set_status
from sdrcrm.accounts.models import NotificationKind, Role, Team, User
from sdrcrm.accounts.selectors import team_managers, team_members
from sdrcrm.accounts.services import notification_create, team_update
from sdrcrm.audit import services as audit
from sdrcrm.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed

LEAD_STAGE_ORDER = [LeadStage.LEAD, LeadStage.MQL, LeadStage.SQL, LeadStage.OPPORTUNITY, LeadStage.CUSTOMER]
MAX_AMOUNT = Decimal("999999999999.99")
MEETING_HORIZON = datetime.timedelta(days=2 * 365)
TEXT_FIELDS = ("budget", "authority", "need", "timeline", "users", "decision_process", "notes")


def _url(name: str, fallback: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


def _inbox_url(handoff: Handoff) -> str:
    return f"{_url('handoff-inbox', '/handoffs/')}#handoff-{handoff.pk}"


def _lead_url(lead: Lead) -> str:
    return _url("lead-detail", f"/leads/{lead.pk}/", lead.pk)


def _advance_stage(*, lead: Lead, stage: str, by, at) -> None:
    """Moves the lead forward to `stage`; never back (a customer handed off again stays a customer)."""
    if LEAD_STAGE_ORDER.index(lead.stage) < LEAD_STAGE_ORDER.index(stage):
        lead_set_stage(lead=lead, stage=stage, by=by, at=at)
    else:
        lead_set_stage(lead=lead, stage=lead.stage, by=by, at=at)  # still stamps sql_at etc. the first time


def _lock_lead(lead_id: int) -> Lead:
    return Lead.objects.for_update().get(pk=lead_id)


def handoff_can_decide(*, user: User, handoff: Handoff) -> bool:
    """The assigned AE, a manager of the team or an admin decides (and records the meeting)."""
    return (
        user.is_admin
        or (user.is_manager and user.team_id == handoff.team_id)
        or (user.is_ae and user.pk == handoff.ae_id)
    )


# Rules of engagement ----------------------------------------------------------------------------


def rules_for_team(*, team: Team) -> RulesOfEngagement:
    """The team's rules, or the defaults (need and timeline required) when a manager has set none."""
    return RulesOfEngagement.objects.filter(team=team).first() or RulesOfEngagement(team=team)


@transaction.atomic
def rules_update(
    *, team: Team, by: User, required_fields: list[str] | None = None, sla_hours: int | None = None
) -> RulesOfEngagement:
    if not (by.is_admin or (by.is_manager and by.team_id == team.pk)):
        raise NotAllowed(_("Only a manager of the team edits its rules of engagement."))
    if required_fields is not None:
        unknown = sorted(set(required_fields) - set(REQUIRABLE_FIELDS))
        if unknown:
            raise ValidationFailed(
                _("Unknown field(s): %(names)s.") % {"names": ", ".join(unknown)}, field="required_fields"
            )
    if sla_hours is not None and not 1 <= int(sla_hours) <= 24 * 30:
        raise ValidationFailed(_("Must be between 1 and 720 hours."), field="sla_hours")
    rules, _created = RulesOfEngagement.objects.get_or_create(team=team)
    rules = RulesOfEngagement.objects.select_for_update().get(pk=rules.pk)
    before = {"required_fields": rules.required_fields, "handoff_sla_hours": team.handoff_sla_hours}
    if required_fields is not None:
        rules.required_fields = [name for name in REQUIRABLE_FIELDS if name in set(required_fields)]
    rules.updated_at = timezone.now()
    rules.updated_by = by
    rules.save()
    if sla_hours is not None:
        team_update(team=team, by=by, handoff_sla_hours=int(sla_hours))
    after = {"required_fields": rules.required_fields, "handoff_sla_hours": team.handoff_sla_hours}
    audit.record(
        action="team.rules_updated", target=rules, actor=by, changes=audit.changes_between(before, after)
    )
    return rules


# Routing ----------------------------------------------------------------------------------------


def ae_available(*, ae: User, team: Team, on: datetime.date) -> bool:
    return ae.is_active and ae.role == Role.AE and ae.team_id == team.pk and not ae.is_away(on)


@transaction.atomic
def ae_route_next(*, team: Team, now: datetime.datetime | None = None) -> User:
    """The next available AE of the team after the one who got the last routed handoff (ids ascending,
    wrapping round). The pointer row is locked for the rest of the transaction."""
    now = now or timezone.now()
    AeRoutingPointer.objects.get_or_create(team=team)
    pointer = AeRoutingPointer.objects.select_for_update().get(team=team)
    today = timezone.localdate(now)
    candidates = [ae for ae in team_members(team=team, roles=[Role.AE]) if not ae.is_away(today)]
    if not candidates:
        raise ValidationFailed(_("No AE of your team is available (all away or inactive)."), field="ae")
    last_id = pointer.last_ae_id or 0
    chosen = next((ae for ae in candidates if ae.pk > last_id), candidates[0])
    pointer.last_ae = chosen
    pointer.routed_count += 1
    pointer.updated_at = now
    pointer.save(update_fields=["last_ae", "routed_count", "updated_at"])
    return chosen


# Handoffs ---------------------------------------------------------------------------------------


@transaction.atomic
def handoff_create(
    *,
    by: User,
    lead: Lead,
    next_step: str,
    ae: User | None = None,
    meeting_at: datetime.datetime | None = None,
    budget: str = "",
    authority: str = "",
    need: str = "",
    timeline: str = "",
    users: str = "",
    decision_process: str = "",
    notes: str = "",
    now: datetime.datetime | None = None,
) -> Handoff:
    """The lead's owner hands it to an AE (chosen, or round-robin). The lead becomes handed_off and an
    SQL, leaves its cadence, and the AE is notified (and emailed an invitation for a booked meeting)."""
    now = now or timezone.now()
    if not Lead.objects.visible_to(by).filter(pk=lead.pk).exists():
        raise NotFound(_("Lead not found."))
    lead = _lock_lead(lead.pk)
    if lead.owner_id != by.pk:
        raise NotAllowed(_("Only the lead's owner hands it off."))
    pending = (
        Handoff.objects.filter(lead=lead, status=HandoffStatus.PENDING).values_list("pk", flat=True).first()
    )
    if pending:
        raise Conflict(_("This lead already has a pending handoff."), pending_handoff=pending)
    if lead.status in (LeadStatus.DISQUALIFIED, LeadStatus.CONVERTED):
        raise Conflict(
            _("A %(status)s lead cannot be handed off.") % {"status": lead.get_status_display().lower()},
            code="lead_closed",
        )
    if next_step not in NextStep.values:
        raise ValidationFailed(_("Choose a next step."), field="next_step")
    values = {name: (value or "").strip() for name, value in zip(
        TEXT_FIELDS, (budget, authority, need, timeline, users, decision_process, notes), strict=True
    )}  # fmt: skip
    given = {**values, "meeting_at": meeting_at}
    for name in rules_for_team(team=lead.team).effective_required_fields:
        if not given.get(name):
            raise ValidationFailed(_("Your team's rules of engagement require this."), field=name)
    if meeting_at is not None and not now < meeting_at <= now + MEETING_HORIZON:
        raise ValidationFailed(_("The meeting must be in the future (within two years)."), field="meeting_at")

    team = lead.team
    if ae is not None:
        if not ae_available(ae=ae, team=team, on=timezone.localdate(now)):
            raise ValidationFailed(_("Choose an active AE of your team who is not away."), field="ae")
        routed = False
    else:
        ae = ae_route_next(team=team, now=now)
        routed = True

    try:
        with transaction.atomic():
            handoff = Handoff.objects.create(
                team=team,
                lead=lead,
                sdr=by,
                ae=ae,
                routed=routed,
                next_step=next_step,
                meeting_at=meeting_at,
                icp_score=lead.score,
                icp_grade=lead.grade,
                icp_snapshot=list(lead.score_explanation or []),
                created_at=now,
                sla_due_at=now + datetime.timedelta(hours=team.handoff_sla_hours),
                **values,
            )
    except IntegrityError as error:  # a concurrent handoff of the same lead won
        raise Conflict(_("This lead already has a pending handoff.")) from error

    lead_set_status(lead=lead, status=LeadStatus.HANDED_OFF, by=by, data={"handoff": handoff.pk})
    _advance_stage(lead=lead, stage=LeadStage.SQL, by=by, at=now)
    activity_record(
        lead=lead,
        actor=by,
        kind=ActivityKind.SYSTEM,
        body=_("Handed off to %(ae)s: %(step)s")
        % {"ae": ae.display_name, "step": handoff.get_next_step_display()},
        data={
            "event": "handoff_created",
            "handoff": handoff.pk,
            "ae": ae.pk,
            "next_step": next_step,
            "meeting_at": meeting_at.isoformat() if meeting_at else None,
        },
        occurred_at=now,
    )
    enrollments_exit_for_lead(lead=lead, reason="handed_off", by=by)
    notification_create(
        user=ae,
        kind=NotificationKind.HANDOFF_NEW,
        title=_("New handoff: %(lead)s (%(company)s)") % {"lead": lead, "company": lead.company or "—"},
        body=_("From %(sdr)s. Next step: %(step)s.")
        % {"sdr": by.display_name, "step": handoff.get_next_step_display()},
        url=_inbox_url(handoff),
        dedupe_key=f"handoff-new:{handoff.pk}",
    )
    if meeting_at is not None:
        from handoffs import tasks  # tasks import this module

        handoff_id = handoff.pk
        transaction.on_commit(lambda: tasks.handoff_email_ae.delay(handoff_id))
    return handoff


def handoff_ics(*, handoff: Handoff) -> str:
    """The booked meeting as an iCalendar invitation (the SDR organises, the AE attends)."""
    lead = handoff.lead
    lines = [
        f"{_('Lead')}: {lead} · {lead.title} · {lead.company}",
        f"{_('Email')}: {lead.email}  {_('Phone')}: {lead.phone}",
        f"{_('Budget')}: {handoff.budget}",
        f"{_('Authority')}: {handoff.authority}",
        f"{_('Need')}: {handoff.need}",
        f"{_('Timeline')}: {handoff.timeline}",
    ]
    if handoff.notes:
        lines.append(f"{_('Notes')}: {handoff.notes}")
    return meeting_invitation(
        uid=f"handoff-{handoff.pk}@sdrcrm",
        start=handoff.meeting_at,
        summary=f"{handoff.get_next_step_display()}: {lead} ({lead.company})"
        if lead.company
        else f"{handoff.get_next_step_display()}: {lead}",
        description="\n".join(lines),
        organizer_name=handoff.sdr.display_name,
        organizer_email=handoff.sdr.email,
        attendees=[(handoff.ae.display_name, handoff.ae.email)],
        stamp=handoff.created_at,
    )


def handoff_email_ae(*, handoff_id: int) -> bool:
    """Emails the AE the booked meeting's invitation, at most once (the claim commits before sending)."""
    claimed = Handoff.objects.filter(
        pk=handoff_id, ae_emailed_at__isnull=True, meeting_at__isnull=False
    ).update(ae_emailed_at=timezone.now())
    if not claimed:
        return False
    handoff = Handoff.objects.select_related("lead", "sdr", "ae").get(pk=handoff_id)
    if not handoff.ae.email:
        return False
    lead = handoff.lead
    message = EmailMessage(
        subject=_("Handoff: %(step)s with %(lead)s")
        % {"step": handoff.get_next_step_display(), "lead": lead},
        body=_(
            "%(sdr)s handed you %(lead)s (%(company)s) with a booked %(step)s.\n\n"
            "Need: %(need)s\nTimeline: %(timeline)s\n\nThe invitation is attached."
        )
        % {
            "sdr": handoff.sdr.display_name,
            "lead": lead,
            "company": lead.company or "—",
            "step": handoff.get_next_step_display().lower(),
            "need": handoff.need,
            "timeline": handoff.timeline,
        },
        to=[handoff.ae.email],
        reply_to=[handoff.sdr.email] if handoff.sdr.email else None,
    )
    message.attach("invite.ics", handoff_ics(handoff=handoff), "text/calendar; method=REQUEST; charset=UTF-8")
    message.send()
    return True


def _lock_for_decision(*, handoff: Handoff, by: User) -> tuple[Handoff, Lead]:
    """Visibility (404), lead then handoff row locks, the right to decide (403), still pending (409)."""
    lead_id = Handoff.objects.visible_to(by).filter(pk=handoff.pk).values_list("lead_id", flat=True).first()
    if lead_id is None:
        raise NotFound(_("Handoff not found."))
    lead = _lock_lead(lead_id)
    locked = Handoff.objects.for_update().get(pk=handoff.pk)
    if not handoff_can_decide(user=by, handoff=locked):
        raise NotAllowed(_("Only the assigned AE or a manager decides this handoff."))
    return locked, lead


def _require_pending(handoff: Handoff) -> None:
    if handoff.status != HandoffStatus.PENDING:
        who = handoff.decided_by.display_name if handoff.decided_by else _("someone")
        raise Conflict(
            _("This handoff was already %(status)s by %(who)s.")
            % {"status": handoff.get_status_display().lower(), "who": who},
            code="already_decided",
            status=handoff.status,
        )


def _check_expected_close(expected_close: datetime.date | None, *, now: datetime.datetime) -> None:
    """A new deal is expected to close today or later (a day's slack for time zones)."""
    if expected_close is not None and expected_close < now.date() - datetime.timedelta(days=1):
        raise ValidationFailed(_("The expected close date is in the past."), field="expected_close")


def _check_amount(value, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError) as error:
        raise ValidationFailed(_("Give an amount."), field=field) from error
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise ValidationFailed(_("Give an amount between 0 and %(max)s.") % {"max": MAX_AMOUNT}, field=field)
    return amount.quantize(Decimal("0.01"))


def _mark_decided(handoff: Handoff, *, status: str, by: User, now) -> list[str]:
    handoff.status = status
    handoff.decided_at = now
    handoff.decided_by = by
    fields = ["status", "decided_at", "decided_by"]
    if handoff.sla_breached_at is None and now > handoff.sla_due_at:
        handoff.sla_breached_at = now
        fields.append("sla_breached_at")
    return fields


def _opportunity_name(lead: Lead) -> str:
    return (lead.company or lead.full_name or lead.email or _("Opportunity"))[:200]


@transaction.atomic
def handoff_accept(
    *,
    handoff: Handoff,
    by: User,
    amount,
    expected_close: datetime.date | None = None,
    name: str = "",
    now: datetime.datetime | None = None,
) -> Opportunity:
    """The AE (or a manager) accepts: an opportunity sourced by the SDR, the lead converted."""
    now = now or timezone.now()
    amount = _check_amount(amount)
    _check_expected_close(expected_close, now=now)
    handoff, lead = _lock_for_decision(handoff=handoff, by=by)
    _require_pending(handoff)
    handoff.save(update_fields=_mark_decided(handoff, status=HandoffStatus.ACCEPTED, by=by, now=now))
    opportunity = Opportunity.objects.create(
        team_id=handoff.team_id,
        lead=lead,
        handoff=handoff,
        name=(name or "").strip()[:200] or _opportunity_name(lead),
        amount=amount,
        stage=OpportunityStage.DISCOVERY,
        sourced_by_id=handoff.sdr_id,
        owner_id=handoff.ae_id,
        expected_close=expected_close,
        created_at=now,
        updated_at=now,
    )
    OpportunityStageChange.objects.create(
        opportunity=opportunity, from_stage="", to_stage=opportunity.stage, changed_by=by, changed_at=now
    )
    lead_set_status(lead=lead, status=LeadStatus.CONVERTED, by=by, data={"handoff": handoff.pk})
    _advance_stage(lead=lead, stage=LeadStage.OPPORTUNITY, by=by, at=now)
    activity_record(
        lead=lead,
        actor=by,
        kind=ActivityKind.SYSTEM,
        body=_("Handoff accepted: opportunity “%(name)s”, %(amount)s")
        % {"name": opportunity.name, "amount": opportunity.amount},
        data={"event": "handoff_accepted", "handoff": handoff.pk, "opportunity": opportunity.pk},
        occurred_at=now,
    )
    notification_create(
        user=handoff.sdr,
        kind=NotificationKind.HANDOFF_DECIDED,
        title=_("%(who)s accepted %(lead)s") % {"who": by.display_name, "lead": lead},
        body=_("Opportunity “%(name)s”, %(amount)s.")
        % {"name": opportunity.name, "amount": opportunity.amount},
        url=_lead_url(lead),
        dedupe_key=f"handoff-decided:{handoff.pk}",
    )
    audit.record(
        action="handoff.accepted", target=handoff, actor=by, changes={"opportunity": [None, opportunity.pk]}
    )
    return opportunity


@transaction.atomic
def handoff_reject(
    *, handoff: Handoff, by: User, reason: str, note: str = "", now: datetime.datetime | None = None
) -> Handoff:
    """The AE (or a manager) rejects with a reason: the lead goes back to its SDR as `working`, the SDR
    is told why, and the handoff keeps which ICP criteria the lead matched."""
    now = now or timezone.now()
    if reason not in RejectReason.values:
        raise ValidationFailed(_("Choose a reason."), field="reason")
    note = (note or "").strip()
    handoff, lead = _lock_for_decision(handoff=handoff, by=by)
    _require_pending(handoff)
    fields = _mark_decided(handoff, status=HandoffStatus.REJECTED, by=by, now=now)
    handoff.reject_reason = reason
    handoff.reject_note = note
    handoff.save(update_fields=[*fields, "reject_reason", "reject_note"])
    label = handoff.get_reject_reason_display()
    lead_set_status(
        lead=lead,
        status=LeadStatus.WORKING,
        by=by,
        reason=_("Handoff rejected: %(reason)s") % {"reason": label},
        data={"handoff": handoff.pk, "reject_reason": reason},
    )
    activity_record(
        lead=lead,
        actor=by,
        kind=ActivityKind.SYSTEM,
        body=_("Handoff rejected: %(reason)s. %(note)s") % {"reason": label, "note": note},
        data={
            "event": "handoff_rejected",
            "handoff": handoff.pk,
            "reason": reason,
            "note": note,
            "icp_matched": handoff.icp_matched,
        },
        occurred_at=now,
    )
    notification_create(
        user=handoff.sdr,
        kind=NotificationKind.HANDOFF_DECIDED,
        title=_("%(who)s rejected %(lead)s: %(reason)s")
        % {"who": by.display_name, "lead": lead, "reason": label},
        body=note,
        url=_lead_url(lead),
        dedupe_key=f"handoff-decided:{handoff.pk}",
    )
    audit.record(
        action="handoff.rejected", target=handoff, actor=by, changes={"reject_reason": [None, reason]}
    )
    return handoff


@transaction.atomic
def handoff_record_meeting(
    *,
    handoff: Handoff,
    by: User,
    outcome: str,
    note: str = "",
    meeting_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> Handoff:
    """The AE records whether the booked meeting was held, a no-show or rescheduled (optionally to a new
    time). The outcome is credited to the SDR who booked it; held and no-show are final."""
    now = now or timezone.now()
    if outcome not in MeetingOutcome.values:
        raise ValidationFailed(_("Choose held, no-show or rescheduled."), field="outcome")
    handoff, lead = _lock_for_decision(handoff=handoff, by=by)
    if handoff.meeting_at is None:
        raise ValidationFailed(_("No meeting was booked with this handoff."), field="outcome")
    if handoff.meeting_outcome in (MeetingOutcome.HELD, MeetingOutcome.NO_SHOW):
        raise Conflict(
            _("The meeting was already recorded as %(outcome)s.")
            % {"outcome": handoff.get_meeting_outcome_display().lower()},
            code="already_recorded",
        )
    if meeting_at is not None and not now < meeting_at <= now + MEETING_HORIZON:
        raise ValidationFailed(
            _("The new time must be in the future (within two years)."), field="meeting_at"
        )
    fields = ["meeting_outcome", "meeting_outcome_at", "meeting_outcome_note"]
    handoff.meeting_outcome = outcome
    handoff.meeting_outcome_at = now
    handoff.meeting_outcome_note = (note or "").strip()
    if outcome == MeetingOutcome.RESCHEDULED and meeting_at is not None:
        handoff.meeting_at = meeting_at
        fields.append("meeting_at")
    handoff.save(update_fields=fields)
    activity_record(
        lead=lead,
        actor=by,
        kind=ActivityKind.MEETING,
        body=_("Meeting %(outcome)s. %(note)s")
        % {"outcome": handoff.get_meeting_outcome_display().lower(), "note": handoff.meeting_outcome_note},
        data={
            "event": "handoff_meeting",
            "handoff": handoff.pk,
            "outcome": outcome,
            "credited_to": handoff.sdr_id,
        },
        occurred_at=now,
    )
    return handoff


def handoff_sla_sweep(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Flags pending handoffs whose SLA passed; notifies the AE and the team's managers once. Returns how
    many were flagged by this run (0 on a repeat)."""
    now = now or timezone.now()
    due = Handoff.objects.filter(
        status=HandoffStatus.PENDING, sla_breached_at__isnull=True, sla_due_at__lte=now
    ).order_by("sla_due_at", "pk")
    return sum(
        handoff_flag_sla_breach(handoff_id=pk, now=now) for pk in due.values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def handoff_flag_sla_breach(*, handoff_id: int, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    lead_id = Handoff.objects.filter(pk=handoff_id).values_list("lead_id", flat=True).first()
    if lead_id is None:
        return 0
    _lock_lead(lead_id)
    flagged = Handoff.objects.filter(
        pk=handoff_id, status=HandoffStatus.PENDING, sla_breached_at__isnull=True, sla_due_at__lte=now
    ).update(sla_breached_at=now)
    if not flagged:
        return 0
    handoff = Handoff.objects.select_related("lead", "ae", "sdr", "team").get(pk=handoff_id)
    lead = handoff.lead
    activity_record(
        lead=lead,
        actor=None,
        kind=ActivityKind.SYSTEM,
        body=_("The AE response SLA passed without a decision."),
        data={"event": "handoff_sla_breached", "handoff": handoff.pk, "ae": handoff.ae_id},
        occurred_at=now,
    )
    title = _("SLA breached: %(lead)s waits for %(ae)s") % {"lead": lead, "ae": handoff.ae.display_name}
    for user in [handoff.ae, *team_managers(team=handoff.team)]:
        notification_create(
            user=user,
            kind=NotificationKind.SLA_BREACH,
            title=title,
            body=_("Handed off by %(sdr)s; due %(due)s.")
            % {"sdr": handoff.sdr.display_name, "due": handoff.sla_due_at.strftime("%Y-%m-%d %H:%M UTC")},
            url=_inbox_url(handoff),
            dedupe_key=f"handoff-sla:{handoff.pk}",
        )
    return 1


# Opportunities ----------------------------------------------------------------------------------


def _check_stage(stage: str) -> str:
    if stage not in OpportunityStage.values:
        raise ValidationFailed(_("Choose a stage."), field="stage")
    return stage


def _stage_moved(*, opportunity: Opportunity, previous: str, by: User, now, lead: Lead | None) -> None:
    OpportunityStageChange.objects.create(
        opportunity=opportunity,
        from_stage=previous,
        to_stage=opportunity.stage,
        changed_by=by,
        changed_at=now,
    )
    if lead is None:
        return
    activity_record(
        lead=lead,
        actor=by,
        kind=ActivityKind.SYSTEM,
        body=_("Opportunity “%(name)s” moved to %(stage)s")
        % {"name": opportunity.name, "stage": opportunity.get_stage_display().lower()},
        data={
            "event": "opportunity_stage",
            "opportunity": opportunity.pk,
            "from": previous,
            "to": opportunity.stage,
        },
        occurred_at=now,
    )
    if opportunity.stage == OpportunityStage.WON:
        _advance_stage(lead=lead, stage=LeadStage.CUSTOMER, by=by, at=now)


def _apply_stage(opportunity: Opportunity, stage: str, now) -> None:
    opportunity.stage = stage
    if stage in CLOSED_STAGES:
        opportunity.closed_at = now
    else:
        opportunity.closed_at = None
    if stage in STAGE_TWO_STAGES and opportunity.reached_stage2_at is None:
        opportunity.reached_stage2_at = now


def _check_member(user: User | None, *, team_id: int, roles, field: str, message: str) -> None:
    if user is not None and (user.team_id != team_id or user.role not in roles or not user.is_active):
        raise ValidationFailed(message, field=field)


@transaction.atomic
def opportunity_create(
    *,
    by: User,
    name: str = "",
    amount,
    owner: User | None = None,
    lead: Lead | None = None,
    sourced_by: User | None = None,
    stage: str = OpportunityStage.DISCOVERY,
    expected_close: datetime.date | None = None,
    lost_reason: str = "",
    now: datetime.datetime | None = None,
) -> Opportunity:
    """An AE opens an opportunity of their own (with no SDR source unless one is named); a manager or
    an admin opens one for an AE of the team."""
    now = now or timezone.now()
    _check_expected_close(expected_close, now=now)
    if not (by.is_ae or by.is_manager or by.is_admin):
        raise NotAllowed(_("Only AEs and managers open opportunities."))
    if by.is_ae:
        owner = owner or by
        if owner.pk != by.pk:
            raise NotAllowed(_("An AE opens opportunities for themselves."))
    elif owner is None:
        raise ValidationFailed(_("Choose the AE who owns it."), field="owner")
    team_id = owner.team_id if by.is_admin else by.team_id
    _check_member(
        owner,
        team_id=team_id,
        roles=[Role.AE],
        field="owner",
        message=_("The owner must be an active AE of the team."),
    )
    _check_member(
        sourced_by, team_id=team_id, roles=[Role.SDR, Role.BDR], field="sourced_by",
        message=_("The source must be an SDR or BDR of the team."),
    )  # fmt: skip
    amount = _check_amount(amount)
    stage = _check_stage(stage)
    lost_reason = (lost_reason or "").strip()[:300]
    if stage == OpportunityStage.LOST and not lost_reason:
        raise ValidationFailed(_("Say why it was lost."), field="lost_reason")
    if lead is not None:
        if lead.team_id != team_id or not Lead.objects.visible_to(by).filter(pk=lead.pk).exists():
            raise ValidationFailed(_("Unknown lead."), field="lead")
        lead = _lock_lead(lead.pk)
    name = (name or "").strip()[:200] or (_opportunity_name(lead) if lead else "")
    if not name:
        raise ValidationFailed(_("Give the opportunity a name."), field="name")
    opportunity = Opportunity(
        team_id=team_id,
        lead=lead,
        name=name,
        amount=amount,
        sourced_by=sourced_by,
        owner=owner,
        expected_close=expected_close,
        lost_reason=lost_reason,
        created_at=now,
        updated_at=now,
    )
    _apply_stage(opportunity, stage, now)
    opportunity.save()
    if lead is not None:
        _advance_stage(lead=lead, stage=LeadStage.OPPORTUNITY, by=by, at=now)
    _stage_moved(opportunity=opportunity, previous="", by=by, now=now, lead=lead)
    audit.record(
        action="opportunity.created",
        target=opportunity,
        actor=by,
        changes={"amount": [None, amount], "stage": [None, stage]},
    )
    return opportunity


OPPORTUNITY_EDITABLE = ("name", "amount", "stage", "expected_close", "lost_reason", "owner", "sourced_by")
MANAGER_ONLY = ("owner", "sourced_by")


@transaction.atomic
def opportunity_update(
    *, opportunity: Opportunity, by: User, now: datetime.datetime | None = None, **changes
) -> Opportunity:
    """Edits an opportunity. Stage moves leave an audit row and a timeline row; won stamps `closed_at`
    and makes the lead a customer; lost needs a reason. Sourced-by SDRs read only; only a manager
    re-assigns or re-attributes."""
    now = now or timezone.now()
    lead_id = Opportunity.objects.visible_to(by).filter(pk=opportunity.pk).values_list("lead_id", flat=True)
    found = list(lead_id[:1])
    if not found:
        raise NotFound(_("Opportunity not found."))
    if by.is_prospector:
        raise NotAllowed(_("Opportunities are read-only for SDRs and BDRs."))
    unknown = set(changes) - set(OPPORTUNITY_EDITABLE)
    if unknown:
        raise ValidationFailed(_("Cannot change %(names)s.") % {"names": ", ".join(sorted(unknown))})
    if by.is_ae and set(changes) & set(MANAGER_ONLY):
        raise NotAllowed(_("Only a manager re-assigns or re-attributes an opportunity."))
    lead = _lock_lead(found[0]) if found[0] else None
    opportunity = Opportunity.objects.for_update().get(pk=opportunity.pk)
    before = {field: getattr(opportunity, field) for field in OPPORTUNITY_EDITABLE}
    fields = {"updated_at"}
    if "name" in changes:
        name = (changes["name"] or "").strip()[:200]
        if not name:
            raise ValidationFailed(_("Give the opportunity a name."), field="name")
        opportunity.name = name
        fields.add("name")
    if "amount" in changes:
        opportunity.amount = _check_amount(changes["amount"])
        fields.add("amount")
    if "expected_close" in changes:
        opportunity.expected_close = changes["expected_close"]
        fields.add("expected_close")
    if "lost_reason" in changes:
        opportunity.lost_reason = (changes["lost_reason"] or "").strip()[:300]
        fields.add("lost_reason")
    if "owner" in changes:
        _check_member(changes["owner"], team_id=opportunity.team_id, roles=[Role.AE], field="owner",
                      message=_("The owner must be an active AE of the team."))  # fmt: skip
        if changes["owner"] is None:
            raise ValidationFailed(_("Choose the AE who owns it."), field="owner")
        opportunity.owner = changes["owner"]
        fields.add("owner")
    if "sourced_by" in changes:
        _check_member(changes["sourced_by"], team_id=opportunity.team_id, roles=[Role.SDR, Role.BDR],
                      field="sourced_by", message=_("The source must be an SDR or BDR of the team."))  # fmt: skip
        opportunity.sourced_by = changes["sourced_by"]
        fields.add("sourced_by")
    previous = opportunity.stage
    if "stage" in changes:
        stage = _check_stage(changes["stage"])
        if stage != previous:
            _apply_stage(opportunity, stage, now)
            fields |= {"stage", "closed_at", "reached_stage2_at"}
    if opportunity.stage == OpportunityStage.LOST and not opportunity.lost_reason:
        raise ValidationFailed(_("Say why it was lost."), field="lost_reason")
    opportunity.updated_at = now
    opportunity.save(update_fields=sorted(fields))
    after = {field: getattr(opportunity, field) for field in OPPORTUNITY_EDITABLE}
    if changed := audit.changes_between(before, after):
        audit.record(action="opportunity.updated", target=opportunity, actor=by, changes=changed)
    if opportunity.stage != previous:
        _stage_moved(opportunity=opportunity, previous=previous, by=by, now=now, lead=lead)
    return opportunity
