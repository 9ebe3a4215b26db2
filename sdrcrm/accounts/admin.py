from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from sdrcrm.accounts.models import Notification, Team, User


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "mql_threshold", "handoff_sla_hours", "speed_to_lead_minutes", "api_key_prefix"]
    search_fields = ["name"]
    readonly_fields = ["api_key_prefix", "api_key_rotated_at", "created_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "team", "is_active", "away_until"]
    list_filter = ["role", "team", "is_active"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("sdrcrm", {"fields": ("role", "team", "timezone", "away_until")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("sdrcrm", {"fields": ("role", "team", "timezone")}),
    )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["user"]
