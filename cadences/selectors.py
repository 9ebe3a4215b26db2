"""Reads for the pages and the API, visibility applied (404 for "missing or not yours")."""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, QuerySet
from django.utils import timezone

from cadences import schedule, templating, unsubscribe_links
from cadences.models import (
    CLOSED_LEAD_STATUSES,
    EMAIL_CHANNELS,
    OPEN_ENROLLMENT_STATES,
    Cadence,
    EmailEvent,
    Enrollment,
    EnrollmentState,
    Reminder,
    ReminderStatus,
    Step,
    Touch,
    TouchStatus,
)
from leads.models import TOUCH_KINDS, Activity, ActivityOutcome, Lead
from sdrcrm.accounts.models import Role
from sdrcrm.accounts.selectors import require_role
from sdrcrm.core.errors import NotFound
from sdrcrm.core.sql import fetch_all

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


_LEAD_PANEL_SQL = f"""
    SELECT EXISTS (SELECT 1 FROM {Enrollment._meta.db_table} WHERE lead_id = %s AND state IN (%s, %s)),
           EXISTS (SELECT 1 FROM {Reminder._meta.db_table} WHERE lead_id = %s AND owner_id = %s AND status = %s)
"""  # noqa: S608 - table names from the models


def lead_cadence_panel(*, user, lead) -> dict:
    """The lead page's cadence panel for the user: the open enrollment, the cadences of the lead's team
    it may be enrolled in (when it is not enrolled and may be), whether the user may enroll, the user's next open
    reminders on the lead. Most leads have neither an enrollment nor a reminder: one statement says
    which of the two to read."""
    enrolled, reminded = fetch_all(
        _LEAD_PANEL_SQL, [lead.pk, *OPEN_ENROLLMENT_STATES, lead.pk, user.pk, ReminderStatus.OPEN]
    )[0]
    enrollment = (
        Enrollment.objects.open().filter(lead=lead).select_related("cadence").first() if enrolled else None
    )
    can_enroll = user.effective_role != "ae"
    closed = lead.status in CLOSED_LEAD_STATUSES
    return {
        "lead": lead,
        "enrollment": enrollment,
        "cadence_options": (
            cadence_options_for_user(user=user, team_id=lead.team_id)
            if can_enroll and enrollment is None and not closed
            else []
        ),
        "can_enroll": can_enroll,
        "closed": closed,
        "reminders": (
            list(lead.reminders.open().filter(owner=user).order_by("due_at")[:5]) if reminded else []
        ),
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
TOUCHES_TODAY_LIMIT = 1000


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


# The queue's reads are written out in SQL: built through the ORM (joins, the priority's CASE
# expressions, compiling) they cost three times what the database takes to answer them, on every
# load of the page SDRs live in. The same statements run on PostgreSQL and SQLite; the tests in
# tests/cadences/test_queue.py pin the order and the filters. A touch's enrollment is looked up per
# due touch (a subquery), so the plan never turns to scanning every enrollment of the team.
_LEAD_COLUMNS = ", ".join(f"l.{name}" for name in QUEUE_LEAD_FIELDS)
_LEAD_PRIORITY = (
    "l.score DESC, CASE WHEN l.email_kind = 'corporate' THEN 0 ELSE 1 END, "
    "CASE WHEN l.source = 'inbound' THEN 0 ELSE 1 END, l.created_at DESC"
)
_TOUCH_QUEUE_SQL = f"""
SELECT t.id, t.due_at, t.channel, t.subject, t.body, t.variant, t.step_id, {_LEAD_COLUMNS}
FROM {Touch._meta.db_table} t
JOIN {Lead._meta.db_table} l ON l.id = t.lead_id
WHERE t.owner_id = %s AND t.status = %s AND t.due_at < %s {{channel_filter}}
  AND (SELECT e.state FROM {Enrollment._meta.db_table} e WHERE e.id = t.enrollment_id) = %s
ORDER BY CASE WHEN t.due_at < %s THEN 0 ELSE 1 END, {_LEAD_PRIORITY}, t.due_at, t.id
LIMIT %s"""  # noqa: S608 - model tables and fixed columns; every value is a parameter
_REMINDER_QUEUE_SQL = f"""
SELECT r.id, r.due_at, r.note, {_LEAD_COLUMNS}
FROM {Reminder._meta.db_table} r
JOIN {Lead._meta.db_table} l ON l.id = r.lead_id
WHERE r.owner_id = %s AND r.status = %s AND r.due_at < %s
ORDER BY CASE WHEN r.due_at < %s THEN 0 ELSE 1 END, {_LEAD_PRIORITY}, r.due_at, r.id
LIMIT %s"""  # noqa: S608 - as above
_QUEUE_STEPS_SQL = f"""
SELECT s.id, s.cadence_id, s.position, s.archived_at, s.subject, s.body, s.variants, s.instructions, c.name
FROM {Step._meta.db_table} s
JOIN {Cadence._meta.db_table} c ON c.id = s.cadence_id
WHERE s.cadence_id IN (SELECT cadence_id FROM {Step._meta.db_table} WHERE id IN ({{step_ids}}))"""  # noqa: S608 - as above
_TOUCHES_TODAY_SQL = f"""
SELECT COUNT(*) FROM (
  SELECT 1 FROM {Activity._meta.db_table}
  WHERE actor_id = %s AND created_at >= %s AND created_at < %s AND kind IN ({{kinds}}) AND outcome <> %s
  LIMIT %s
) AS touches"""  # noqa: S608 - as above


def _db_time(moment: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(moment)


def _aware(moment: datetime.datetime) -> datetime.datetime:
    """A timestamp read in SQL: aware on PostgreSQL already, naive UTC on SQLite."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=datetime.UTC)


def _lead_of(values: tuple) -> QueueLead:
    lead = QueueLead(*values)
    lead.created_at = _aware(lead.created_at)
    return lead


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
    rows = fetch_all(_QUEUE_STEPS_SQL.format(step_ids=", ".join(["%s"] * len(step_ids))), sorted(step_ids))
    variants_field = Step._meta.get_field("variants")
    live_count: dict[int, int] = {}
    steps = {}
    for step_id, cadence_id, position, archived_at, subject, body, variants, instructions, name in rows:
        if archived_at is None:
            live_count[cadence_id] = max(live_count.get(cadence_id, 0), position)
        if step_id in step_ids:
            variants = variants_field.from_db_value(variants, None, connection)
            steps[step_id] = (
                cadence_id,
                _QueueStep(position, subject, body, variants or [], instructions, name),
            )
    for cadence_id, step in steps.values():
        step.step_count = live_count.get(cadence_id) or step.position
    return {step_id: step for step_id, (_cadence, step) in steps.items()}


def _touch_items(user, *, day_start, day_end, channel: str | None) -> list[QueueItem]:
    channel_filter, channels = "", []
    if channel == "email":
        channels = sorted(EMAIL_CHANNELS)
    elif channel:
        channels = [channel]
    if channels:
        channel_filter = f"AND t.channel IN ({', '.join(['%s'] * len(channels))})"
    params = [user.pk, TouchStatus.SCHEDULED, _db_time(day_end), *channels, EnrollmentState.ACTIVE,
              _db_time(day_start), QUEUE_LIMIT]  # fmt: skip
    rows = fetch_all(_TOUCH_QUEUE_SQL.format(channel_filter=channel_filter), params)
    steps = _queue_steps({row[6] for row in rows})
    items = []
    for touch_id, due_at, touch_channel, subject, body, variant, step_id, *lead_values in rows:
        lead = _lead_of(lead_values)
        due_at = _aware(due_at)
        step = steps[step_id]
        values = None
        instructions = ""
        if touch_channel in EMAIL_CHANNELS:
            if not (subject or body):
                values = templating.values_for(lead, user)
                subject, body = templating.step_text(step, variant)
                subject, body = templating.render(subject, values), templating.render(body, values)
        else:
            subject = body = ""
        if step.instructions:
            values = values or templating.values_for(lead, user)
            instructions = templating.render(step.instructions, values)
        items.append(
            QueueItem(
                kind="touch",
                id=touch_id,
                due_at=due_at,
                overdue=due_at < day_start,
                lead=lead,
                channel=touch_channel,
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
    params = [user.pk, ReminderStatus.OPEN, _db_time(day_end), _db_time(day_start), QUEUE_LIMIT]
    items = []
    for reminder_id, due_at, note, *lead_values in fetch_all(_REMINDER_QUEUE_SQL, params):
        due_at = _aware(due_at)
        items.append(
            QueueItem(
                kind="reminder",
                id=reminder_id,
                due_at=due_at,
                overdue=due_at < day_start,
                lead=_lead_of(lead_values),
                channel="reminder",
                why=note or "Reminder",
            )
        )
    return items


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


def touches_today(*, user, now=None) -> int:
    """The touches (calls, emails, LinkedIn) the user made today, the way "My numbers" and the
    leaderboards count them (leads.models.REP_TOUCH): worked from the queue, sent by the dispatcher in
    their name, or logged on a lead page. Counted up to TOUCHES_TODAY_LIMIT, through the rep's own index."""
    now = now or timezone.now()
    day_start, day_end = day_bounds(user, now)
    kinds = sorted(TOUCH_KINDS)
    params = [
        user.pk,
        _db_time(day_start),
        _db_time(day_end),
        *kinds,
        ActivityOutcome.REPLIED,
        TOUCHES_TODAY_LIMIT,
    ]
    return fetch_all(_TOUCHES_TODAY_SQL.format(kinds=", ".join(["%s"] * len(kinds))), params)[0][0]


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
