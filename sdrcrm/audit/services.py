"""Writes to the audit log.

Invariants: an event is only ever added (never edited) except by `audit_forget_target`, which an
erasure calls to blank what a person's events said about them; secrets (passwords, API keys and
their hashes) never reach a row; the actor is the one the service names, else the signed-in user
of the current request, else none (the system or the team's API key).
"""

import datetime
import decimal

from django.db import models

from sdrcrm.audit.context import current
from sdrcrm.audit.models import AuditEvent

SECRET_FIELDS = frozenset({"password", "api_key", "api_key_hash", "api_key_prefix", "raw_key", "token"})
ERASED = "Erased"


def _plain(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def changes_between(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value differs, secrets left out."""
    return {
        field: [_plain(before.get(field)), _plain(value)]
        for field, value in after.items()
        if field not in SECRET_FIELDS and _plain(before.get(field)) != _plain(value)
    }


def _team_id(target, team):
    if team is not None:
        return getattr(team, "pk", team)
    if target is not None and target._meta.model_name == "team":
        return target.pk
    return getattr(target, "team_id", None)


def record(
    *,
    action: str,
    target: models.Model | None = None,
    actor=None,
    team=None,
    changes: dict | None = None,
    label: str = "",
    target_type: str = "",
    target_id: int | None = None,
) -> AuditEvent:
    """Adds one event: `action` is dotted (`lead.updated`), `target` the object changed."""
    context = current()
    if not getattr(actor, "is_authenticated", False):
        actor = context.user.resolve() if context.user is not None else None
    clean_changes = {key: value for key, value in _plain(changes or {}).items() if key not in SECRET_FIELDS}
    return AuditEvent.objects.create(
        team_id=_team_id(target, team),
        actor=actor,
        action=action,
        target_type=target_type or (target._meta.model_name if target is not None else ""),
        target_id=target_id if target_id is not None else getattr(target, "pk", None),
        target_label=(label or (str(target) if target is not None else ""))[:200],
        changes=clean_changes,
        request_id=context.request_id,
        ip_address=context.ip_address,
    )


def audit_forget_target(*, target_type: str, target_id: int, label: str = ERASED) -> int:
    """Blanks what the events about one object said of it (label, old and new values), keeping who
    did what and when. Returns how many events were touched."""
    events = list(AuditEvent.objects.filter(target_type=target_type, target_id=target_id))
    for event in events:
        event.target_label = label
        event.changes = {field: [None, None] for field in event.changes or {}}
    AuditEvent.objects.bulk_update(events, ["target_label", "changes"])
    return len(events)
