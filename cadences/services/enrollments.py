"""Enrollments and the touches they schedule.

Invariants: a lead has at most one open (active or paused) enrollment (a partial unique index);
a touch exists at most once per (enrollment, step) (a unique constraint, reached with get_or_create);
the next step is scheduled only when the one before it ends, from that moment, so a late step shifts
the later ones; every enrollment change writes a timeline row.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from cadences import schedule
from cadences.models import (
    CLOSED_LEAD_STATUSES,
    Cadence,
    Enrollment,
    EnrollmentState,
    ExitReason,
    Step,
    Touch,
    TouchStatus,
)
from cadences.services.common import lead_zone, timeline
from leads.models import Activity, ActivityKind, Lead
from sdrcrm.audit import services as audit
from sdrcrm.core.errors import Conflict, NotFound, ValidationFailed

SKIP_ALREADY_ENROLLED = "already_enrolled"
SKIP_OPTED_OUT = "opted_out"
SKIP_DISQUALIFIED = "disqualified"
SKIP_NOT_VISIBLE = "not_visible"


def _touch_owner(lead: Lead, by):
    if lead.owner_id:
        return lead.owner
    if by is not None and getattr(by, "is_prospector", False):
        return by
    return None


def _due_for(
    *, step: Step, cadence: Cadence, lead: Lead, owner, start: datetime.datetime
) -> datetime.datetime:
    return schedule.due_after(
        start,
        wait_days=step.wait_days,
        zone=lead_zone(lead, owner),
        window_start=cadence.window_start,
        window_end=cadence.window_end,
        business_days_only=cadence.business_days_only,
    )


def _variant_for(step: Step, enrollment: Enrollment) -> int | None:
    """Leads split evenly between a step's variants (0 is the step's own text, 1… the extra ones)."""
    if not step.variants:
        return None
    return enrollment.pk % (len(step.variants) + 1)


def _touch_create(*, enrollment: Enrollment, step: Step, lead: Lead, owner, due_at) -> Touch:
    touch, _created = Touch.objects.get_or_create(
        enrollment=enrollment,
        step=step,
        defaults={
            "team_id": enrollment.team_id,
            "lead": lead,
            "owner": owner,
            "channel": step.channel,
            "due_at": due_at,
            "variant": _variant_for(step, enrollment),
        },
    )
    return touch


def active_steps(cadence: Cadence) -> list[Step]:
    return list(cadence.steps.filter(archived_at__isnull=True).order_by("position"))


@transaction.atomic
def cadence_enroll(*, cadence: Cadence, lead_ids, by, now: datetime.datetime | None = None) -> dict:
    """Enrolls each lead it may; the others come back with a reason. Step 1 is due `wait_days` from now."""
    now = now or timezone.now()
    if not cadence.is_active:
        raise Conflict("This cadence is not active.", field="cadence")
    steps = active_steps(cadence)
    if not steps:
        raise ValidationFailed("This cadence has no steps yet.", field="steps")
    wanted = list(dict.fromkeys(int(i) for i in lead_ids))
    leads = {
        lead.pk: lead
        for lead in Lead.objects.visible_to(by)
        .filter(pk__in=wanted, team_id=cadence.team_id)
        .select_related("owner")
    }
    already = set(Enrollment.objects.open().filter(lead_id__in=list(leads)).values_list("lead_id", flat=True))
    enrolled, skipped = [], []
    for lead_id in wanted:
        lead = leads.get(lead_id)
        if lead is None:
            skipped.append({"lead": lead_id, "reason": SKIP_NOT_VISIBLE})
        elif lead.opted_out:
            skipped.append({"lead": lead_id, "reason": SKIP_OPTED_OUT})
        elif lead.status in CLOSED_LEAD_STATUSES:
            skipped.append({"lead": lead_id, "reason": SKIP_DISQUALIFIED})
        elif lead_id in already:
            skipped.append({"lead": lead_id, "reason": SKIP_ALREADY_ENROLLED})
        else:
            try:
                with transaction.atomic():
                    enrollment = Enrollment.objects.create(
                        team_id=cadence.team_id, lead=lead, cadence=cadence, enrolled_by=by, created_at=now
                    )
            except IntegrityError:  # a concurrent enrollment won the partial unique index
                skipped.append({"lead": lead_id, "reason": SKIP_ALREADY_ENROLLED})
                continue
            owner = _touch_owner(lead, by)
            _touch_create(
                enrollment=enrollment,
                step=steps[0],
                lead=lead,
                owner=owner,
                due_at=_due_for(step=steps[0], cadence=cadence, lead=lead, owner=owner, start=now),
            )
            timeline(
                lead=lead,
                by=by,
                event="enrolled",
                body=cadence.name,
                cadence=cadence.pk,
                enrollment=enrollment.pk,
            )
            enrolled.append(lead_id)
    return {"enrolled": enrolled, "skipped": skipped}


def schedule_next_touch(*, touch: Touch, now: datetime.datetime | None = None) -> Touch | None:
    """After `touch` ended: the next step's touch (created once), or the enrollment completes."""
    now = now or timezone.now()
    enrollment = Enrollment.objects.select_related("cadence").get(pk=touch.enrollment_id)
    if enrollment.state not in (EnrollmentState.ACTIVE, EnrollmentState.PAUSED):
        return None
    next_step = (
        Step.objects.filter(
            cadence_id=enrollment.cadence_id, archived_at__isnull=True, position__gt=touch.step.position
        )
        .order_by("position")
        .first()
    )
    lead = Lead.objects.select_related("owner").get(pk=touch.lead_id)
    if next_step is None:
        updated = Enrollment.objects.filter(pk=enrollment.pk, state__in=["active", "paused"]).update(
            state=EnrollmentState.COMPLETED, ended_at=now
        )
        if updated:
            timeline(lead=lead, by=None, event="enrollment_completed", body=enrollment.cadence.name,
                     cadence=enrollment.cadence_id, enrollment=enrollment.pk)  # fmt: skip
        return None
    owner = lead.owner if lead.owner_id else touch.owner
    due_at = _due_for(step=next_step, cadence=enrollment.cadence, lead=lead, owner=owner, start=now)
    return _touch_create(enrollment=enrollment, step=next_step, lead=lead, owner=owner, due_at=due_at)


