"""Reads for the pages and the API, visibility applied (404 for "missing or not yours")."""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from cadences import schedule, templating, unsubscribe_links
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
from leads.models import Lead
from sdrcrm.accounts.models import Role
from sdrcrm.accounts.selectors import require_role
from sdrcrm.core.errors import NotFound

QUEUE_LIMIT = 500


def cadence_list_for_user(*, user) -> QuerySet[Cadence]:
    if not user.is_authenticated:
        return Cadence.objects.none()
    cadences = Cadence.objects.all()
    return cadences if user.is_admin else cadences.filter(team_id=user.team_id)


def cadence_options_for_user(*, user, team_id: int | None = None) -> list[tuple[int, str]]:
    """(id, name) of the active cadences the user may enroll leads in (of one team), for a select."""
    cadences = cadence_list_for_user(user=user).filter(is_active=True)
    if team_id is not None:
        cadences = cadences.filter(team_id=team_id)
    return list(cadences.order_by("name", "id").values_list("id", "name"))


def lead_cadence_panel(*, user, lead) -> dict:
    """The lead page's cadence panel for the user: the open enrollment, the cadences of the lead's team
    it may be enrolled in, whether the user may enroll, the user's next open reminders on the lead."""
    return {
        "lead": lead,
        "enrollment": Enrollment.objects.open().filter(lead=lead).select_related("cadence").first(),
        "cadence_options": cadence_options_for_user(user=user, team_id=lead.team_id),
        "can_enroll": user.effective_role != "ae",
        "reminders": list(lead.reminders.filter(status="open", owner=user).order_by("due_at")[:5]),
    }


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
# The queue is the page SDRs live in: one query for the touches (with their step counts), one for
# the reminders, plain values rather than model instances (no per-row lookups).

QUEUE_LEAD_FIELDS = ("id", "first_name", "last_name", "email", "phone", "title", "company", "score",
                     "grade", "email_kind", "source", "linkedin_url", "created_at")  # fmt: skip
DONE_TODAY_LIMIT = 1000


@dataclass(slots=True)
class QueueLead:
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    title: str
    company: str
    score: int
    grade: str
    email_kind: str
    source: str
    linkedin_url: str
    created_at: datetime.datetime

    @property
    def full_name(self) -> str:
        return Lead.name_shown(self.first_name, self.last_name)


@dataclass(slots=True)
class QueueItem:
    kind: str  # "touch" | "reminder"
    id: int
    due_at: datetime.datetime
    overdue: bool
    lead: QueueLead
    channel: str
    step_position: int | None = None
    step_count: int | None = None
    cadence_name: str = ""
    subject: str = ""
    body: str = ""
    instructions: str = ""
    why: str = ""

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


def _lead_of(row: dict) -> QueueLead:
    return QueueLead(*(row[f"lead__{name}"] for name in QUEUE_LEAD_FIELDS))


@dataclass(slots=True)
class _QueueStep:
    position: int
    subject: str
    body: str
    variants: list
    instructions: str
    cadence_name: str
    step_count: int = 0  # M of "step N of M"


def _queue_steps(step_ids: set[int]) -> dict[int, _QueueStep]:
    """The steps the queue's touches are at, with their cadence's name and live step count: every step of
    those few cadences in one read (a handful of rows), rather than three more joins and a subquery per
    touch in the touch query. Live steps are numbered 1…M without gaps (cadences.services.builder)."""
    if not step_ids:
        return {}
    cadence_ids = Step.objects.filter(pk__in=step_ids).values("cadence_id")
    rows = Step.objects.filter(cadence_id__in=cadence_ids).values_list(
        "id", "cadence_id", "position", "archived_at", "subject", "body", "variants", "instructions",
        "cadence__name",
    )  # fmt: skip
    live_count: dict[int, int] = {}
    steps = {}
    for step_id, cadence_id, position, archived_at, subject, body, variants, instructions, name in rows:
        if archived_at is None:
            live_count[cadence_id] = max(live_count.get(cadence_id, 0), position)
        if step_id in step_ids:
            steps[step_id] = (cadence_id, _QueueStep(position, subject, body, variants, instructions, name))
    for cadence_id, step in steps.values():
        step.step_count = live_count.get(cadence_id) or step.position
    return {step_id: step for step_id, (_cadence, step) in steps.items()}


