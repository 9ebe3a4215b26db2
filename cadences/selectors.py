"""Reads for the pages and the API, visibility applied (404 for "missing or not yours")."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from cadences import schedule, templating
from cadences.models import (
    EMAIL_CHANNELS,
    Cadence,
    EmailEvent,
    Enrollment,
    Reminder,
    ReminderStatus,
    Step,
    Touch,
    TouchStatus,
)
from sdrcrm.accounts.models import Role
from sdrcrm.accounts.selectors import require_role
from sdrcrm.core.errors import NotFound

QUEUE_LIMIT = 500


def cadence_list_for_user(*, user) -> QuerySet[Cadence]:
    if not user.is_authenticated:
        return Cadence.objects.none()
    cadences = Cadence.objects.all()
    return cadences if user.is_admin else cadences.filter(team_id=user.team_id)


def cadence_get_for_user(*, user, cadence_id: int) -> Cadence:
    cadence = cadence_list_for_user(user=user).filter(pk=cadence_id).first()
    if cadence is None:
        raise NotFound("Cadence not found.")
    return cadence


def require_cadence_writer(user) -> None:
    require_role(user, Role.SDR, Role.BDR, Role.MANAGER, Role.ADMIN)


def live_steps(cadence: Cadence) -> list[Step]:
    return list(cadence.steps.filter(archived_at__isnull=True).order_by("position"))


def enrollment_list_for_user(*, user) -> QuerySet[Enrollment]:
    return Enrollment.objects.visible_to(user).select_related("cadence", "lead")


def enrollment_get_for_user(*, user, enrollment_id: int) -> Enrollment:
    enrollment = enrollment_list_for_user(user=user).filter(pk=enrollment_id).first()
    if enrollment is None:
        raise NotFound("Enrollment not found.")
    return enrollment


def touch_list_for_user(*, user) -> QuerySet[Touch]:
    return Touch.objects.visible_to(user).select_related("step", "lead")


def touch_get_for_user(*, user, touch_id: int) -> Touch:
    touch = touch_list_for_user(user=user).filter(pk=touch_id).first()
    if touch is None:
        raise NotFound("Touch not found.")
    return touch


def require_touch_worker(user, touch: Touch) -> None:
    """Who works a touch: its rep, any SDR/BDR who sees the lead, the team's manager, an admin."""
    require_role(user, Role.SDR, Role.BDR, Role.MANAGER, Role.ADMIN)


def reminder_list_for_user(*, user) -> QuerySet[Reminder]:
    return Reminder.objects.visible_to(user).select_related("lead")


def reminder_get_for_user(*, user, reminder_id: int) -> Reminder:
    reminder = reminder_list_for_user(user=user).filter(pk=reminder_id).first()
    if reminder is None:
        raise NotFound("Reminder not found.")
    return reminder


# The Today queue --------------------------------------------------------------------------------


@dataclass
class QueueItem:
    kind: str  # "touch" | "reminder"
    id: int
    due_at: datetime.datetime
    overdue: bool
    lead: object
    channel: str
    touch: Touch | None = None
    reminder: Reminder | None = None
    step_position: int | None = None
    step_count: int | None = None
    cadence_name: str = ""
    subject: str = ""
    body: str = ""
    instructions: str = ""
    why: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.id}"


def day_bounds(user, now):
    zone = schedule.zone_for(user.timezone)
    today = now.astimezone(zone).date()
    start = schedule.local_at(today, datetime.time(0, 0), zone)
    end = schedule.local_at(today + datetime.timedelta(days=1), datetime.time(0, 0), zone)
    return start, end


