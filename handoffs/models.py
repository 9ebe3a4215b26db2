from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from handoffs.querysets import HandoffQuerySet, OpportunityQuerySet
from leads.models import Lead
from sdrcrm.accounts.models import Team


class NextStep(models.TextChoices):
    DEMO = "demo", _("Demo")
    STRATEGY_CALL = "strategy_call", _("Strategy call")
    FIT_ASSESSMENT = "fit_assessment", _("Fit assessment")
    CONSULTATION = "consultation", _("Consultation")
    TECHNICAL_CALL = "technical_call", _("Technical call")


class HandoffStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class RejectReason(models.TextChoices):
    NOT_ICP = "not_icp", _("Not our ICP")
    NO_BUDGET = "no_budget", _("No budget")
    NO_AUTHORITY = "no_authority", _("No authority")
    NO_NEED = "no_need", _("No need")
    BAD_TIMING = "bad_timing", _("Bad timing")
    DUPLICATE = "duplicate", _("Duplicate")
    INSUFFICIENT_INFO = "insufficient_info", _("Insufficient information")
    OTHER = "other", _("Other")


class MeetingOutcome(models.TextChoices):
    HELD = "held", _("Held")
    NO_SHOW = "no_show", _("No-show")
    RESCHEDULED = "rescheduled", _("Rescheduled")


# The qualification an SDR writes down; the rules of engagement say which of these are required.
QUALIFICATION_FIELDS = ("budget", "authority", "need", "timeline", "users", "decision_process")
ALWAYS_REQUIRED = ("need", "timeline")  # API.md: need and timeline are required whatever the team says
REQUIRABLE_FIELDS = (*QUALIFICATION_FIELDS, "notes", "meeting_at")