def _touch_items(user, *, day_start, day_end, channel: str | None) -> list[QueueItem]:
    touches = Touch.objects.filter(
        owner=user, status=TouchStatus.SCHEDULED, due_at__lt=day_end, enrollment__state="active"
    )
    if channel == "email":
        touches = touches.filter(channel__in=list(EMAIL_CHANNELS))
    elif channel:
        touches = touches.filter(channel=channel)
    rows = list(
        _priority(touches, "lead__", day_start).values(
            "id", "due_at", "channel", "subject", "body", "variant", "step_id",
            *(f"lead__{name}" for name in QUEUE_LEAD_FIELDS),
        )[:QUEUE_LIMIT]
    )  # fmt: skip
    steps = _queue_steps({row["step_id"] for row in rows})
    items = []
    for row in rows:
        lead = _lead_of(row)
        step = steps[row["step_id"]]
        values = None
        subject = body = instructions = ""
        if row["channel"] in EMAIL_CHANNELS:
            subject, body = row["subject"], row["body"]
            if not (subject or body):
                values = templating.values_for(lead, user)
                subject, body = templating.step_text(step, row["variant"])
                subject, body = templating.render(subject, values), templating.render(body, values)
        if step.instructions:
            values = values or templating.values_for(lead, user)
            instructions = templating.render(step.instructions, values)
        items.append(
            QueueItem(
                kind="touch",
                id=row["id"],
                due_at=row["due_at"],
                overdue=row["due_at"] < day_start,
                lead=lead,
                channel=row["channel"],
                step_position=step.position,
                step_count=step.step_count,
                cadence_name=step.cadence_name,
                subject=subject,
                body=body,
                instructions=instructions,
                why=f"Step {step.position} of {step.step_count} · {step.cadence_name}",
            )
        )
    return items


def _reminder_items(user, *, day_start, day_end) -> list[QueueItem]:
    reminders = Reminder.objects.filter(owner=user, status=ReminderStatus.OPEN, due_at__lt=day_end)
    rows = _priority(reminders, "lead__", day_start).values(
        "id", "due_at", "note", *(f"lead__{name}" for name in QUEUE_LEAD_FIELDS)
    )[:QUEUE_LIMIT]
    return [
        QueueItem(
            kind="reminder",
            id=row["id"],
            due_at=row["due_at"],
            overdue=row["due_at"] < day_start,
            lead=_lead_of(row),
            channel="reminder",
            why=row["note"] or "Reminder",
        )
        for row in rows
    ]


def _queue_order(item: QueueItem):
    lead = item.lead
    return (not item.overdue, -lead.score, lead.email_kind != "corporate", lead.source != "inbound",
            -lead.created_at.timestamp(), item.due_at)  # fmt: skip


def touch_queue_for_user(*, user, now=None, channel: str | None = None) -> list[QueueItem]:
    """The caller's scheduled touches due by the end of their today, and their due reminders: overdue
    first, then by lead priority (score, corporate email, fresh inbound). A fixed number of queries."""
    now = now or timezone.now()
    day_start, day_end = day_bounds(user, now)
    items = []
    if channel != "reminder":
        items = _touch_items(user, day_start=day_start, day_end=day_end, channel=channel)
    if channel in (None, "", "reminder"):
        items += _reminder_items(user, day_start=day_start, day_end=day_end)
    items.sort(key=_queue_order)
    return items


def touches_done_today(*, user, now=None) -> int:
    """Touches the user finished today (and their own sent by themselves), counted up to
    DONE_TODAY_LIMIT. Reached through the touch's owner and the day, so the cost stays that of one
    team's day whatever the user did before: a touch the user works belongs to a lead of their team."""
    now = now or timezone.now()
    day_start, day_end = day_bounds(user, now)
    return (
        Touch.objects.filter(
            Q(owner=user, completed_by__isnull=True) | Q(owner__team_id=user.team_id, completed_by=user),
            status=TouchStatus.DONE,
            completed_at__gte=day_start,
            completed_at__lt=day_end,
        )
        .order_by()
        .values("pk")[:DONE_TODAY_LIMIT]
        .count()
    )


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


def touch_for_unsubscribe(*, token: str) -> Touch | None:
    """The touch an unsubscribe link names, with its lead and team; None for a link not signed here or
    whose touch is gone."""
    touch_id = unsubscribe_links.touch_id_from(token)
    if touch_id is None:
        return None
    return Touch.objects.select_related("lead", "team").filter(pk=touch_id).first()