def schedule_next_touches(
    touches: list[Touch], *, steps: dict[int, list[Step]], now: datetime.datetime
) -> list[Activity]:
    """`schedule_next_touch` for a group of ended touches: the next step's touch (created once per
    enrollment and step), or the enrollment completes. Returns the completions' timeline rows."""
    next_touches, completing = [], {}
    states = dict(
        Enrollment.objects.filter(pk__in=[touch.enrollment_id for touch in touches]).values_list(
            "pk", "state"
        )
    )
    for touch in touches:
        enrollment = touch.enrollment
        if states.get(enrollment.pk) not in (EnrollmentState.ACTIVE, EnrollmentState.PAUSED):
            continue
        if enrollment.cadence_id not in steps:
            steps[enrollment.cadence_id] = active_steps(enrollment.cadence)
        later = [step for step in steps[enrollment.cadence_id] if step.position > touch.step.position]
        if not later:
            completing[enrollment.pk] = touch
            continue
        lead = touch.lead
        owner = lead.owner if lead.owner_id else touch.owner
        next_touches.append(
            Touch(
                team_id=enrollment.team_id, enrollment=enrollment, lead=lead, step=later[0], owner=owner,
                channel=later[0].channel, variant=_variant_for(later[0], enrollment),
                due_at=_due_for(step=later[0], cadence=enrollment.cadence, lead=lead, owner=owner, start=now),
            )
        )  # fmt: skip
    if next_touches:
        Touch.objects.bulk_create(next_touches, ignore_conflicts=True)  # once per (enrollment, step)
    if not completing:
        return []
    open_states = [EnrollmentState.ACTIVE, EnrollmentState.PAUSED]
    updated = Enrollment.objects.filter(pk__in=list(completing), state__in=open_states).update(
        state=EnrollmentState.COMPLETED, ended_at=now
    )
    ended = list(completing)
    if updated < len(completing):  # some ended otherwise meanwhile: the ones completed here are known by time
        ended = list(
            Enrollment.objects.filter(
                pk__in=ended, state=EnrollmentState.COMPLETED, ended_at=now
            ).values_list("pk", flat=True)
        )
    return [
        Activity(
            lead_id=touch.lead_id, team_id=touch.lead.team_id, kind=ActivityKind.SYSTEM, created_at=now,
            body=touch.enrollment.cadence.name,
            data={"event": "enrollment_completed", "cadence": touch.enrollment.cadence_id,
                  "enrollment": touch.enrollment_id},
        )
        for touch in (completing[pk] for pk in ended)
    ]  # fmt: skip


def _lock_enrollment(enrollment: Enrollment) -> Enrollment:
    return Enrollment.objects.for_update().select_related("cadence", "lead").get(pk=enrollment.pk)


