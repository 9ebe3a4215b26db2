"""Step templates: `{{first_name}} {{last_name}} {{company}} {{title}} {{sender_name}}`. Pure functions."""

import re

PLACEHOLDERS = ("first_name", "last_name", "company", "title", "sender_name")
PLACEHOLDER_RE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


def unknown_placeholders(text: str) -> list[str]:
    return [name for name in PLACEHOLDER_RE.findall(text or "") if name not in PLACEHOLDERS]


def has_broken_placeholder(text: str) -> bool:
    """True when braces are left once the well-formed placeholders are taken out: `Hi {{first_name`."""
    rest = PLACEHOLDER_RE.sub("", text or "")
    return "{{" in rest or "}}" in rest


def render(text: str, values: dict) -> str:
    return PLACEHOLDER_RE.sub(lambda match: str(values.get(match.group(1), "")), text or "")


def values_for(lead, sender) -> dict:
    return {
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "company": lead.company,
        "title": lead.title,
        "sender_name": getattr(sender, "display_name", "") if sender is not None else "",
    }


def step_text(step, variant: int | None) -> tuple[str, str]:
    """(subject, body) of the step, or of its variant (0 = the step's own text)."""
    if variant and step.variants and 0 < variant <= len(step.variants):
        chosen = step.variants[variant - 1]
        return chosen.get("subject", "") or step.subject, chosen.get("body", "") or step.body
    return step.subject, step.body


def render_touch(touch, lead, sender) -> tuple[str, str]:
    subject, body = step_text(touch.step, touch.variant)
    values = values_for(lead, sender)
    return render(subject, values), render(body, values)
