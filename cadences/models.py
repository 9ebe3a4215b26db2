import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadences.querysets import EnrollmentQuerySet, ReminderQuerySet, TouchQuerySet
from leads.models import Lead, LeadStatus
from sdrcrm.accounts.models import Team


class Channel(models.TextChoices):
    EMAIL = "email", _("Email (automatic)")
    MANUAL_EMAIL = "manual_email", _("Manual email")
    CALL = "call", _("Call")
    LINKEDIN = "linkedin", _("LinkedIn")
    TASK = "task", _("Task")


EMAIL_CHANNELS = frozenset({Channel.EMAIL, Channel.MANUAL_EMAIL})


class TeamSendingPolicy(models.Model):
    """The cadence settings of a team: send caps, the inbound cadence and the round-robin pointer.

    The row is also the lock that serialises inbound round-robin assignment for its team.
    """

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="sending_policy")
    daily_send_cap = models.PositiveIntegerField(_("emails per rep per day"), default=200)
    account_touch_cap = models.PositiveIntegerField(
        _("touches per company per week"), null=True, blank=True, help_text=_("Empty: no cap.")
    )
    default_inbound_cadence = models.ForeignKey(
        "cadences.Cadence", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    voicemail_followup_business_days = models.PositiveSmallIntegerField(default=2)
    round_robin_last_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Sending policy · {self.team}"


class Cadence(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="cadences")
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    business_days_only = models.BooleanField(_("business days only"), default=True)
    window_start = models.TimeField(_("send window start"), default=datetime.time(8, 0))
    window_end = models.TimeField(_("send window end"), default=datetime.time(18, 0))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_start__lt=models.F("window_end")), name="cadence_window_order"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Step(models.Model):
    """One step of a cadence. Removed steps are archived (touches keep pointing at them)."""

    cadence = models.ForeignKey(Cadence, on_delete=models.CASCADE, related_name="steps")
    position = models.IntegerField()
    wait_days = models.PositiveSmallIntegerField(default=0)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    instructions = models.TextField(blank=True)
    variants = models.JSONField(default=list, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["cadence", "position"], name="step_position_once")]

    def __str__(self) -> str:
        return f"{self.cadence} · {self.position} {self.channel}"

    @property
    def is_email(self) -> bool:
        return self.channel in EMAIL_CHANNELS


# Leads no cadence takes: disqualified, or with an AE (handed off, converted).
CLOSED_LEAD_STATUSES = frozenset({LeadStatus.DISQUALIFIED, LeadStatus.HANDED_OFF, LeadStatus.CONVERTED})