@transaction.atomic
def enrollment_exit(*, enrollment: Enrollment, reason: str, by, now=None) -> bool:
    """Ends an open enrollment with `reason` and cancels its scheduled touches. False if it was not open."""
    if reason not in ExitReason.values:
        raise ValidationFailed(f"Unknown exit reason {reason!r}.", field="reason")
    now = now or timezone.now()
    enrollment = _lock_enrollment(enrollment)
    if not enrollment.is_open:
        return False
    enrollment.state = EnrollmentState.EXITED
    enrollment.exit_reason = reason
    enrollment.ended_at = now
    enrollment.resume_at = None
    enrollment.save(update_fields=["state", "exit_reason", "ended_at", "resume_at"])
    canceled = Touch.objects.filter(enrollment=enrollment, status=TouchStatus.SCHEDULED).update(
        status=TouchStatus.CANCELED, completed_at=now
    )
    timeline(
        lead=enrollment.lead,
        by=by,
        event="enrollment_exited",
        body=enrollment.cadence.name,
        cadence=enrollment.cadence_id,
        enrollment=enrollment.pk,
        reason=reason,
        canceled_touches=canceled,
    )
    audit.record(
        action="enrollment.exited",
        target=enrollment,
        actor=by,
        changes={"state": ["open", "exited"], "exit_reason": [None, reason]},
    )
    return True


@transaction.atomic
def enrollments_exit_for_lead(*, lead: Lead, reason: str, by) -> int:
    """Exits the lead's open enrollment (if any) with `reason`; cancels its scheduled touches and
    writes the timeline row. Returns how many enrollments ended (0 or 1). Called by handoffs
    (`handed_off`) and by the leads app (`disqualified`, `nurture`)."""
    ended = 0
    for enrollment in Enrollment.objects.open().filter(lead_id=lead.pk).order_by("pk"):
        ended += enrollment_exit(enrollment=enrollment, reason=reason, by=by)
    return ended


@transaction.atomic
def enrollment_pause(*, enrollment: Enrollment, by, resume_at=None, reason: str = "", now=None) -> Enrollment:
    now = now or timezone.now()
    enrollment = _lock_enrollment(enrollment)
    if enrollment.state == EnrollmentState.PAUSED:
        if resume_at and enrollment.resume_at != resume_at:
            audit.record(
                action="enrollment.resume_date_changed",
                target=enrollment,
                actor=by,
                changes=audit.changes_between({"resume_at": enrollment.resume_at}, {"resume_at": resume_at}),
            )
            enrollment.resume_at = resume_at
            enrollment.save(update_fields=["resume_at"])
        return enrollment
    if enrollment.state != EnrollmentState.ACTIVE:
        raise Conflict("Only an active enrollment can be paused.", field="state")
    enrollment.state = EnrollmentState.PAUSED
    enrollment.paused_at = now
    enrollment.resume_at = resume_at
    enrollment.save(update_fields=["state", "paused_at", "resume_at"])
    timeline(lead=enrollment.lead, by=by, event="enrollment_paused", body=reason or enrollment.cadence.name,
             enrollment=enrollment.pk, resume_at=resume_at.isoformat() if resume_at else None)  # fmt: skip
    audit.record(
        action="enrollment.paused", target=enrollment, actor=by, changes={"state": ["active", "paused"]}
    )
    return enrollment


@transaction.atomic
def enrollment_resume(*, enrollment: Enrollment, by, now=None) -> Enrollment:
    """Back to active. A touch that fell due during the pause is due now (in the window): it shifts,
    and the later steps shift with it; nothing catches up."""
    now = now or timezone.now()
    enrollment = _lock_enrollment(enrollment)
    if enrollment.state == EnrollmentState.ACTIVE:
        return enrollment
    if enrollment.state != EnrollmentState.PAUSED:
        raise Conflict("Only a paused enrollment can be resumed.", field="state")
    enrollment.state = EnrollmentState.ACTIVE
    enrollment.resume_at = None
    enrollment.save(update_fields=["state", "resume_at"])
    cadence, lead = enrollment.cadence, enrollment.lead
    pending = Touch.objects.filter(enrollment=enrollment, status=TouchStatus.SCHEDULED).select_related(
        "owner"
    )
    for touch in pending:
        paused_for = now - (enrollment.paused_at or now)
        shifted = schedule.into_window(
            max(touch.due_at + paused_for, now),
            zone=lead_zone(lead, touch.owner),
            window_start=cadence.window_start,
            window_end=cadence.window_end,
            business_days_only=cadence.business_days_only,
        )
        Touch.objects.filter(pk=touch.pk, status=TouchStatus.SCHEDULED).update(due_at=shifted)
    timeline(lead=lead, by=by, event="enrollment_resumed", body=cadence.name, enrollment=enrollment.pk)
    audit.record(
        action="enrollment.resumed", target=enrollment, actor=by, changes={"state": ["paused", "active"]}
    )
    return enrollment


def enrollments_resume_due(*, now=None) -> int:
    """Resumes paused enrollments whose `resume_at` has passed (out-of-office returns). Safe to run twice."""
    now = now or timezone.now()
    resumed = 0
    for enrollment in Enrollment.objects.filter(state=EnrollmentState.PAUSED, resume_at__lte=now)[:1000]:
        try:
            enrollment_resume(enrollment=enrollment, by=None, now=now)
            resumed += 1
        except (Conflict, NotFound):
            continue
    return resumed
