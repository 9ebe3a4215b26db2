from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from leads.models import (
    Activity,
    ActivityKind,
    ActivityOutcome,
    IcpProfile,
    ImportBatch,
    ImportRow,
    Lead,
    LeadSource,
)
from sdrcrm.accounts.models import Team, User

LEAD_OUT_FIELDS = [
    "id", "first_name", "last_name", "email", "phone", "title", "company", "company_domain", "industry",
    "employee_count", "country", "timezone", "linkedin_url", "source", "owner", "team", "account", "status",
    "stage", "score", "grade", "score_explanation", "email_kind", "opted_out", "email_bounced",
    "disqualify_reason", "budget", "authority", "need", "timeline", "users", "decision_process",
    "research_notes", "created_at", "updated_at", "first_touch_at", "mql_at", "sql_at", "opportunity_at",
    "customer_at", "import_batch",
]  # fmt: skip


class ScoreCriterionOut(serializers.Serializer):
    criterion = serializers.CharField()
    matched = serializers.BooleanField()
    weight = serializers.IntegerField()
    detail = serializers.CharField()


@extend_schema_field(ScoreCriterionOut(many=True))
class ScoreExplanationField(serializers.Field):
    """The stored explanation in ScoreCriterionOut's shape, built as plain dicts: a nested serializer
    per criterion was most of the time the lead list spent serializing."""

    def to_representation(self, value):
        return [
            {
                "criterion": str(item.get("criterion", "")),
                "matched": bool(item.get("matched")),
                "weight": int(item.get("weight") or 0),
                "detail": str(item.get("detail", "")),
            }
            for item in value or ()
        ]


class LeadOut(serializers.ModelSerializer):
    score_explanation = ScoreExplanationField(read_only=True)

    class Meta:
        model = Lead
        fields = LEAD_OUT_FIELDS
        read_only_fields = LEAD_OUT_FIELDS

    def to_representation(self, instance):
        """What ModelSerializer gives, field by field, without rebuilding the fields for each request
        nor DRF's generic attribute walk (a list renders up to 200 leads): relations are read as
        their stored ids, every other field through its serializer field."""
        out = {}
        for name, attribute, field in self._reading_plan():
            value = getattr(instance, attribute)
            out[name] = value if value is None or field is None else field.to_representation(value)
        return out

    def _reading_plan(self) -> list:
        """(name, attribute, field or None for a relation's id), built once per class: the fields'
        to_representation depends on neither the request nor the instance."""
        plan = type(self).__dict__.get("_plan")
        if plan is None:
            plan = [
                (name, f"{name}_id", None)
                if isinstance(field, serializers.PrimaryKeyRelatedField)
                else (name, name, field)
                for name, field in self.fields.items()
                if not field.write_only
            ]
            type(self)._plan = plan
        return plan


class LeadUpdateIn(serializers.Serializer):
    """Every field optional. Email, phone, country, time zone and URLs are checked by the service."""

    first_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    company = serializers.CharField(required=False, allow_blank=True, max_length=200)
    company_domain = serializers.CharField(required=False, allow_blank=True, max_length=200)
    industry = serializers.CharField(required=False, allow_blank=True, max_length=100)
    employee_count = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=10_000_000
    )
    country = serializers.CharField(required=False, allow_blank=True, max_length=10)
    timezone = serializers.CharField(required=False, allow_blank=True, max_length=64)
    linkedin_url = serializers.CharField(required=False, allow_blank=True, max_length=300)
    source = serializers.ChoiceField(choices=LeadSource.choices, required=False)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    budget = serializers.CharField(required=False, allow_blank=True, max_length=300)
    authority = serializers.CharField(required=False, allow_blank=True, max_length=300)
    need = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    timeline = serializers.CharField(required=False, allow_blank=True, max_length=300)
    users = serializers.CharField(required=False, allow_blank=True, max_length=300)
    decision_process = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    research_notes = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class LeadCreateIn(LeadUpdateIn):
    source = serializers.ChoiceField(choices=LeadSource.choices, required=False, default=LeadSource.OUTBOUND)
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, help_text="Admins only: the lead's team."
    )


class LeadDisqualifyIn(serializers.Serializer):
    reason = serializers.CharField(max_length=300, allow_blank=True)


