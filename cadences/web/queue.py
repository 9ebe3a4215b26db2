"""The Today queue as the page shows it. A queue holds hundreds of rows, so each row's text and links
are worked out here once, as plain strings, and the buttons that are the same on every row of a
channel are rendered once per page (`row-actions` in today.html) rather than once per row."""

from dataclasses import dataclass

from django.template import loader
from django.utils import dateformat, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cadences.selectors import QueueItem

CALL_OUTCOMES = [
    ("connected", gettext_lazy("Connected"), "1"),
    ("no_answer", gettext_lazy("No answer"), "2"),
    ("voicemail", gettext_lazy("Voicemail"), "3"),
    ("wrong_number", gettext_lazy("Wrong number"), "4"),
]
REMINDER_ICON = mark_safe(
    '<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path fill="currentColor" '
    'd="M12 4a9 9 0 1 0 0 18 9 9 0 0 0 0-18Zm0 2a7 7 0 1 1 0 14 7 7 0 0 1 0-14Zm-1 2v5.4l4.2 2.5 1-1.7'
    '-3.2-1.9V8h-2Z"/></svg>'
)
CHANNEL_ICONS = {"call": "☎", "linkedin": "in", "task": "✓", "reminder": REMINDER_ICON}
EMAIL_ICON = "✉"


@dataclass(slots=True)
class QueueRow:
    key: str
    channel: str
    icon: str
    overdue: bool
    action_url: str
    lead_url: str
    name: str
    grade: str
    grade_and_score: str
    inbound: bool
    title: str
    company: str
    phone: str
    step_label: str
    why: str
    due_label: str
    instructions: str
    linkedin_url: str
    subject: str
    body: str
    actions: SafeString
    secondary_actions: SafeString


def queue_labels() -> dict[str, str]:
    """The words every row repeats, translated once per page."""
    return {
        "fit_score": _("Fit score"),
        "inbound": _("Inbound"),
        "sends_by_itself": _("Sends by itself inside the lead’s send window"),
        "profile": _("Profile"),
        "open": _("Open"),
        "hand_off": _("Hand off"),
    }


class _RowActions:
    """The action buttons of one kind of row, rendered on first use and reused for every such row."""

    def __init__(self):
        self.primary = loader.get_template("cadences/today.html#row-actions")
        self.secondary = loader.get_template("cadences/today.html#row-secondary-actions")
        self.rendered: dict[str, tuple[SafeString, SafeString]] = {}

    def for_channel(self, channel: str) -> tuple[SafeString, SafeString]:
        if channel not in self.rendered:
            context = {"channel": channel, "call_outcomes": CALL_OUTCOMES}
            self.rendered[channel] = (
                mark_safe(self.primary.render(context)),  # noqa: S308  (rendered by the template engine)
                mark_safe(self.secondary.render(context)),  # noqa: S308
            )
        return self.rendered[channel]


class _DueLabels:
    """Says "due 14:30" today, "overdue since Mon 2 Mar" before today, in the viewer's time zone."""

    def __init__(self):
        self.zone = timezone.get_current_timezone()
        self.due = _("due")
        self.overdue_since = _("overdue since")
        self.days: dict = {}

    def __call__(self, item: QueueItem) -> str:
        local = item.due_at.astimezone(self.zone)
        if not item.overdue:
            return f"{self.due} {local:%H:%M}"
        day = local.date()
        if day not in self.days:
            self.days[day] = f"{self.overdue_since} {dateformat.format(local, 'D j M')}"
        return self.days[day]


def _safe_link(url: str) -> str:
    return url if url.startswith(("https://", "http://")) else ""


def queue_rows(items: list[QueueItem]) -> list[QueueRow]:
    actions = _RowActions()
    due_label = _DueLabels()
    step_label = _("Step %(n)s of %(m)s")
    reminder_label = _("Reminder")
    rows = []
    for item in items:
        lead = item.lead
        is_touch = item.kind == "touch"
        primary, secondary = actions.for_channel(item.channel)
        rows.append(
            QueueRow(
                key=item.key,
                channel=item.channel,
                icon=CHANNEL_ICONS.get(item.channel, EMAIL_ICON),
                overdue=item.overdue,
                action_url=f"/today/{'touches' if is_touch else 'reminders'}/{item.id}/",
                lead_url=f"/leads/{lead.id}/",
                name=lead.full_name or lead.email,
                grade=lead.grade,
                grade_and_score=f"{lead.grade} · {lead.score}",
                inbound=lead.source == "inbound",
                title=lead.title,
                company=lead.company,
                phone=lead.phone if item.channel == "call" else "",
                step_label=step_label % {"n": item.step_position, "m": item.step_count}
                if is_touch
                else reminder_label,
                why=item.cadence_name if is_touch else item.why,
                due_label=due_label(item),
                instructions=item.instructions,
                linkedin_url=_safe_link(lead.linkedin_url) if item.channel == "linkedin" else "",
                subject=item.subject,
                body=item.body,
                actions=primary,
                secondary_actions=secondary,
            )
        )
    return rows
