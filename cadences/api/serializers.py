from rest_framework import serializers

from cadences.models import Cadence, Channel, EmailEventType, Enrollment, Reminder, Step, Touch

STEP_FIELDS = ["position", "wait_days", "channel", "subject", "body", "instructions", "variants"]


class VariantIn(serializers.Serializer):
    subject = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    body = serializers.CharField(required=False, allow_blank=True, max_length=20000, default="")


class StepIn(serializers.Serializer):
    position = serializers.IntegerField(required=False, min_value=1, max_value=100)
    wait_days = serializers.IntegerField(required=False, min_value=0, max_value=365, default=0)
    channel = serializers.ChoiceField(choices=Channel.choices)
    subject = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    body = serializers.CharField(required=False, allow_blank=True, max_length=20000, default="")
    instructions = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    variants = VariantIn(many=True, required=False, default=list)


class CadenceCreateIn(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    team = serializers.IntegerField(
        required=False, min_value=1, help_text="Admins only; others use their own."
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    is_active = serializers.BooleanField(required=False, default=True)
    business_days_only = serializers.BooleanField(required=False, default=True)
    window_start = serializers.TimeField(required=False, format="%H:%M")
    window_end = serializers.TimeField(required=False, format="%H:%M")
    steps = StepIn(many=True, required=False)


class CadenceUpdateIn(CadenceCreateIn):
    name = serializers.CharField(max_length=150, required=False)
    is_active = serializers.BooleanField(required=False)
    business_days_only = serializers.BooleanField(required=False)


class StepOut(serializers.ModelSerializer):
    class Meta:
        model = Step
        fields = ["id", *STEP_FIELDS]


class CadenceOut(serializers.ModelSerializer):
    steps = serializers.SerializerMethodField()
    window_start = serializers.TimeField(format="%H:%M")
    window_end = serializers.TimeField(format="%H:%M")

    class Meta:
        model = Cadence
        fields = [
            "id", "team", "name", "description", "is_active", "business_days_only", "window_start",
            "window_end", "steps", "created_at", "updated_at",
        ]  # fmt: skip

    def get_steps(self, obj) -> list[dict]:
        steps = getattr(obj, "live_steps", None)
        if steps is None:
            steps = [s for s in obj.steps.all() if s.archived_at is None]
        return StepOut(sorted(steps, key=lambda s: s.position), many=True).data


class EnrollIn(serializers.Serializer):
    leads = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=1000)


class EnrollmentOut(serializers.ModelSerializer):
    class Meta:
        model = Enrollment
        fields = [
            "id", "lead", "cadence", "state", "exit_reason", "enrolled_by", "created_at", "paused_at",
            "resume_at", "ended_at",
        ]  # fmt: skip


class ExitIn(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=["replied", "bounced", "opted_out", "handed_off", "disqualified", "manual"],
        required=False,
        default="manual",
    )


class TouchOut(serializers.ModelSerializer):
    class Meta:
        model = Touch
        fields = [
            "id", "enrollment", "lead", "step", "channel", "due_at", "status", "outcome", "completed_at",
            "owner", "variant", "message_id", "note",
        ]  # fmt: skip


class TouchCompleteIn(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=["connected", "no_answer", "voicemail", "wrong_number", "sent", "done"], required=False
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class TouchSendIn(serializers.Serializer):
    subject = serializers.CharField(max_length=300)
    body = serializers.CharField(max_length=20000)


class TouchSkipIn(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class TouchRescheduleIn(serializers.Serializer):
    due_at = serializers.DateTimeField()


class QueueLeadOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")
    email = serializers.CharField()
    phone = serializers.CharField()
    title = serializers.CharField()
    company = serializers.CharField()
    score = serializers.IntegerField()
    grade = serializers.CharField()
    email_kind = serializers.CharField()
    source = serializers.CharField()
    linkedin_url = serializers.CharField()


class QueueItemOut(serializers.Serializer):
    type = serializers.CharField(source="kind")
    id = serializers.IntegerField()
    due_at = serializers.DateTimeField()
    overdue = serializers.BooleanField()
    channel = serializers.CharField()
    step = serializers.IntegerField(source="step_position", allow_null=True)
    steps_total = serializers.IntegerField(source="step_count", allow_null=True)
    cadence = serializers.CharField(source="cadence_name")
    why = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()
    instructions = serializers.CharField()
    lead = QueueLeadOut()

    def to_representation(self, item) -> dict:
        """The fields above as plain values: they describe the shape, this fills it without running
        a field object per value (a queue holds hundreds of rows)."""
        lead = item.lead
        return {
            "type": item.kind,
            "id": item.id,
            "due_at": self.fields["due_at"].to_representation(item.due_at),
            "overdue": item.overdue,
            "channel": item.channel,
            "step": item.step_position,
            "steps_total": item.step_count,
            "cadence": item.cadence_name,
            "why": item.why,
            "subject": item.subject,
            "body": item.body,
            "instructions": item.instructions,
            "lead": {
                "id": lead.id,
                "name": lead.full_name,
                "email": lead.email,
                "phone": lead.phone,
                "title": lead.title,
                "company": lead.company,
                "score": lead.score,
                "grade": lead.grade,
                "email_kind": lead.email_kind,
                "source": lead.source,
                "linkedin_url": lead.linkedin_url,
            },
        }


class ReminderOut(serializers.ModelSerializer):
    class Meta:
        model = Reminder
        fields = ["id", "lead", "owner", "due_at", "note", "status", "done_at", "notified_at", "created_at"]


class ReminderCreateIn(serializers.Serializer):
    lead = serializers.IntegerField(min_value=1)
    due_at = serializers.DateTimeField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class EmailEventIn(serializers.Serializer):
    type = serializers.ChoiceField(choices=EmailEventType.choices)
    email = serializers.EmailField(max_length=254)
    occurred_at = serializers.DateTimeField(required=False)
    until = serializers.DateField(required=False)


class InboundLeadIn(serializers.Serializer):
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    company = serializers.CharField(required=False, allow_blank=True, max_length=200)
    company_domain = serializers.CharField(required=False, allow_blank=True, max_length=200)
    industry = serializers.CharField(required=False, allow_blank=True, max_length=100)
    employee_count = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    country = serializers.CharField(required=False, allow_blank=True, max_length=2)
    timezone = serializers.CharField(required=False, allow_blank=True, max_length=64)
    linkedin_url = serializers.CharField(required=False, allow_blank=True, max_length=300)


class InboundLeadOut(serializers.Serializer):
    id = serializers.IntegerField()
    owner = serializers.IntegerField(source="owner_id", allow_null=True)
    team = serializers.IntegerField(source="team_id")
    source = serializers.CharField()
    email = serializers.CharField()
    enrolled = serializers.BooleanField()


class ReassignIn(serializers.Serializer):
    to = serializers.IntegerField(min_value=1)


class SendingPolicyOut(serializers.Serializer):
    team = serializers.IntegerField(source="team_id")
    daily_send_cap = serializers.IntegerField()
    account_touch_cap = serializers.IntegerField(allow_null=True)
    default_inbound_cadence = serializers.IntegerField(source="default_inbound_cadence_id", allow_null=True)
    voicemail_followup_business_days = serializers.IntegerField()


class SendingPolicyIn(serializers.Serializer):
    daily_send_cap = serializers.IntegerField(required=False, min_value=0, max_value=10000)
    account_touch_cap = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=1000)
    default_inbound_cadence = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    voicemail_followup_business_days = serializers.IntegerField(required=False, min_value=0, max_value=30)


class TouchResolveIn(serializers.Serializer):
    sent = serializers.BooleanField(help_text="True: the email did reach the server; false: it did not.")
