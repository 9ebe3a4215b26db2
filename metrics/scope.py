"""Whose numbers a caller may read (API.md, "Metrics"): the one place that rule is written.

- admin: any team (`team=`), or every team at once without it; any rep of that team (`owner=`);
- manager: their own team (another team → 404), any rep of it;
- SDR, BDR, AE: their own numbers only — `owner` is forced to themselves, another team → 404.
"""

import zoneinfo
from dataclasses import dataclass

from django.utils.translation import gettext as _

from metrics.periods import zone_named
from sdrcrm.accounts.models import Role, Team, User
from sdrcrm.core.errors import NotFound, ValidationFailed


@dataclass(frozen=True)
class Scope:
    team: Team | None  # None: every team (admins only)
    owner: User | None  # None: the whole team
    zone: zoneinfo.ZoneInfo

    @property
    def owner_is_ae(self) -> bool:
        return self.owner is not None and self.owner.role == Role.AE

    @property
    def team_id(self) -> int | None:
        return self.team.pk if self.team else None


def _int_param(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationFailed(_("Enter a whole number."), field=field) from None
    if number < 1:
        raise ValidationFailed(_("Enter a whole number."), field=field)
    return number


def team_zone(team: Team | None) -> zoneinfo.ZoneInfo:
    """The team's day: its `timezone` if it has one, else its first active manager's, else UTC."""
    if team is None:
        return zone_named("UTC")
    own = getattr(team, "timezone", "")
    if own:
        return zone_named(own)
    name = (
        User.objects.filter(team=team, role=Role.MANAGER, is_active=True)
        .order_by("id")
        .values_list("timezone", flat=True)
        .first()
    )
    return zone_named(name)


def scope_for_user(*, user: User, team_id=None, owner_id=None) -> Scope:
    """The team, rep and time zone a caller's metrics are computed for. 404 for what they may not see."""
    team_id = _int_param(team_id, "team")
    owner_id = _int_param(owner_id, "owner")
    if user.is_admin:
        team = None
        if team_id is not None:
            team = Team.objects.filter(pk=team_id).first()
            if team is None:
                raise NotFound(_("Team not found."))
        # without `team=`, an admin sees every team at once (in UTC days)
    else:
        if user.team_id is None or (team_id is not None and team_id != user.team_id):
            raise NotFound(_("Team not found."))
        team = user.team
    if user.is_admin or user.is_manager:
        owner = None
        if owner_id is not None:
            owners = User.objects.filter(pk=owner_id)
            if team is not None:
                owners = owners.filter(team=team)
            owner = owners.select_related("team").first()
            if owner is None:
                raise NotFound(_("User not found."))
            if team is None:
                team = owner.team
    else:
        owner = user  # an SDR, BDR or AE reads their own numbers only
    return Scope(team=team, owner=owner, zone=team_zone(team))
