"""The Today queue's rows as HTML.

A queue holds hundreds of rows. Through the template engine a row costs about 0.2 ms (some thirty
values looked up, localized and escaped one by one), which made the page ten times slower than a
bare page; filled here, from plain values escaped with `html.escape`, it costs a few microseconds.
So the row's markup lives below, next to the code that fills it, and everything a row shares with
the others is worked out once per page: the translated words, the CSRF field, and the action
buttons of each channel (`row-actions` and `row-secondary-actions` in today.html, which stay in
the template), filled into one row template per channel. Any value that comes from data goes through
`escape` before it reaches the markup.
"""

import string
from html import escape

from django.middleware.csrf import get_token
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
CHANNEL_ICONS = {
    "call": "☎",
    "linkedin": "in",
    "task": "✓",
    "reminder": '<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path fill="currentColor" '
    'd="M12 4a9 9 0 1 0 0 18 9 9 0 0 0 0-18Zm0 2a7 7 0 1 1 0 14 7 7 0 0 1 0-14Zm-1 2v5.4l4.2 2.5 1-1.7'
    '-3.2-1.9V8h-2Z"/></svg>',
}
EMAIL_ICON = "✉"

ROW = """<li class="queue-item channel-{channel}{overdue_class}" id="{key}" tabindex="-1" data-lead-url="{lead_url}">
  <div class="qi-channel" title="{channel}"><span class="channel-icon channel-icon--{channel}" aria-hidden="true">{icon}</span></div>
  <div class="qi-main">
    <div class="qi-who">
      <a class="qi-name" href="{lead_url}">{name}</a>
      <span class="badge grade-{grade}" title="{fit_score}">{grade} · {score}</span>{inbound}
    </div>
    <div class="qi-meta">{meta}</div>
    <div class="qi-why"><span class="qi-step">{step}</span> · {why} · <span{due_class}>{due}</span></div>{details}
  </div>
  <form class="qi-actions" method="post" action="{action_url}" hx-post="{action_url}" hx-target="closest li" hx-swap="outerHTML">{csrf_input}
    {profile}{actions}
    <div class="qi-secondary">{secondary_actions}
      <a class="btn btn--sm btn--ghost" href="{lead_url}" data-key-action="o">{open} <kbd>o</kbd></a>
      <a class="btn btn--sm btn--ghost" href="{lead_url}#handoff">{hand_off}</a>
    </div>
  </form>
</li>
"""
INBOUND = '\n      <span class="badge badge--primary">{}</span>'
COMPANY = "<strong>{}</strong>"
PHONE = ' <span class="qi-contact mono">{}</span>'
INSTRUCTIONS = '\n    <div class="qi-instructions">{}</div>'
SENDS_BY_ITSELF = '\n    <div class="qi-auto">{}</div>'
PROFILE = '<a class="btn btn--sm btn--ghost" href="{}" target="_blank" rel="noopener noreferrer">{}</a>'
EMAIL_EDITOR = """
    <details class="qi-email" data-role="email">
      <summary class="btn btn--sm btn--secondary">{write_email} <kbd>e</kbd></summary>
      <form class="qi-email-form" method="post" action="{action_url}" hx-post="{action_url}" hx-target="closest li" hx-swap="outerHTML">{csrf_input}
        <label class="field"><span>{subject_label}</span><input type="text" name="subject" value="{subject}" maxlength="300"></label>
        <label class="field"><span>{message_label}</span><textarea name="body" rows="7">{body}</textarea></label>
        <div class="btn-group">
          <button class="btn btn--primary btn--sm" name="action" value="send">{send}</button>
          <button class="btn btn--ghost btn--sm" name="outcome" value="sent">{mark_as_sent}</button>
        </div>
      </form>
    </details>"""


def _words() -> dict[str, str]:
    """What every row repeats, translated and escaped once per page."""
    words = {
        "fit_score": _("Fit score"),
        "inbound_label": _("Inbound"),
        "sends_by_itself": _("Sends by itself inside the lead’s send window"),
        "profile_label": _("Profile"),
        "open": _("Open"),
        "hand_off": _("Hand off"),
        "write_email": _("Write email"),
        "subject_label": _("Subject"),
        "message_label": _("Message"),
        "send": _("Send"),
        "mark_as_sent": _("Mark as sent"),
        "due_prefix": _("due"),
        "overdue_prefix": _("overdue since"),
        "reminder_step": _("Reminder"),
    }
    return {key: escape(word) for key, word in words.items()}


