from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from sdrcrm.accounts.models import Team


class AuditEvent(models.Model):
    """One change someone (or the system, or the team's API key: no actor) made. Append-only."""

    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=60)
    target_type = models.CharField(max_length=40)
    target_id = models.BigIntegerField(null=True, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    request_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["team", "-created_at", "-id"], name="audit_team_recent_idx"),
            models.Index(fields=["target_type", "target_id", "-created_at"], name="audit_target_idx"),
            # "This team's enrollment.* events": pattern ops let PostgreSQL use it for a prefix too.
            models.Index(
                fields=["team", "action", "-created_at", "-id"],
                name="audit_team_action_idx",
                opclasses=["", "varchar_pattern_ops", "", ""],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"
