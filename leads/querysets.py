"""Who sees which leads (API.md, "Who sees what"): the one place that rule is written."""

from django.apps import apps
from django.db import models
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When


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

    def by_priority(self):
        """Best first: higher score, then a corporate email over free mail (over none), then inbound
        before other sources, then the newest lead."""
        return self.annotate(
            email_rank=Case(
                When(email_kind="corporate", then=Value(0)),
                When(email_kind="free", then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            source_rank=Case(
                When(source="inbound", then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
        ).order_by("-score", "email_rank", "source_rank", "-created_at", "-id")

    def open(self):
        """Leads an SDR may still work: not disqualified, handed off or converted."""
        return self.filter(status__in=["new", "working", "nurture"])


class ImportBatchQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Admins: all; managers: their team's; SDRs and BDRs: the imports they made. AEs: none."""
        if not user.is_authenticated:
            return self.none()
        if user.is_admin:
            return self
        if user.is_manager:
            return self.filter(team_id=user.team_id)
        if user.is_prospector:
            return self.filter(team_id=user.team_id, created_by=user)
        return self.none()


class IcpProfileQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_admin:
            return self
        return self.filter(team_id=user.team_id)


class ActivityQuerySet(models.QuerySet):
    def visible_to(self, user):
        from leads.models import Lead

        return self.filter(lead__in=Lead.objects.visible_to(user).values("pk"))
