"""Reads of the audit log. Managers see their own team's events, admins every team's; nobody else any."""

import datetime

from django.db.models import QuerySet
from django.utils.dateparse import parse_date, parse_datetime

from sdrcrm.audit.models import AuditEvent
from sdrcrm.core.errors import NotAllowed, ValidationFailed


def audit_events_visible_to(user) -> QuerySet[AuditEvent]:
    if user.is_admin:
        return AuditEvent.objects.all()
    if user.is_manager and user.team_id:
        return AuditEvent.objects.filter(team_id=user.team_id)
    raise NotAllowed("Only managers and admins read the audit log.")


def _positive_int(value: str, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed("Give a whole number.", field=field) from None
    if not 0 < number < 2**63:
        raise ValidationFailed("Give a positive whole number.", field=field)
    return number


def _moment(value: str) -> datetime.datetime:
    moment = parse_datetime(value) if "T" in value or " " in value else None
    if moment is None:
        try:
            day = parse_date(value)
        except ValueError:
            day = None
        if day is None:
            raise ValidationFailed("Give a date (YYYY-MM-DD) or a date and time.", field="since")
        moment = datetime.datetime.combine(day, datetime.time.min)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment


def audit_event_list_for_user(*, user, filters) -> QuerySet[AuditEvent]:
    """Newest first, filtered by target (`target_type`, `target_id`), `actor`, `action` (exact, or a
    prefix ending in a dot: `lead.`) and `since`. Bad values are a 400 naming the filter."""
    events = audit_events_visible_to(user).select_related("actor")
    if value := (filters.get("target_type") or "").strip():
        events = events.filter(target_type=value[:40])
    if value := (filters.get("target_id") or "").strip():
        events = events.filter(target_id=_positive_int(value, "target_id"))
    if value := (filters.get("actor") or "").strip():
        events = events.filter(actor_id=_positive_int(value, "actor"))
    if value := (filters.get("action") or "").strip()[:60]:
        events = (
            events.filter(action__startswith=value) if value.endswith(".") else events.filter(action=value)
        )
    if value := (filters.get("since") or "").strip():
        events = events.filter(created_at__gte=_moment(value))
    if value := (filters.get("team") or "").strip():
        events = events.filter(team_id=_positive_int(value, "team"))
    return events.order_by("-created_at", "-id")
