"""Inbound email events, inbound leads, due-reminder and speed-to-lead notifications, reassignment.

Invariants: an email event is stored once per (team, dedupe key) and only the first copy acts;
an unsubscribe or a hard bounce reaches every open enrollment of that address in the team and a
hashed suppression row that outlives the lead; round-robin takes a row lock on the team's
pointer, so concurrent inbound leads are dealt out fairly; a notification has a dedupe key.
"""

import datetime
import hashlib

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from cadences import schedule
from cadences.models import (
    EmailEvent,
    EmailEventType,
    Enrollment,
    ExitReason,
    Reminder,
    ReminderStatus,
    Suppression,
    TeamSendingPolicy,
    Touch,
    TouchStatus,
)
from cadences.services.common import email_hash, lead_zone, timeline
from cadences.services.enrollments import cadence_enroll, enrollment_exit, enrollment_pause
from leads.models import Lead
from sdrcrm.accounts.models import Role, Team, User
from sdrcrm.accounts.selectors import team_managers
from sdrcrm.accounts.services import notification_create
from sdrcrm.core.errors import NotFound, ValidationFailed

OUT_OF_OFFICE_DEFAULT_DAYS = 7


def _dedupe_key(*, team_id, type_, address_hash, occurred_at, until) -> str:
    raw = f"{team_id}|{type_}|{address_hash}|{occurred_at.isoformat()}|{until or ''}"
    return hashlib.sha256(raw.encode()).hexdigest()


def unsubscribe_by_link(*, touch: Touch) -> dict:
    """The recipient's own unsubscribe, from the link in a cadence email: the same effects as a provider's
    unsubscribe event (opted out, suppressed, enrollments exited, a timeline row), once a day at most."""
    return email_event_record(team=touch.team, type_=EmailEventType.UNSUBSCRIBE, email=touch.lead.email)


@transaction.atomic
def email_event_record(*, team, type_: str, email: str, occurred_at=None, until=None) -> dict:
    """Applies a provider event once. Returns {"event", "applied": bool, "lead"}. Unknown email → 404."""
    if type_ not in EmailEventType.values:
        raise ValidationFailed(f"type must be one of {', '.join(EmailEventType.values)}.", field="type")
    address = (email or "").strip().lower()
    if not address:
        raise ValidationFailed("Give the email address.", field="email")
    leads = list(Lead.objects.filter(team=team, email=address).select_related("owner"))
    if not leads:
        raise NotFound("No lead has this email.")
    lead = leads[0]
    # Without occurred_at, the provider's retries of one event in one day are one event.
    key_moment = occurred_at or timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    occurred_at = occurred_at or timezone.now()
    address_hash = email_hash(address)
    key = _dedupe_key(
        team_id=team.pk, type_=type_, address_hash=address_hash, occurred_at=key_moment, until=until
    )
    try:
        with transaction.atomic():
            event = EmailEvent.objects.create(
                team=team, type=type_, email_hash=address_hash, dedupe_key=key, lead=lead,
                occurred_at=occurred_at, until=until,
            )  # fmt: skip
    except IntegrityError:
        return {"event": EmailEvent.objects.get(team=team, dedupe_key=key), "applied": False, "lead": lead}
    last_sent = (
        Touch.objects.filter(lead=lead, status=TouchStatus.DONE, outcome="sent")
        .order_by("-completed_at")
        .first()
    )
    if last_sent:
        EmailEvent.objects.filter(pk=event.pk).update(touch=last_sent)
    data = {"email_event": event.pk, "type": type_, "touch": last_sent.pk if last_sent else None,
            "variant": last_sent.variant if last_sent else None,
            "step": last_sent.step_id if last_sent else None}  # fmt: skip
    if type_ == EmailEventType.REPLY:
        from leads.services import activity_record

        activity_record(lead=lead, actor=None, kind="email", outcome="replied", body="Reply received",
                        data={"event": "email_reply", **data}, occurred_at=occurred_at)  # fmt: skip
        _exit_open(lead, ExitReason.REPLIED)
    elif type_ == EmailEventType.BOUNCE:
        timeline(lead=lead, by=None, event="email_bounced", body="Email bounced", **data)
        Lead.objects.filter(team=team, email=address).update(email_bounced=True)
        Suppression.objects.get_or_create(team=team, email_hash=address_hash, defaults={"reason": "bounce"})
        for each in leads:
            _exit_open(each, ExitReason.BOUNCED)
    elif type_ == EmailEventType.UNSUBSCRIBE:
        timeline(lead=lead, by=None, event="email_unsubscribed", body="Unsubscribed", **data)
        Lead.objects.filter(team=team, email=address).update(opted_out=True)
        Suppression.objects.get_or_create(
            team=team, email_hash=address_hash, defaults={"reason": "unsubscribe"}
        )
        for each in leads:
            _exit_open(each, ExitReason.OPTED_OUT)
    else:
        back_on = until or (occurred_at.date() + datetime.timedelta(days=OUT_OF_OFFICE_DEFAULT_DAYS))
        zone = lead_zone(lead)
        resume_at = schedule.local_at(back_on + datetime.timedelta(days=1), datetime.time(0, 0), zone)
        timeline(lead=lead, by=None, event="out_of_office", body=f"Out of office until {back_on.isoformat()}",
                 until=back_on.isoformat(), **data)  # fmt: skip
        for enrollment in Enrollment.objects.open().filter(lead=lead):
            enrollment_pause(enrollment=enrollment, by=None, resume_at=resume_at, reason="Out of office")
    return {"event": event, "applied": True, "lead": lead}