class RulesOfEngagement(models.Model):
    """The team's SDR↔AE agreement: which qualification a handoff must carry.

    The AE response SLA stays on the team (`Team.handoff_sla_hours`, the one source of truth that
    API.md names); this page and endpoint edit it there.
    """

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="rules_of_engagement")
    required_fields = models.JSONField(_("required fields"), default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("rules of engagement")
        verbose_name_plural = _("rules of engagement")

    def __str__(self) -> str:
        return f"Rules of engagement · {self.team}"

    @property
    def effective_required_fields(self) -> list[str]:
        chosen = set(self.required_fields or ()) | set(ALWAYS_REQUIRED)
        return [name for name in REQUIRABLE_FIELDS if name in chosen]


class AeRoutingPointer(models.Model):
    """The team's round-robin position: the AE who got the last routed handoff. Locked FOR UPDATE
    while choosing the next AE, so two concurrent handoffs never read the same position."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="ae_routing_pointer")
    last_ae = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    routed_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"AE routing · {self.team}"


class Handoff(models.Model):
    """A qualified lead handed from an SDR to an AE, waiting for (or carrying) the AE's decision."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="handoffs")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="handoffs")
    sdr = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="handoffs_created"
    )
    ae = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="handoffs_assigned"
    )
    routed = models.BooleanField(default=False, help_text="Chosen by round-robin, not by the SDR.")
    status = models.CharField(max_length=10, choices=HandoffStatus.choices, default=HandoffStatus.PENDING)

    next_step = models.CharField(_("next step"), max_length=20, choices=NextStep.choices)
    meeting_at = models.DateTimeField(_("meeting"), null=True, blank=True)
    budget = models.TextField(_("budget"), blank=True)
    authority = models.TextField(_("authority"), blank=True)
    need = models.TextField(_("need"), blank=True)
    timeline = models.TextField(_("timeline"), blank=True)
    users = models.TextField(_("users"), blank=True)
    decision_process = models.TextField(_("decision process"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    # What the lead's ICP score said when it was handed off (kept for SDR–AE disagreement analysis).
    icp_score = models.PositiveSmallIntegerField(default=0)
    icp_grade = models.CharField(max_length=1, blank=True)
    icp_snapshot = models.JSONField(default=list, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    sla_due_at = models.DateTimeField()
    sla_breached_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reject_reason = models.CharField(max_length=20, choices=RejectReason.choices, blank=True)
    reject_note = models.TextField(blank=True)
    meeting_outcome = models.CharField(max_length=12, choices=MeetingOutcome.choices, blank=True)
    meeting_outcome_at = models.DateTimeField(null=True, blank=True)
    meeting_outcome_note = models.TextField(blank=True)
    ae_emailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = HandoffQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead"], condition=Q(status="pending"), name="handoff_one_pending_per_lead"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False), name="handoff_decided_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reject_reason=""), name="handoff_rejected_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["ae", "status", "created_at"], name="handoff_ae_inbox_idx"),
            models.Index(fields=["team", "created_at"], name="handoff_team_time_idx"),
            models.Index(fields=["sdr", "created_at"], name="handoff_sdr_time_idx"),
            models.Index(
                fields=["team", "decided_at"],
                condition=Q(decided_at__isnull=False),
                name="handoff_team_decided_idx",
            ),
            models.Index(
                fields=["sla_due_at"],
                condition=Q(status="pending", sla_breached_at__isnull=True),
                name="handoff_sla_watch_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Handoff {self.pk} · {self.lead}"

    @property
    def is_pending(self) -> bool:
        return self.status == HandoffStatus.PENDING

    def sla_breached_on(self, now=None) -> bool:
        if self.sla_breached_at is not None:
            return True
        return (self.decided_at or now or timezone.now()) > self.sla_due_at

    @property
    def sla_breached(self) -> bool:
        return self.sla_breached_on()

    @property
    def icp_matched(self) -> list[str]:
        return [row.get("criterion", "") for row in self.icp_snapshot or () if row.get("matched")]

    @property
    def icp_missed(self) -> list[str]:
        return [row.get("criterion", "") for row in self.icp_snapshot or () if not row.get("matched")]


class OpportunityStage(models.TextChoices):
    DISCOVERY = "discovery", _("Discovery")
    DEMO = "demo", _("Demo")
    PROPOSAL = "proposal", _("Proposal")
    NEGOTIATION = "negotiation", _("Negotiation")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


OPEN_STAGES = (
    OpportunityStage.DISCOVERY,
    OpportunityStage.DEMO,
    OpportunityStage.PROPOSAL,
    OpportunityStage.NEGOTIATION,
)
CLOSED_STAGES = (OpportunityStage.WON, OpportunityStage.LOST)
# "Stage 2" of the funnel: an opportunity that reached a demo or beyond (won included).
STAGE_TWO_STAGES = (
    OpportunityStage.DEMO,
    OpportunityStage.PROPOSAL,
    OpportunityStage.NEGOTIATION,
    OpportunityStage.WON,
)


class Opportunity(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="opportunities")
    lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="opportunities"
    )
    handoff = models.OneToOneField(
        Handoff, null=True, blank=True, on_delete=models.SET_NULL, related_name="opportunity"
    )
    name = models.CharField(_("name"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=0)
    stage = models.CharField(
        _("stage"), max_length=12, choices=OpportunityStage.choices, default=OpportunityStage.DISCOVERY
    )
    sourced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opportunities_sourced",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="opportunities"
    )
    expected_close = models.DateField(_("expected close"), null=True, blank=True)
    lost_reason = models.CharField(_("lost reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    reached_stage2_at = models.DateTimeField(null=True, blank=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "opportunities"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="opportunity_amount_not_negative"),
            models.CheckConstraint(
                condition=~Q(stage="lost") | ~Q(lost_reason=""), name="opportunity_lost_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(stage__in=["won", "lost"], closed_at__isnull=False)
                | (~Q(stage__in=["won", "lost"]) & Q(closed_at__isnull=True)),
                name="opportunity_closed_iff_won_or_lost",
            ),
        ]
        indexes = [
            models.Index(fields=["team", "created_at"], name="opportunity_team_time_idx"),
            models.Index(fields=["owner", "stage"], name="opportunity_owner_stage_idx"),
            models.Index(fields=["team", "closed_at"], name="opportunity_team_closed_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.stage in CLOSED_STAGES


class OpportunityStageChange(models.Model):
    """Audit of an opportunity's stage moves (who, when, from, to), with or without a lead."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=12, choices=OpportunityStage.choices, blank=True)
    to_stage = models.CharField(max_length=12, choices=OpportunityStage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["opportunity", "changed_at"], name="opp_stage_change_time_idx")]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_stage or '∅'} → {self.to_stage}"
