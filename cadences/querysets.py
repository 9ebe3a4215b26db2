"""Scopes for cadence rows: who may see them (through the lead), what is due, what is open."""

from leads.querysets import LeadScopedQuerySet
from sdrcrm.accounts.querysets import TeamScopedQuerySet


class EnrollmentQuerySet(LeadScopedQuerySet):
    def open(self):
        return self.filter(state__in=["active", "paused"])


class TouchQuerySet(LeadScopedQuerySet):
    def due(self, now):
        return self.filter(status="scheduled", due_at__lte=now)


class ReminderQuerySet(TeamScopedQuerySet):
    def visible_to_rep(self, team_rows, user):
        return team_rows.filter(owner=user)

    def open(self):
        return self.filter(status="open")