def _exit_open(lead: Lead, reason: str) -> None:
    for enrollment in Enrollment.objects.open().filter(lead=lead):
        enrollment_exit(enrollment=enrollment, reason=reason, by=None)


# Inbound leads -----------------------------------------------------------------------------------


def _eligible_reps(team, today):
    return (
        User.objects.filter(team=team, is_active=True, role__in=[Role.SDR, Role.BDR])
        .exclude(away_until__gte=today)
        .order_by("id")
    )


@transaction.atomic
def round_robin_next(*, team) -> User | None:
    """The next active, not-away SDR/BDR after the last one served; a row lock on the team's pointer
    serialises concurrent inbound leads."""
    TeamSendingPolicy.objects.get_or_create(team=team)
    policy = TeamSendingPolicy.objects.select_for_update().get(team=team)
    reps = list(_eligible_reps(team, timezone.localdate()).values_list("pk", flat=True))
    if not reps:
        return None
    last = policy.round_robin_last_user_id
    chosen = next((pk for pk in reps if last is None or pk > last), reps[0])
    policy.round_robin_last_user_id = chosen
    policy.save(update_fields=["round_robin_last_user"])
    return User.objects.get(pk=chosen)


@transaction.atomic
def inbound_lead_create(*, team, values: dict) -> tuple[Lead, dict | None]:
    """A web-form lead: created (leads' service when present), owned round-robin, enrolled in the
    team's default inbound cadence. Returns (lead, enrollment result or None)."""
    owner = round_robin_next(team=team)
    values = {**values, "source": "inbound"}
    lead = _create_lead(team=team, owner=owner, values=values)
    policy = TeamSendingPolicy.objects.filter(team=team).select_related("default_inbound_cadence").first()
    result = None
    cadence = policy.default_inbound_cadence if policy else None
    if cadence is not None and cadence.is_active and owner is not None:
        result = cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=owner)
    return lead, result


def _create_lead(*, team, owner, values: dict) -> Lead:
    try:
        from leads.services import lead_create
    except ImportError:
        lead_create = None
    if lead_create is not None and owner is not None:
        return lead_create(team=team, by=owner, values={**values, "owner": owner})
    from sdrcrm.core.errors import Conflict

    email = (values.get("email") or "").strip().lower()
    if email:
        duplicate = Lead.objects.filter(team=team, email=email).values_list("pk", flat=True).first()
        if duplicate:
            raise Conflict("A lead with this email exists in the team.", duplicate_of=duplicate)
    fields = {f.name for f in Lead._meta.get_fields()}
    lead = Lead.objects.create(
        team=team, owner=owner, **{k: v for k, v in values.items() if k in fields and k not in ("team", "owner")},
    )  # fmt: skip
    if email:
        Lead.objects.filter(pk=lead.pk).update(email=email)
        lead.email = email
    return lead


