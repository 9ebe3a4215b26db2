"""Who sees which leads (API.md, "Who sees what"): the one place that rule is written."""

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q


class LeadQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_admin:
            return self
        mine = self.filter(team_id=user.team_id)
        if user.is_manager:
            return mine
        if user.is_prospector:
            return mine.filter(Q(owner=user) | Q(owner__isnull=True))
        if user.is_ae:
            try:
                handoff = apps.get_model("handoffs", "Handoff")
            except LookupError:
                return self.none()
            return mine.filter(Exists(handoff.objects.filter(lead=OuterRef("pk"), ae=user)))
        return self.none()

    def for_update(self):
        return self.select_for_update()


class ActivityQuerySet(models.QuerySet):
    def visible_to(self, user):
        from leads.models import Lead

        return self.filter(lead__in=Lead.objects.visible_to(user).values("pk"))
