"""Cadences and their steps.

Invariants: every template names only known placeholders (checked on save, the error names the
field); positions are 1…n without gaps; a step that touches point at is archived, never deleted.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from cadences import templating
from cadences.models import Cadence, Channel, Step
from sdrcrm.accounts.models import Role
from sdrcrm.accounts.selectors import require_role
from sdrcrm.audit import services as audit
from sdrcrm.core.errors import ValidationFailed

CADENCE_FIELDS = ("name", "description", "is_active", "business_days_only", "window_start", "window_end")
MAX_STEPS = 30


def _text_error(text: str) -> str | None:
    if templating.has_broken_placeholder(text):
        return "A placeholder is not closed: write it as {{first_name}}."
    unknown = templating.unknown_placeholders(text)
    if unknown:
        names = ", ".join("{{" + name + "}}" for name in unknown)
        allowed = ", ".join("{{" + name + "}}" for name in templating.PLACEHOLDERS)
        return f"Unknown placeholder {names}; use {allowed}."
    return None


def _check_texts(texts: list[tuple[str, str]]) -> None:
    """Refuses a step whose texts hold an unknown or unclosed placeholder, naming every field at fault
    at once (the first one as the error's field, the others beside it)."""
    errors: dict[str, str] = {}
    for field, text in texts:
        message = _text_error(text)
        if message and field not in errors:
            errors[field] = message
    if errors:
        (field, message), *others = errors.items()
        raise ValidationFailed(message, field=field, **{other: [problem] for other, problem in others})


def _clean_steps(steps: list[dict]) -> list[dict]:
    if len(steps) > MAX_STEPS:
        raise ValidationFailed(f"At most {MAX_STEPS} steps.", field="steps")
    positions = [step.get("position") for step in steps if step.get("position")]
    if len(positions) != len(set(positions)):
        raise ValidationFailed("Two steps have the same position.", field="steps")
    cleaned = []
    ordered = sorted(enumerate(steps), key=lambda pair: (pair[1].get("position") or pair[0] + 1, pair[0]))
    for index, (_original, step) in enumerate(ordered):
        channel = step.get("channel")
        if channel not in Channel.values:
            raise ValidationFailed(f"Step {index + 1}: channel must be one of {', '.join(Channel.values)}.",
                                   field="steps")  # fmt: skip
        wait_days = step.get("wait_days", 0) or 0
        if not isinstance(wait_days, int) or not 0 <= wait_days <= 365:
            raise ValidationFailed(f"Step {index + 1}: wait_days must be 0–365.", field="steps")
        subject, body = step.get("subject", "") or "", step.get("body", "") or ""
        variants = step.get("variants") or []
        _check_texts(
            [("subject", subject), ("body", body), ("instructions", step.get("instructions", "") or "")]
            + [
                ("variants", variant.get(part, "") or "")
                for variant in variants
                for part in ("subject", "body")
            ]
        )
        if channel == Channel.EMAIL and not (subject.strip() and body.strip()):
            raise ValidationFailed(f"Step {index + 1}: an automatic email needs a subject and a body.",
                                   field="steps")  # fmt: skip
        cleaned.append(
            {
                "position": index + 1,
                "wait_days": wait_days,
                "channel": channel,
                "subject": subject[:300],
                "body": body,
                "instructions": step.get("instructions", "") or "",
                "variants": [
                    {"subject": v.get("subject", "") or "", "body": v.get("body", "") or ""} for v in variants
                ],
            }
        )
    return cleaned


def _check_cadence_fields(values: dict, cadence: Cadence | None = None) -> None:
    if "name" in values and not (values["name"] or "").strip():
        raise ValidationFailed("A cadence needs a name.", field="name")
    start = values.get("window_start", cadence.window_start if cadence else datetime.time(8, 0))
    end = values.get("window_end", cadence.window_end if cadence else datetime.time(18, 0))
    if start >= end:
        raise ValidationFailed("The send window must start before it ends.", field="window_end")


def _replace_steps(cadence: Cadence, steps: list[dict]) -> None:
    """Updates steps in place by position; extra old steps are archived (their touches keep them)."""
    existing = list(cadence.steps.filter(archived_at__isnull=True).order_by("position"))
    now = timezone.now()
    # Move every live step out of the way first, so the unique (cadence, position) never collides.
    for step in existing:
        Step.objects.filter(pk=step.pk).update(position=-step.pk)
    for index, values in enumerate(steps):
        if index < len(existing):
            step = existing[index]
            for field, value in values.items():
                setattr(step, field, value)
            step.save()
        else:
            Step.objects.create(cadence=cadence, **values)
    for step in existing[len(steps) :]:
        if step.touches.exists():
            Step.objects.filter(pk=step.pk).update(archived_at=now)
        else:
            step.delete()


@transaction.atomic
def cadence_create(*, team, by, steps: list[dict] | None = None, **values) -> Cadence:
    require_role(by, Role.SDR, Role.BDR, Role.MANAGER, Role.ADMIN)
    values = {k: v for k, v in values.items() if k in CADENCE_FIELDS}
    values.setdefault("name", "")
    _check_cadence_fields(values)
    cleaned = _clean_steps(steps or [])
    values["name"] = values["name"].strip()
    cadence = Cadence.objects.create(team=team, created_by=by, **values)
    _replace_steps(cadence, cleaned)
    audit.record(action="cadence.created", target=cadence, actor=by, changes={"steps": [None, len(cleaned)]})
    return cadence


@transaction.atomic
def cadence_update(*, cadence: Cadence, by, steps: list[dict] | None = None, **values) -> Cadence:
    require_role(by, Role.SDR, Role.BDR, Role.MANAGER, Role.ADMIN)
    cadence = Cadence.objects.select_for_update().get(pk=cadence.pk)
    values = {k: v for k, v in values.items() if k in CADENCE_FIELDS}
    _check_cadence_fields(values, cadence)
    cleaned = _clean_steps(steps) if steps is not None else None
    before = {field: getattr(cadence, field) for field in values}
    for field, value in values.items():
        setattr(cadence, field, value.strip() if field == "name" else value)
    cadence.save()
    if cleaned is not None:
        _replace_steps(cadence, cleaned)
    changed = audit.changes_between(before, {field: getattr(cadence, field) for field in values})
    if cleaned is not None:
        changed["steps"] = [None, len(cleaned)]
    audit.record(action="cadence.updated", target=cadence, actor=by, changes=changed)
    return cadence


def _step_dict(step: Step) -> dict:
    return {
        "position": step.position,
        "wait_days": step.wait_days,
        "channel": step.channel,
        "subject": step.subject,
        "body": step.body,
        "instructions": step.instructions,
        "variants": step.variants,
    }


def _live_steps(cadence: Cadence) -> list[dict]:
    return [_step_dict(s) for s in cadence.steps.filter(archived_at__isnull=True).order_by("position")]


def step_save(*, cadence: Cadence, by, position: int | None, values: dict) -> Cadence:
    """Adds a step (position None) or edits the step at `position` (the builder page)."""
    steps = _live_steps(cadence)
    if position is None:
        steps.append({**values, "position": len(steps) + 1})
    else:
        if not 1 <= position <= len(steps):
            raise ValidationFailed("No such step.", field="position")
        steps[position - 1] = {**steps[position - 1], **values, "position": position}
    return cadence_update(cadence=cadence, by=by, steps=steps)


def step_move(*, cadence: Cadence, by, position: int, offset: int) -> Cadence:
    steps = _live_steps(cadence)
    target = position - 1 + offset
    if not (1 <= position <= len(steps) and 0 <= target < len(steps)):
        return cadence
    steps[position - 1], steps[target] = steps[target], steps[position - 1]
    for index, step in enumerate(steps):
        step["position"] = index + 1
    return cadence_update(cadence=cadence, by=by, steps=steps)


def step_remove(*, cadence: Cadence, by, position: int) -> Cadence:
    steps = _live_steps(cadence)
    if 1 <= position <= len(steps):
        del steps[position - 1]
        for index, step in enumerate(steps):
            step["position"] = index + 1
    return cadence_update(cadence=cadence, by=by, steps=steps)
