"""What a rep does to a touch from the queue: complete (call outcomes, LinkedIn, task, a manual email
marked sent), send a manual email, skip, reschedule; and reminders.

Invariants: only a scheduled touch changes (a second click is a 409, never a second effect); every
completion writes the timeline row and schedules the next step; a voicemail creates a follow-up
reminder (default: 2 business days later, in the rep's zone).
"""

import datetime

from django.db import transaction
from django.utils import timezone

from cadences import schedule, templating
from cadences.models import (
    Channel,
    Reminder,
    ReminderStatus,
    Touch,
    TouchOutcome,
    TouchStatus,
)
from cadences.services.common import timeline
from cadences.services.enrollments import schedule_next_touch
from leads.services import activity_record
from sdrcrm.core.errors import Conflict, ValidationFailed

CHANNEL_OUTCOMES = {
    Channel.CALL: {
        TouchOutcome.CONNECTED,
        TouchOutcome.NO_ANSWER,
        TouchOutcome.VOICEMAIL,
        TouchOutcome.WRONG_NUMBER,
    },
    Channel.MANUAL_EMAIL: {TouchOutcome.SENT},
    Channel.EMAIL: {TouchOutcome.SENT},
    Channel.LINKEDIN: {TouchOutcome.DONE},
    Channel.TASK: {TouchOutcome.DONE},
}
ACTIVITY_KIND = {
    Channel.CALL: "call",
    Channel.MANUAL_EMAIL: "email",
    Channel.EMAIL: "email",
    Channel.LINKEDIN: "linkedin",
    Channel.TASK: "task",
}


def _lock_scheduled(touch: Touch) -> Touch:
    locked = (
        Touch.objects.select_for_update(of=("self",))
        .select_related("lead", "step", "enrollment__cadence", "owner")
        .get(pk=touch.pk)
    )
    if locked.status != TouchStatus.SCHEDULED:
        raise Conflict(f"This touch is already {locked.get_status_display().lower()}.", field="status")
    return locked


def default_outcome(channel: str) -> str:
    return {Channel.LINKEDIN: "done", Channel.TASK: "done", Channel.MANUAL_EMAIL: "sent"}.get(channel, "")


@transaction.atomic
def touch_complete(*, touch: Touch, outcome: str, by, note: str = "", now=None) -> Touch:
    now = now or timezone.now()
    touch = _lock_scheduled(touch)
    outcome = outcome or default_outcome(touch.channel)
    if outcome not in CHANNEL_OUTCOMES[touch.channel]:
        allowed = ", ".join(sorted(CHANNEL_OUTCOMES[touch.channel]))
        raise ValidationFailed(f"A {touch.channel} touch takes outcome {allowed}.", field="outcome")
    touch.status = TouchStatus.DONE
    touch.outcome = outcome
    touch.note = note or ""
    touch.completed_at = now
    touch.completed_by = by
    touch.save(update_fields=["status", "outcome", "note", "completed_at", "completed_by"])
    activity_record(
        lead=touch.lead,
        actor=by,
        kind=ACTIVITY_KIND[touch.channel],
        outcome=outcome if outcome != "done" else "",
        body=note or touch.step.instructions or touch.subject,
        data={"touch": touch.pk, "step": touch.step_id, "channel": touch.channel, "variant": touch.variant},
        occurred_at=now,
    )
    if touch.channel == Channel.CALL and outcome == TouchOutcome.VOICEMAIL:
        reminder_for_voicemail(touch=touch, by=by, now=now)
    schedule_next_touch(touch=touch, now=now)
    return touch


def reminder_for_voicemail(*, touch: Touch, by, now) -> Reminder:
    from cadences.services.sending import policy_for

    owner = touch.owner or by
    zone = schedule.zone_for(getattr(owner, "timezone", ""), touch.lead.timezone)
    days = policy_for(touch.team_id).voicemail_followup_business_days
    local = now.astimezone(zone)
    due_day = schedule.add_business_days(local.date(), days)
    due_at = schedule.local_at(due_day, local.time().replace(tzinfo=None), zone)
    return reminder_create(
        lead=touch.lead,
        owner=owner,
        due_at=due_at,
        note="Call again: voicemail left",
        by=by,
        source_touch=touch,
    )


