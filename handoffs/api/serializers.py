import datetime

from rest_framework import serializers

from handoffs.models import (
    REQUIRABLE_FIELDS,
    Handoff,
    MeetingOutcome,
    NextStep,
    Opportunity,
    OpportunityStage,
    RejectReason,
)


class HandoffOut(serializers.ModelSerializer):
    lead_name = serializers.CharField(source="lead.__str__", read_only=True)
    company = serializers.CharField(source="lead.company", read_only=True)
    sla_breached = serializers.BooleanField(read_only=True)
    icp_matched = serializers.ListField(child=serializers.CharField(), read_only=True)
    opportunity = serializers.SerializerMethodField()

    class Meta:
        model = Handoff
        fields = [
            "id", "lead", "lead_name", "company", "team", "sdr", "ae", "routed", "status", "next_step",
            "meeting_at", "budget", "authority", "need", "timeline", "users", "decision_process", "notes",
            "created_at", "sla_due_at", "sla_breached", "sla_breached_at", "decided_at", "decided_by",
            "reject_reason", "reject_note", "icp_score", "icp_grade", "icp_snapshot", "icp_matched",
            "meeting_outcome", "meeting_outcome_at", "meeting_outcome_note", "opportunity",
        ]  # fmt: skip

    def get_opportunity(self, obj) -> int | None:
        opportunity = getattr(obj, "opportunity", None)
        return opportunity.pk if opportunity else None


class HandoffCreateIn(serializers.Serializer):
    lead = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    ae = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    next_step = serializers.ChoiceField(choices=NextStep.choices)
    meeting_at = serializers.DateTimeField(required=False, allow_null=True)
    budget = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    authority = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    need = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    timeline = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    users = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    decision_process = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class HandoffAcceptIn(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    expected_close = serializers.DateField(required=False, allow_null=True)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class HandoffRejectIn(serializers.Serializer):
    reason = serializers.ChoiceField(choices=RejectReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class HandoffMeetingIn(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=MeetingOutcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    meeting_at = serializers.DateTimeField(required=False, allow_null=True)


class OpportunityOut(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)

    class Meta:
        model = Opportunity
        fields = [
            "id", "team", "lead", "handoff", "name", "amount", "stage", "sourced_by", "owner",
            "expected_close", "lost_reason", "created_at", "updated_at", "closed_at", "reached_stage2_at",
        ]  # fmt: skip


class OpportunityCreateIn(serializers.Serializer):
    lead = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    stage = serializers.ChoiceField(choices=OpportunityStage.choices, required=False, default="discovery")
    sourced_by = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    owner = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    expected_close = serializers.DateField(required=False, allow_null=True)
    lost_reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class OpportunityUpdateIn(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    amount = serializers.DecimalField(required=False, max_digits=14, decimal_places=2, min_value=0)
    stage = serializers.ChoiceField(choices=OpportunityStage.choices, required=False)
    sourced_by = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    owner = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    expected_close = serializers.DateField(required=False, allow_null=True)
    lost_reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class RulesOfEngagementOut(serializers.Serializer):
    team = serializers.IntegerField(source="team_id")
    required_fields = serializers.ListField(child=serializers.CharField(), source="effective_required_fields")
    sla_hours = serializers.IntegerField(source="team.handoff_sla_hours")
    updated_at = serializers.SerializerMethodField()
    updated_by = serializers.IntegerField(source="updated_by_id", allow_null=True)

    def get_updated_at(self, obj) -> datetime.datetime | None:
        """None while the team runs on the defaults (no manager has saved rules yet)."""
        return serializers.DateTimeField().to_representation(obj.updated_at) if obj.pk else None


class RulesOfEngagementUpdateIn(serializers.Serializer):
    required_fields = serializers.ListField(
        child=serializers.ChoiceField(choices=[(name, name) for name in REQUIRABLE_FIELDS]),
        required=False,
        max_length=len(REQUIRABLE_FIELDS),
    )
    sla_hours = serializers.IntegerField(required=False, min_value=1, max_value=720)
