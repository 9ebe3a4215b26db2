"""Scopes for cadence rows: who may see them (through the lead), what is due, what is open."""

from django.db import models

from sdrcrm.accounts.querysets import TeamScopedQuerySet


class EnrollmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        from leads.models import Lead

        return self.filter(lead__in=Lead.objects.visible_to(user).values("pk"))

    def open(self):
        return self.filter(state__in=["active", "paused"])

    def for_update(self):
        return self.select_for_update()


class TouchQuerySet(models.QuerySet):
    def visible_to(self, user):
        from leads.models import Lead

        return self.filter(lead__in=Lead.objects.visible_to(user).values("pk"))

    def due(self, now):
        return self.filter(status="scheduled", due_at__lte=now)

    def for_update(self):
        return self.select_for_update()


class ReminderQuerySet(TeamScopedQuerySet):
    def visible_to_rep(self, team_rows, user):
        return team_rows.filter(owner=user)

    def open(self):
        return self.filter(status="open")