class LeadNurtureIn(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ActivityOut(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = ["id", "lead", "kind", "outcome", "body", "data", "actor", "actor_name", "created_at"]

    def get_actor_name(self, obj) -> str:
        return obj.actor.display_name if obj.actor_id else ""


class ActivityCreateIn(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[(k, ActivityKind(k).label) for k in ("call", "email", "linkedin", "note", "meeting")]
    )
    outcome = serializers.ChoiceField(choices=ActivityOutcome.choices, required=False, allow_blank=True)
    body = serializers.CharField(required=False, allow_blank=True, max_length=10_000)


class ImportErrorOut(serializers.Serializer):
    row = serializers.IntegerField()
    field = serializers.CharField()
    message = serializers.CharField()


class ImportOut(serializers.ModelSerializer):
    errors = serializers.SerializerMethodField()
    errors_truncated = serializers.SerializerMethodField()

    class Meta:
        model = ImportBatch
        fields = [
            "id", "status", "total_rows", "processed_rows", "created", "updated", "duplicates", "failed",
            "errors", "errors_truncated", "filename", "source", "owner", "dry_run", "update_existing",
            "encoding", "delimiter", "columns", "mapping", "message", "revert_report", "created_by",
            "created_at", "started_at", "finished_at", "reverted_at",
        ]  # fmt: skip

    ERROR_LIMIT = 1000

    def _error_rows(self, obj):
        if not hasattr(obj, "_error_rows"):
            obj._error_rows = list(
                ImportRow.objects.filter(batch=obj, action="error")
                .order_by("row_number")
                .values_list("errors", flat=True)[: self.ERROR_LIMIT + 1]
            )
        return obj._error_rows

    @extend_schema_field(ImportErrorOut(many=True))
    def get_errors(self, obj):
        errors = []
        for row_errors in self._error_rows(obj)[: self.ERROR_LIMIT]:
            errors.extend(row_errors)
        return errors

    def get_errors_truncated(self, obj) -> bool:
        return len(self._error_rows(obj)) > self.ERROR_LIMIT


class ImportListOut(serializers.ModelSerializer):
    class Meta:
        model = ImportBatch
        fields = [
            "id", "status", "total_rows", "processed_rows", "created", "updated", "duplicates", "failed",
            "filename", "source", "dry_run", "update_existing", "created_by", "created_at", "finished_at",
        ]  # fmt: skip


class ImportCreateIn(serializers.Serializer):
    file = serializers.FileField()
    source = serializers.ChoiceField(choices=LeadSource.choices, default=LeadSource.LIST)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    mapping = serializers.JSONField(
        required=False, help_text="JSON object: CSV header → lead field (first_name, email, …)."
    )
    dry_run = serializers.BooleanField(required=False, default=False)
    update_existing = serializers.BooleanField(required=False, default=False)
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, help_text="Admins only."
    )


class ImportQueuedOut(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()


class ImportRowOut(serializers.ModelSerializer):
    row = serializers.IntegerField(source="row_number")

    class Meta:
        model = ImportRow
        fields = ["row", "action", "email", "lead", "errors", "changes"]


class ImportRevertOut(serializers.Serializer):
    deleted = serializers.IntegerField()
    restored = serializers.IntegerField()
    not_reverted = serializers.ListField(child=serializers.DictField())


class IcpWeightsIn(serializers.Serializer):
    industry = serializers.IntegerField(min_value=0, max_value=100, required=False)
    employees = serializers.IntegerField(min_value=0, max_value=100, required=False)
    country = serializers.IntegerField(min_value=0, max_value=100, required=False)
    title = serializers.IntegerField(min_value=0, max_value=100, required=False)


class IcpProfileOut(serializers.ModelSerializer):
    class Meta:
        model = IcpProfile
        fields = [
            "id", "team", "name", "is_active", "industries", "employee_min", "employee_max", "countries",
            "title_keywords", "weights", "created_at", "updated_at",
        ]  # fmt: skip


class IcpProfileUpdateIn(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    is_active = serializers.BooleanField(required=False)
    industries = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=200
    )
    employee_min = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    employee_max = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    countries = serializers.ListField(
        child=serializers.CharField(max_length=10), required=False, max_length=300
    )
    title_keywords = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=200
    )
    weights = IcpWeightsIn(required=False)


class IcpProfileCreateIn(IcpProfileUpdateIn):
    name = serializers.CharField(max_length=120)
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, help_text="Admins only."
    )