def _priority(queryset, lead_path: str, day_start):
    return queryset.annotate(
        overdue_rank=Case(
            When(due_at__lt=day_start, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
        mail_rank=Case(
            When(**{f"{lead_path}email_kind": "corporate"}, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        inbound_rank=Case(
            When(**{f"{lead_path}source": "inbound"}, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
    ).order_by(
        "overdue_rank",
        f"-{lead_path}score",
        "mail_rank",
        "inbound_rank",
        f"-{lead_path}created_at",
        "due_at",
        "pk",
    )


def touch_queue_for_user(*, user, now=None, channel: str | None = None) -> list[QueueItem]:
    """The caller's scheduled touches due by the end of their today, and their due reminders: overdue
    first, then by lead priority (score, corporate email, fresh inbound). A fixed number of queries."""
    now = now or timezone.now()
    day_start, day_end = day_bounds(user, now)
    touches = Touch.objects.filter(
        owner=user, status=TouchStatus.SCHEDULED, due_at__lt=day_end, enrollment__state="active"
    ).select_related("lead", "step", "enrollment__cadence")
    if channel == "email":
        touches = touches.filter(channel__in=list(EMAIL_CHANNELS))
    elif channel:
        touches = touches.filter(channel=channel)
    touches = list(_priority(touches, "lead__", day_start)[:QUEUE_LIMIT])
    cadence_ids = {touch.enrollment.cadence_id for touch in touches}
    step_counts = dict(
        Step.objects.filter(cadence_id__in=cadence_ids, archived_at__isnull=True)
        .values("cadence_id")
        .annotate(n=Count("pk"))
        .values_list("cadence_id", "n")
    )
    items = []
    for touch in touches:
        cadence = touch.enrollment.cadence
        subject = body = ""
        if touch.channel in EMAIL_CHANNELS:
            subject, body = (
                (touch.subject, touch.body)
                if (touch.subject or touch.body)
                else templating.render_touch(touch, touch.lead, user)
            )
        overdue = touch.due_at < day_start
        step_count = step_counts.get(cadence.pk, touch.step.position)
        items.append(
            QueueItem(
                kind="touch",
                id=touch.pk,
                due_at=touch.due_at,
                overdue=overdue,
                lead=touch.lead,
                channel=touch.channel,
                touch=touch,
                step_position=touch.step.position,
                step_count=step_count,
                cadence_name=cadence.name,
                subject=subject,
                body=body,
                instructions=templating.render(
                    touch.step.instructions, templating.values_for(touch.lead, user)
                ),
                why=f"Step {touch.step.position} of {step_count} · {cadence.name}",
            )
        )
    if channel in (None, "", "reminder"):
        reminders = Reminder.objects.filter(
            owner=user, status=ReminderStatus.OPEN, due_at__lt=day_end
        ).select_related("lead")
        for reminder in _priority(reminders, "lead__", day_start)[:QUEUE_LIMIT]:
            items.append(
                QueueItem(
                    kind="reminder",
                    id=reminder.pk,
                    due_at=reminder.due_at,
                    overdue=reminder.due_at < day_start,
                    lead=reminder.lead,
                    channel="reminder",
                    reminder=reminder,
                    why=reminder.note or "Reminder",
                )
            )
    if channel == "reminder":
        items = [item for item in items if item.kind == "reminder"]
    items.sort(key=lambda item: (not item.overdue, -item.lead.score, item.lead.email_kind != "corporate",
                                 item.lead.source != "inbound", -item.lead.created_at.timestamp(),
                                 item.due_at))  # fmt: skip
    return items


def touches_done_today(*, user, now=None) -> int:
    now = now or timezone.now()
    day_start, day_end = day_bounds(user, now)
    return Touch.objects.filter(
        Q(completed_by=user) | Q(owner=user, completed_by__isnull=True),
        status=TouchStatus.DONE,
        completed_at__gte=day_start,
        completed_at__lt=day_end,
    ).count()


def step_report(*, cadence: Cadence) -> list[dict]:
    """Per step (and per A/B variant): sent and replies."""
    steps = live_steps(cadence)
    sent = {
        (row["step_id"], row["variant"]): row["n"]
        for row in Touch.objects.filter(step__cadence=cadence, status=TouchStatus.DONE, outcome="sent")
        .values("step_id", "variant")
        .annotate(n=Count("pk"))
    }
    replies = {
        (row["touch__step_id"], row["touch__variant"]): row["n"]
        for row in EmailEvent.objects.filter(type="reply", touch__step__cadence=cadence)
        .values("touch__step_id", "touch__variant")
        .annotate(n=Count("pk"))
    }
    report = []
    for step in steps:
        variants = [None] if not step.variants else list(range(len(step.variants) + 1))
        rows = []
        for variant in variants:
            n_sent, n_replies = sent.get((step.pk, variant), 0), replies.get((step.pk, variant), 0)
            rows.append({"variant": variant, "sent": n_sent, "replies": n_replies,
                         "reply_rate": (n_replies / n_sent) if n_sent else None})  # fmt: skip
        total_sent = sum(r["sent"] for r in rows)
        total_replies = sum(r["replies"] for r in rows)
        report.append({
            "position": step.position, "channel": step.channel, "sent": total_sent, "replies": total_replies,
            "reply_rate": (total_replies / total_sent) if total_sent else None, "variants": rows,
        })  # fmt: skip
    return report
