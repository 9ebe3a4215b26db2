"""Reads of teams, users and notifications, scoped to what the caller may see."""

from django.db.models import QuerySet

from sdrcrm.accounts.models import Notification, Role, Team, User
from sdrcrm.core.errors import NotAllowed, NotFound
from sdrcrm.core.sql import fetch_value


def require_role(user: User, *roles: str) -> None:
    """403 unless the caller acts in one of `roles` (a superuser acts as admin)."""
    if user.effective_role not in roles:
        raise NotAllowed("Your role may not do this.")


def team_list_for_user(*, user: User) -> QuerySet[Team]:
    require_role(user, Role.ADMIN, Role.MANAGER)
    teams = Team.objects.all()
    return teams if user.is_admin else teams.filter(pk=user.team_id)


def team_get_for_user(*, user: User, team_id: int) -> Team:
    team = team_list_for_user(user=user).filter(pk=team_id).first()
    if team is None:
        raise NotFound("Team not found.")
    return team


def user_list_for_user(*, user: User) -> QuerySet[User]:
    require_role(user, Role.ADMIN, Role.MANAGER)
    users = User.objects.select_related("team")
    return users if user.is_admin else users.filter(team_id=user.team_id)


def user_get_for_user(*, user: User, user_id: int) -> User:
    found = user_list_for_user(user=user).filter(pk=user_id).first()
    if found is None:
        raise NotFound("User not found.")
    return found


def team_members(*, team: Team, roles=None, active_only: bool = True) -> QuerySet[User]:
    members = User.objects.filter(team=team)
    if roles:
        members = members.filter(role__in=list(roles))
    if active_only:
        members = members.filter(is_active=True)
    return members.order_by("id")


def team_managers(*, team: Team) -> QuerySet[User]:
    return team_members(team=team, roles=[Role.MANAGER])


def notification_list_for_user(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.filter(user=user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications


UNREAD_SHOWN_UP_TO = 99


def notification_unread_count(*, user: User, up_to: int = UNREAD_SHOWN_UP_TO) -> int:
    """Unread notifications, counted no further than `up_to + 1` (the bell reads "99+"): the layout asks
    on every page, so its cost must not grow with a forgotten inbox."""
    # Written out: the layout runs it on every page, and building it through the ORM cost ten times the
    # statement itself. It is `Notification.objects.filter(user=user, read_at__isnull=True)[:up_to + 1].count()`.
    table = Notification._meta.db_table
    return fetch_value(
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE user_id = %s AND read_at IS NULL LIMIT %s) AS unread",  # noqa: S608 - the model's table
        [user.pk, up_to + 1],
    )