@transaction.atomic
def touch_send_manual(*, touch: Touch, by, subject: str, body: str, now=None) -> Touch:
    """Sends a manual email step with the rep's edited text through the same at-most-once executor."""
    import uuid

    from cadences.services.sending import _enqueue, lease_seconds

    now = now or timezone.now()
    touch = _lock_scheduled(touch)
    if touch.channel not in (Channel.MANUAL_EMAIL, Channel.EMAIL):
        raise ValidationFailed("Only an email step is sent.", field="channel")
    if not (subject or "").strip() or not (body or "").strip():
        raise ValidationFailed("An email needs a subject and a body.", field="body")
    if touch.lead.opted_out or touch.lead.email_bounced or not touch.lead.email:
        raise Conflict("This lead may not be emailed (opted out, bounced or no address).", field="lead")
    touch.subject, touch.body = subject.strip()[:300], body
    touch.status = TouchStatus.SENDING
    touch.lease_token = uuid.uuid4()
    touch.lease_expires_at = now + datetime.timedelta(seconds=lease_seconds())
    touch.owner = touch.owner or by
    touch.save(update_fields=["subject", "body", "status", "lease_token", "lease_expires_at", "owner"])
    touch_id = touch.pk
    transaction.on_commit(lambda: _enqueue([touch_id]))
    return touch


@transaction.atomic
def touch_skip(*, touch: Touch, by, note: str = "", now=None) -> Touch:
    now = now or timezone.now()
    touch = _lock_scheduled(touch)
    touch.status = TouchStatus.SKIPPED
    touch.completed_at = now
    touch.completed_by = by
    touch.note = note or ""
    touch.save(update_fields=["status", "completed_at", "completed_by", "note"])
    timeline(lead=touch.lead, by=by, event="touch_skipped", body=note, touch=touch.pk, channel=touch.channel)
    schedule_next_touch(touch=touch, now=now)
    return touch


def _require_future(due_at: datetime.datetime) -> None:
    if timezone.is_naive(due_at):
        raise ValidationFailed("Give a time with its offset.", field="due_at")
    if due_at <= timezone.now():
        raise ValidationFailed("Pick a time in the future.", field="due_at")


@transaction.atomic
def touch_reschedule(*, touch: Touch, by, due_at: datetime.datetime) -> Touch:
    _require_future(due_at)
    touch = _lock_scheduled(touch)
    touch.due_at = due_at
    touch.save(update_fields=["due_at"])
    return touch


def touch_preview(*, touch: Touch) -> tuple[str, str]:
    """The rendered subject and body (the edited text once a rep changed it)."""
    if touch.subject or touch.body:
        return touch.subject, touch.body
    sender = touch.owner or (touch.lead.owner if touch.lead.owner_id else None)
    return templating.render_touch(touch, touch.lead, sender)


# Reminders ---------------------------------------------------------------------------------------


@transaction.atomic
def reminder_create(*, lead, owner, due_at, note: str = "", by=None, source_touch=None) -> Reminder:
    if owner is None:
        raise ValidationFailed("A reminder needs an owner.", field="owner")
    _require_future(due_at)
    reminder = Reminder.objects.create(
        team_id=lead.team_id,
        lead=lead,
        owner=owner,
        due_at=due_at,
        note=(note or "")[:500],
        created_by=by,
        source_touch=source_touch,
    )
    timeline(
        lead=lead, by=by, event="reminder_set", body=note, reminder=reminder.pk, due_at=due_at.isoformat()
    )
    return reminder


@transaction.atomic
def reminder_done(*, reminder: Reminder, by, now=None) -> Reminder:
    now = now or timezone.now()
    updated = Reminder.objects.filter(pk=reminder.pk, status=ReminderStatus.OPEN).update(
        status=ReminderStatus.DONE, done_at=now
    )
    if not updated:
        raise Conflict("This reminder is already done.", field="status")
    reminder.refresh_from_db()
    timeline(lead=reminder.lead, by=by, event="reminder_done", body=reminder.note, reminder=reminder.pk)
    return reminder


@transaction.atomic
def reminder_snooze(*, reminder: Reminder, by, due_at) -> Reminder:
    _require_future(due_at)
    updated = Reminder.objects.filter(pk=reminder.pk, status=ReminderStatus.OPEN).update(
        due_at=due_at, notified_at=None
    )
    if not updated:
        raise Conflict("This reminder is already done.", field="status")
    reminder.refresh_from_db()
    return reminder
