"""Writes to teams, users and notifications.

Invariants: a team's API key is stored only as a SHA-256 hash and shown once, when made;
a user's role, team and time zone are always valid; a notification with a dedupe key is stored
once per user, however often it is raised.
"""

import datetime
import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from sdrcrm.accounts.models import Notification, Role, Team, User, validate_timezone
from sdrcrm.audit import services as audit
from sdrcrm.core.errors import Conflict, ValidationFailed

API_KEY_PREFIX = "sdr_"


def _hash_api_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def team_for_api_key(*, raw_key: str) -> Team | None:
    if not raw_key or not raw_key.startswith(API_KEY_PREFIX):
        return None
    return Team.objects.filter(api_key_hash=_hash_api_key(raw_key)).first()


@transaction.atomic
def team_rotate_api_key(*, team: Team, by=None) -> str:
    """Replaces the team's key; the old one stops working at once. Returns the new key (shown once)."""
    raw_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    team.api_key_hash = _hash_api_key(raw_key)
    team.api_key_prefix = raw_key[:10]
    team.api_key_rotated_at = timezone.now()
    team.save(update_fields=["api_key_hash", "api_key_prefix", "api_key_rotated_at"])
    audit.record(action="team.api_key_rotated", target=team, actor=by)
    return raw_key


TEAM_SETTINGS = ("mql_threshold", "handoff_sla_hours", "speed_to_lead_minutes", "daily_touch_goal")


def _check_team_settings(values: dict) -> None:
    if "mql_threshold" in values and not 0 <= values["mql_threshold"] <= 100:
        raise ValidationFailed("Must be between 0 and 100.", field="mql_threshold")
    if "handoff_sla_hours" in values and not 1 <= values["handoff_sla_hours"] <= 24 * 30:
        raise ValidationFailed("Must be between 1 and 720 hours.", field="handoff_sla_hours")
    if "speed_to_lead_minutes" in values and not 1 <= values["speed_to_lead_minutes"] <= 7 * 24 * 60:
        raise ValidationFailed("Must be between 1 minute and 7 days.", field="speed_to_lead_minutes")
    if "daily_touch_goal" in values and not 0 <= values["daily_touch_goal"] <= 1000:
        raise ValidationFailed("Must be between 0 and 1000.", field="daily_touch_goal")


@transaction.atomic
def team_create(*, name: str, by=None, **settings_values) -> tuple[Team, str]:
    """Creates a team and its first API key. Returns (team, raw key)."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("A team needs a name.", field="name")
    _check_team_settings(settings_values)
    if Team.objects.filter(name__iexact=name).exists():
        raise Conflict("A team with this name exists.", field="name")
    team = Team.objects.create(name=name, **{k: v for k, v in settings_values.items() if k in TEAM_SETTINGS})
    audit.record(action="team.created", target=team, actor=by)
    return team, team_rotate_api_key(team=team, by=by)


@transaction.atomic
def team_update(*, team: Team, by=None, **changes) -> Team:
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if not changes["name"]:
            raise ValidationFailed("A team needs a name.", field="name")
        if Team.objects.filter(name__iexact=changes["name"]).exclude(pk=team.pk).exists():
            raise Conflict("A team with this name exists.", field="name")
    _check_team_settings(changes)
    fields = [k for k in changes if k in (*TEAM_SETTINGS, "name")]
    before = {field: getattr(team, field) for field in fields}
    for field in fields:
        setattr(team, field, changes[field])
    team.save(update_fields=fields or None)
    if changed := audit.changes_between(before, {field: changes[field] for field in fields}):
        audit.record(action="team.updated", target=team, actor=by, changes=changed)
    return team


def _check_timezone(value: str) -> None:
    try:
        validate_timezone(value)
    except ValidationError as error:
        raise ValidationFailed(error.messages[0], field="timezone") from error


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    team: Team | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    timezone_name: str = "UTC",
    validate: bool = True,
    by=None,
) -> User:
    username = (username or "").strip()
    if not username:
        raise ValidationFailed("A user needs a username.", field="username")
    if role not in Role.values:
        raise ValidationFailed(f"Role must be one of {', '.join(Role.values)}.", field="role")
    if team is None and role != Role.ADMIN:
        raise ValidationFailed("Every user but an admin belongs to a team.", field="team")
    _check_timezone(timezone_name)
    user = User(
        username=username,
        email=(email or "").strip().lower(),
        first_name=first_name or "",
        last_name=last_name or "",
        role=role,
        team=team,
        timezone=timezone_name,
    )
    if validate:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationFailed(" ".join(error.messages), field="password") from error
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        raise Conflict("This username is taken.", field="username") from error
    audit.record(action="user.created", target=user, actor=by, team=team, changes={"role": [None, role]})
    return user


USER_EDITABLE = ("away_until", "is_active", "timezone", "first_name", "last_name", "email", "role", "team")


@transaction.atomic
def user_update(*, user: User, by=None, **changes) -> User:
    if "timezone" in changes:
        _check_timezone(changes["timezone"])
    if "role" in changes and changes["role"] not in Role.values:
        raise ValidationFailed(f"Role must be one of {', '.join(Role.values)}.", field="role")
    if changes.get("away_until") and not isinstance(changes["away_until"], datetime.date):
        raise ValidationFailed("Give a date.", field="away_until")
    if changes.get("away_until") and changes["away_until"] < timezone.localdate():
        raise ValidationFailed(
            "Pick today or a later date (clear it to mark the rep back).", field="away_until"
        )
    fields = [k for k in changes if k in USER_EDITABLE]
    before = {field: getattr(user, field) for field in fields}
    for field in fields:
        setattr(user, field, changes[field])
    if user.team_id is None and user.role != Role.ADMIN:
        raise ValidationFailed("Every user but an admin belongs to a team.", field="team")
    user.save(update_fields=fields or None)
    if changed := audit.changes_between(before, {field: changes[field] for field in fields}):
        audit.record(
            action="user.updated",
            target=user,
            actor=by,
            team=user.team_id or before.get("team"),
            changes=changed,
        )
    return user


def notification_create(
    *, user: User, kind: str, title: str, body: str = "", url: str = "", dedupe_key: str | None = None
) -> Notification | None:
    """Stores a notification; with a dedupe key, a repeat is a no-op and returns None."""
    if dedupe_key and Notification.objects.filter(user=user, dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            return Notification.objects.create(
                user=user, kind=kind, title=title[:200], body=body, url=url, dedupe_key=dedupe_key
            )
    except IntegrityError:
        return None


def notification_mark_read(*, user: User, notification_ids=None) -> int:
    """Marks the user's notifications read (all of them without ids). Returns how many changed."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
