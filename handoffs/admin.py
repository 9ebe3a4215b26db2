from django.contrib import admin

from handoffs.models import AeRoutingPointer, Handoff, Opportunity, OpportunityStageChange, RulesOfEngagement


@admin.register(Handoff)
class HandoffAdmin(admin.ModelAdmin):
    """Read-mostly: decisions go through the inbox and the API (services), not through admin saves."""

    list_display = (
        "id",
        "lead",
        "sdr",
        "ae",
        "status",
        "next_step",
        "created_at",
        "sla_due_at",
        "sla_breached_at",
    )
    list_filter = ("status", "next_step", "reject_reason", "meeting_outcome", "team")
    search_fields = ("lead__email", "lead__company", "lead__last_name")
    raw_id_fields = ("lead", "sdr", "ae", "decided_by")
    readonly_fields = [field.name for field in Handoff._meta.fields]


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "amount", "stage", "owner", "sourced_by", "created_at", "closed_at")
    list_filter = ("stage", "team")
    search_fields = ("name",)
    readonly_fields = [field.name for field in Opportunity._meta.fields]


@admin.register(OpportunityStageChange)
class OpportunityStageChangeAdmin(admin.ModelAdmin):
    list_display = ("opportunity", "from_stage", "to_stage", "changed_by", "changed_at")
    readonly_fields = ("opportunity", "from_stage", "to_stage", "changed_by", "changed_at")


@admin.register(RulesOfEngagement)
class RulesOfEngagementAdmin(admin.ModelAdmin):
    list_display = ("team", "required_fields", "updated_at", "updated_by")
    readonly_fields = ("team", "required_fields", "updated_at", "updated_by")


@admin.register(AeRoutingPointer)
class AeRoutingPointerAdmin(admin.ModelAdmin):
    list_display = ("team", "last_ae", "routed_count", "updated_at")
    readonly_fields = ("team", "last_ae", "routed_count", "updated_at")