def speed_to_lead_check(*, now=None) -> int:
    """Alerts owner and managers about inbound leads not touched within the team's speed-to-lead target."""
    now = now or timezone.now()
    sent = 0
    for team_id, minutes in Team.objects.values_list("pk", "speed_to_lead_minutes"):
        late = Lead.objects.filter(
            team_id=team_id,
            source="inbound",
            first_touch_at__isnull=True,
            created_at__lte=now - datetime.timedelta(minutes=minutes),
            created_at__gte=now - datetime.timedelta(days=2),
        ).select_related("owner", "team")[:200]
        for lead in late:
            title = f"Speed to lead: {lead} is waiting for a first touch"
            body = f"Inbound {minutes} min ago or more, no call or email yet."
            url = f"/leads/{lead.pk}/"
            recipients = list(team_managers(team=lead.team))
            if lead.owner_id:
                recipients.append(lead.owner)
            for user in recipients:
                if notification_create(user=user, kind="speed_to_lead", title=title, body=body, url=url,
                                       dedupe_key=f"speed-to-lead:{lead.pk}"):  # fmt: skip
                    sent += 1
    return sent


# Reminders ---------------------------------------------------------------------------------------


def reminders_notify_due(*, now=None) -> int:
    """Notifies the owner of each due reminder once (in the app, then by email after commit)."""
    from cadences.tasks import reminder_email

    now = now or timezone.now()
    notified = 0
    due = list(
        Reminder.objects.filter(status=ReminderStatus.OPEN, notified_at__isnull=True, due_at__lte=now)
        .select_related("lead", "owner")
        .order_by("due_at")[:500]
    )
    for reminder in due:
        with transaction.atomic():
            claimed = Reminder.objects.filter(pk=reminder.pk, notified_at__isnull=True).update(
                notified_at=now
            )
            if not claimed:
                continue
            notification_create(
                user=reminder.owner,
                kind="reminder_due",
                title=f"Reminder: {reminder.lead}",
                body=reminder.note,
                url=f"/leads/{reminder.lead_id}/",
                dedupe_key=f"reminder:{reminder.pk}:{reminder.due_at.isoformat()}",
            )
            reminder_id = reminder.pk
            transaction.on_commit(lambda reminder_id=reminder_id: reminder_email.delay(reminder_id))
            notified += 1
    return notified


def reminder_email_send(*, reminder_id: int) -> bool:
    reminder = Reminder.objects.select_related("lead", "owner").filter(pk=reminder_id).first()
    if reminder is None or not reminder.owner.email or reminder.status != ReminderStatus.OPEN:
        return False
    send_mail(
        subject=f"Reminder: {reminder.lead}",
        message=f"{reminder.note}\n\nDue {reminder.due_at:%Y-%m-%d %H:%M} UTC — /leads/{reminder.lead_id}/",
        from_email=None,
        recipient_list=[reminder.owner.email],
    )
    return True


# Reassignment ------------------------------------------------------------------------------------


@transaction.atomic
def rep_work_reassign(*, from_user: User, to_user: User, by) -> dict:
    """Moves a rep's scheduled touches and open reminders to another rep of the same team."""
    if to_user.team_id != from_user.team_id or not to_user.is_active:
        raise ValidationFailed("Pick an active rep of the same team.", field="to")
    if to_user.role not in (Role.SDR, Role.BDR):
        raise ValidationFailed("Pick an SDR or BDR.", field="to")
    if to_user.pk == from_user.pk:
        raise ValidationFailed("Pick another rep.", field="to")
    touches = Touch.objects.filter(owner=from_user, status=TouchStatus.SCHEDULED).update(owner=to_user)
    reminders = Reminder.objects.filter(owner=from_user, status=ReminderStatus.OPEN).update(owner=to_user)
    notification_create(
        user=to_user, kind="system", title=f"{touches} touches and {reminders} reminders moved to you",
        body=f"From {from_user.display_name}, by {by.display_name}.", url="/today/",
    )  # fmt: skip
    return {"touches": touches, "reminders": reminders}