class _RowTemplate:
    """ROW parsed once per page and channel, with what the channel's rows show alike already in it: a
    row is then filled by joining its own values in, rather than `str.format` parsing 2.5 KB again."""

    def __init__(self, template: str, shared: dict[str, str]):
        self.literals, self.names = [""], []
        for literal, name, _spec, _conversion in string.Formatter().parse(template):
            self.literals[-1] += literal
            if name is None:
                continue
            if name in shared:
                self.literals[-1] += shared[name]
            else:
                self.names.append(name)
                self.literals.append("")

    def fill(self, **values) -> str:
        parts = [self.literals[0]]
        for name, literal in zip(self.names, self.literals[1:], strict=True):
            parts.append(str(values[name]))
            parts.append(literal)
        return "".join(parts)


def _safe_link(url: str) -> str:
    return url if url.startswith(("https://", "http://")) else ""


class QueueRows:
    """Renders queue items as rows for one page (one request: its language, zone and CSRF token)."""

    def __init__(self, request):
        self.words = _words()
        self.step_of = _("Step %(n)s of %(m)s")
        self.zone = timezone.get_current_timezone()
        self.csrf_input = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
        )
        self.action_templates = (
            loader.get_template("cadences/today.html#row-actions"),
            loader.get_template("cadences/today.html#row-secondary-actions"),
        )
        self.row_templates: dict[str, _RowTemplate] = {}
        self.overdue_days: dict = {}

    def html(self, items: list[QueueItem]) -> SafeString:
        return mark_safe("".join(self.row(item) for item in items))  # noqa: S308  (every data value escaped in row())

    def _row_template(self, channel: str) -> _RowTemplate:
        """ROW with what every row of a channel shows alike filled in, once per page: the words, the
        CSRF field, the icon and the channel's buttons (rendered by the template)."""
        if channel not in self.row_templates:
            context = {"channel": channel, "call_outcomes": CALL_OUTCOMES}
            actions, secondary_actions = (
                template.render(context).strip() for template in self.action_templates
            )
            self.row_templates[channel] = _RowTemplate(
                ROW,
                {
                    **self.words,
                    "channel": escape(channel),
                    "icon": CHANNEL_ICONS.get(channel, EMAIL_ICON),
                    "csrf_input": self.csrf_input,
                    "actions": actions,
                    "secondary_actions": secondary_actions,
                },
            )
        return self.row_templates[channel]

    def _due(self, item: QueueItem) -> str:
        """Says "due 14:30" today, "overdue since Mon 2 Mar" before today, in the viewer's zone."""
        local = item.due_at.astimezone(self.zone)
        if not item.overdue:
            return f"{self.words['due_prefix']} {local:%H:%M}"
        day = local.date()
        if day not in self.overdue_days:
            self.overdue_days[day] = (
                f"{self.words['overdue_prefix']} {escape(dateformat.format(local, 'D j M'))}"
            )
        return self.overdue_days[day]

    def _details(self, item: QueueItem, action_url: str) -> str:
        details = INSTRUCTIONS.format(escape(item.instructions)) if item.instructions else ""
        if item.channel == "email":
            details += SENDS_BY_ITSELF.format(self.words["sends_by_itself"])
        elif item.channel == "manual_email":
            details += EMAIL_EDITOR.format(
                **self.words,
                action_url=action_url,
                csrf_input=self.csrf_input,
                subject=escape(item.subject),
                body=escape(item.body),
            )
        return details

    def row(self, item: QueueItem) -> str:
        lead, words, channel = item.lead, self.words, item.channel
        is_touch = item.kind == "touch"
        action_url = f"/today/{'touches' if is_touch else 'reminders'}/{item.id}/"
        title, company = escape(lead.title), escape(lead.company)
        meta = title + (" · " if title and company else "") + (COMPANY.format(company) if company else "")
        if channel == "call" and lead.phone:
            meta += PHONE.format(escape(lead.phone))
        profile_url = _safe_link(lead.linkedin_url) if channel == "linkedin" else ""
        return self._row_template(channel).fill(
            overdue_class=" is-overdue" if item.overdue else "",
            key=escape(item.key),
            lead_url=f"/leads/{lead.id}/",
            name=escape(lead.full_name or lead.email),
            grade=escape(lead.grade),
            score=lead.score,
            inbound=INBOUND.format(words["inbound_label"]) if lead.source == "inbound" else "",
            meta=meta,
            step=escape(self.step_of % {"n": item.step_position, "m": item.step_count})
            if is_touch
            else words["reminder_step"],
            why=escape(item.cadence_name if is_touch else item.why),
            due_class=' class="qi-overdue"' if item.overdue else "",
            due=self._due(item),
            details=self._details(item, action_url),
            action_url=action_url,
            profile=PROFILE.format(escape(profile_url), words["profile_label"]) if profile_url else "",
        )
