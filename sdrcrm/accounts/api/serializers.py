from rest_framework import serializers

from sdrcrm.accounts.models import Notification, Role, Team, User


class TeamOut(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = [
            "id", "name", "mql_threshold", "handoff_sla_hours", "speed_to_lead_minutes",
            "daily_touch_goal", "api_key_prefix", "api_key_rotated_at", "created_at",
        ]  # fmt: skip


class TeamWithKeyOut(TeamOut):
    api_key = serializers.CharField(help_text="Shown once: store it now.")

    class Meta(TeamOut.Meta):
        fields = [*TeamOut.Meta.fields, "api_key"]


class TeamCreateIn(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    mql_threshold = serializers.IntegerField(required=False, min_value=0, max_value=100)
    handoff_sla_hours = serializers.IntegerField(required=False, min_value=1, max_value=720)
    speed_to_lead_minutes = serializers.IntegerField(required=False, min_value=1, max_value=10080)
    daily_touch_goal = serializers.IntegerField(required=False, min_value=0, max_value=1000)


class TeamUpdateIn(TeamCreateIn):
    name = serializers.CharField(max_length=120, required=False)


class UserOut(serializers.ModelSerializer):
    role = serializers.CharField(source="effective_role")
    name = serializers.CharField(source="display_name")

    class Meta:
        model = User
        fields = [
            "id", "username", "name", "first_name", "last_name", "email", "role", "team",
            "timezone", "away_until", "is_active",
        ]  # fmt: skip


class UserCreateIn(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    email = serializers.EmailField(required=False, allow_blank=True)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    timezone = serializers.CharField(required=False, default="UTC", max_length=64)


class UserUpdateIn(serializers.Serializer):
    away_until = serializers.DateField(required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)
    timezone = serializers.CharField(required=False, max_length=64)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices, required=False)


class NotificationOut(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at", "is_read"]

    def get_is_read(self, obj) -> bool:
        return obj.read_at is not None


class NotificationReadIn(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, max_length=500
    )
