"""Who sees which leads (API.md, "Who sees what"): the one place that rule is written."""

from django.apps import apps
from django.db import models
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When

from leads import search
from sdrcrm.accounts.querysets import TeamScopedQuerySet


class LeadQuerySet(TeamScopedQuerySet):
    def visible_to_rep(self, team_rows, user):
        if user.is_prospector:
            return team_rows.filter(Q(owner=user) | Q(owner__isnull=True))
        if user.is_ae:
            try:
                handoff = apps.get_model("handoffs", "Handoff")
            except LookupError:
                return team_rows.none()
            return team_rows.filter(Exists(handoff.objects.filter(lead=OuterRef("pk"), ae=user)))
        return team_rows.none()

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

    def matching(self, query: str):
        """Leads whose name, email or company contain every word of `query` (up to five words),
        case-insensitively (how, per database: leads.search)."""
        return search.matching(self, query)

    def open(self):
        """Leads an SDR may still work: not disqualified, handed off or converted."""
        return self.filter(status__in=["new", "working", "nurture"])


class ImportBatchQuerySet(TeamScopedQuerySet):
    """Managers: their team's imports; SDRs and BDRs: the imports they made; AEs: none."""

    def visible_to_rep(self, team_rows, user):
        if user.is_prospector:
            return team_rows.filter(created_by=user)
        return team_rows.none()


class IcpProfileQuerySet(TeamScopedQuerySet):
    """Everyone on the team reads the team's profiles (writes are checked in services)."""

    def visible_to_rep(self, team_rows, user):
        return team_rows


class LeadScopedQuerySet(models.QuerySet):
    """Rows that belong to a lead (timeline rows, enrollments, touches): visible exactly when the
    lead is."""

    def visible_to(self, user):
        from leads.models import Lead

        return self.filter(lead__in=Lead.objects.visible_to(user).values("pk"))

    def for_update(self):
        return self.select_for_update()


class ActivityQuerySet(LeadScopedQuerySet):
    pass
