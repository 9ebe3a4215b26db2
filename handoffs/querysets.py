"""Who sees which handoffs and opportunities (API.md, "Who sees what"): the one place that rule is written."""

from django.db import models


class HandoffQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_admin:
            return self
        mine = self.filter(team_id=user.team_id)
        if user.is_manager:
            return mine
        if user.is_prospector:
            return mine.filter(sdr=user)
        if user.is_ae:
            return mine.filter(ae=user)
        return self.none()

    def pending(self):
        return self.filter(status="pending")

    def for_update(self):
        return self.select_for_update()


class OpportunityQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_admin:
            return self
        mine = self.filter(team_id=user.team_id)
        if user.is_manager:
            return mine
        if user.is_prospector:
            return mine.filter(sourced_by=user)
        if user.is_ae:
            return mine.filter(owner=user)
        return self.none()

    def for_update(self):
        return self.select_for_update()
