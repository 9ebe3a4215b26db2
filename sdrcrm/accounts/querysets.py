"""Who sees what (API.md, "Who sees what"), the part every entity shares, written once."""

from django.db import models


class TeamScopedQuerySet(models.QuerySet):
    """Rows that belong to a team: an admin sees all of them, a manager their whole team, nobody
    anything of another team. Each entity says what a rep of the team (SDR, BDR, AE) sees by
    overriding `visible_to_rep`."""

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_admin:
            return self
        team_rows = self.filter(team_id=user.team_id)
        if user.is_manager:
            return team_rows
        return self.visible_to_rep(team_rows, user)

    def visible_to_rep(self, team_rows, user):
        return team_rows.none()

    def for_update(self):
        return self.select_for_update()
