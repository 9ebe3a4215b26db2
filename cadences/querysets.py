"""Scopes for cadence rows: who may see them (through the lead), what is due, what is open."""

from django.db import models
from django.db.models import Q


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


class ReminderQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_admin:
            return self
        if user.is_manager:
            return self.filter(team_id=user.team_id)
        return self.filter(Q(owner=user))

    def open(self):
        return self.filter(status="open")
