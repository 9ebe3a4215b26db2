"""Who sees which handoffs and opportunities (API.md, "Who sees what"): the rep-level part; the team
and role part is sdrcrm.accounts.querysets.TeamScopedQuerySet."""

from sdrcrm.accounts.querysets import TeamScopedQuerySet


class HandoffQuerySet(TeamScopedQuerySet):
    def visible_to_rep(self, team_rows, user):
        if user.is_prospector:
            return team_rows.filter(sdr=user)
        if user.is_ae:
            return team_rows.filter(ae=user)
        return team_rows.none()

    def pending(self):
        return self.filter(status="pending")


class OpportunityQuerySet(TeamScopedQuerySet):
    def visible_to_rep(self, team_rows, user):
        if user.is_prospector:
            return team_rows.filter(sourced_by=user)
        if user.is_ae:
            return team_rows.filter(owner=user)
        return team_rows.none()
