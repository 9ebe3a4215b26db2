from rest_framework import serializers

from sdrcrm.audit.models import AuditEvent


class AuditActorOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class AuditEventOut(serializers.ModelSerializer):
    actor = AuditActorOut(allow_null=True)
    changes = serializers.DictField(child=serializers.ListField(allow_null=True))

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "team",
            "actor",
            "action",
            "target_type",
            "target_id",
            "target_label",
            "changes",
            "request_id",
            "ip_address",
            "created_at",
        ]