class EnrollmentState(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    EXITED = "exited", _("Exited")


OPEN_ENROLLMENT_STATES = (EnrollmentState.ACTIVE, EnrollmentState.PAUSED)


class ExitReason(models.TextChoices):
    REPLIED = "replied", _("Replied")
    BOUNCED = "bounced", _("Bounced")
    OPTED_OUT = "opted_out", _("Opted out")
    HANDED_OFF = "handed_off", _("Handed off")
    DISQUALIFIED = "disqualified", _("Disqualified")
    NURTURE = "nurture", _("Moved to nurture")
    MANUAL = "manual", _("Manual")


class Enrollment(models.Model):
    """A lead going through a cadence. At most one open (active or paused) enrollment per lead."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="enrollments")
    cadence = models.ForeignKey(
        Cadence, on_delete=models.PROTECT, related_name="enrollments", db_index=False
    )  # enrollment_cadence_state_idx starts with it
    state = models.CharField(max_length=10, choices=EnrollmentState.choices, default=EnrollmentState.ACTIVE)
    exit_reason = models.CharField(max_length=12, choices=ExitReason.choices, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    paused_at = models.DateTimeField(null=True, blank=True)
    resume_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead"],
                condition=Q(state__in=["active", "paused"]),
                name="one_open_enrollment_per_lead",
            )
        ]
        indexes = [
            models.Index(fields=["cadence", "state"], name="enrollment_cadence_state_idx"),
            models.Index(
                fields=["resume_at"],
                condition=Q(state="paused", resume_at__isnull=False),
                name="enrollment_resume_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead} in {self.cadence}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_ENROLLMENT_STATES


class TouchStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")
    CANCELED = "canceled", _("Canceled")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Unknown (review)")


class TouchOutcome(models.TextChoices):
    SENT = "sent", _("Sent")
    CONNECTED = "connected", _("Connected")
    NO_ANSWER = "no_answer", _("No answer")
    VOICEMAIL = "voicemail", _("Voicemail left")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    DONE = "done", _("Done")


class Touch(models.Model):
    """One step for one enrollment: a row with `due_at` is the whole of the schedule."""

    # No single-column indexes where a composite index below (or the once-per-step constraint) starts
    # with the column: a touch is updated three times on its way out, each time in every index.
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+", db_index=False)
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="touches", db_index=False
    )
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="touches", db_index=False)
    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="touches")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="touches",
        db_index=False,
    )
    channel = models.CharField(max_length=12, choices=Channel.choices)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=TouchStatus.choices, default=TouchStatus.SCHEDULED)
    outcome = models.CharField(max_length=12, choices=TouchOutcome.choices, blank=True)
    note = models.TextField(blank=True)
    variant = models.PositiveSmallIntegerField(null=True, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    message_id = models.CharField(max_length=250, null=True, blank=True, unique=True)
    lease_token = models.UUIDField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    send_started_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TouchQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name_plural = "touches"
        constraints = [models.UniqueConstraint(fields=["enrollment", "step"], name="touch_once_per_step")]
        indexes = [
            # The dispatcher's index: due and claimed rows only, so it does not grow with history.
            models.Index(
                fields=["due_at"], condition=Q(status__in=["scheduled", "sending"]), name="touch_due_idx"
            ),
            # What the dispatcher claims: due automatic emails, oldest first; a claimed row leaves it.
            models.Index(
                fields=["due_at"],
                condition=Q(status="scheduled", channel="email"),
                name="touch_email_due_idx",
            ),
            models.Index(
                fields=["owner", "due_at"], condition=Q(status="scheduled"), name="touch_owner_queue_idx"
            ),
            models.Index(fields=["owner", "status", "completed_at"], name="touch_owner_done_idx"),
            # The daily send cap counts a rep's emails started today.
            models.Index(
                fields=["owner", "send_started_at"],
                condition=Q(send_started_at__isnull=False),
                name="touch_owner_sent_idx",
            ),
            models.Index(fields=["lead", "status"], name="touch_lead_status_idx"),
            models.Index(fields=["team", "status"], name="touch_team_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.lead} · {self.due_at:%Y-%m-%d %H:%M}"


class RepSendDay(models.Model):
    """The emails the dispatcher started for one rep on one day of the rep's calendar: the daily cap's
    counter, reserved under its row lock so that two workers never pass the cap together."""

    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sender", "day"], name="rep_send_day_once")]

    def __str__(self) -> str:
        return f"{self.sender_id} · {self.day}: {self.sent}"


class ReminderStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELED = "canceled", _("Canceled")


class Reminder(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="reminders")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    due_at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.OPEN)
    source_touch = models.ForeignKey(
        Touch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["owner", "due_at"], condition=Q(status="open"), name="reminder_owner_open_idx"
            ),
            models.Index(
                fields=["due_at"],
                condition=Q(status="open", notified_at__isnull=True),
                name="reminder_notify_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Reminder · {self.lead} · {self.due_at:%Y-%m-%d %H:%M}"


class EmailEventType(models.TextChoices):
    REPLY = "reply", _("Reply")
    BOUNCE = "bounce", _("Bounce")
    UNSUBSCRIBE = "unsubscribe", _("Unsubscribe")
    OUT_OF_OFFICE = "out_of_office", _("Out of office")


class EmailEvent(models.Model):
    """An inbound event from the email provider, stored once: a replay finds its key and stops."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=14, choices=EmailEventType.choices)
    email_hash = models.CharField(max_length=64)
    dedupe_key = models.CharField(max_length=64)
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    occurred_at = models.DateTimeField()
    until = models.DateField(null=True, blank=True)
    touch = models.ForeignKey(Touch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["team", "dedupe_key"], name="email_event_once")]

    def __str__(self) -> str:
        return f"{self.type} @ {self.occurred_at:%Y-%m-%d %H:%M}"


class Suppression(models.Model):
    """An address no email may go to (unsubscribed or bounced). Only a hash: it survives erasure."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    email_hash = models.CharField(max_length=64)
    reason = models.CharField(max_length=14)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "email_hash"], name="suppression_once")]

    def __str__(self) -> str:
        return f"{self.reason} {self.email_hash[:10]}…"
