import zoneinfo

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _

from leads.querysets import ActivityQuerySet, IcpProfileQuerySet, ImportBatchQuerySet, LeadQuerySet
from sdrcrm.accounts.models import Team


class LeadSource(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")
    EVENT = "event", _("Event")
    REFERRAL = "referral", _("Referral")
    LIST = "list", _("List")


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    WORKING = "working", _("Working")
    NURTURE = "nurture", _("Nurture")
    DISQUALIFIED = "disqualified", _("Disqualified")
    HANDED_OFF = "handed_off", _("Handed off")
    CONVERTED = "converted", _("Converted")


class LeadStage(models.TextChoices):
    LEAD = "lead", _("Lead")
    MQL = "mql", _("MQL")
    SQL = "sql", _("SQL")
    OPPORTUNITY = "opportunity", _("Opportunity")
    CUSTOMER = "customer", _("Customer")


class Grade(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"


class EmailKind(models.TextChoices):
    CORPORATE = "corporate", _("Corporate")
    FREE = "free", _("Free mail")
    NONE = "none", _("None")


TIMEZONE_CHOICES = sorted(zoneinfo.available_timezones())


class Company(models.Model):
    """An account: the leads of one company in one team, keyed by domain (or name when no domain)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="companies")
    name = models.CharField(_("name"), max_length=200)
    domain = models.CharField(_("domain"), max_length=200, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    employee_count = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    created_at = models.DateTimeField(default=django_timezone.now, editable=False)

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "domain"], condition=~Q(domain=""), name="company_domain_once_per_team"
            )
        ]
        indexes = [models.Index(fields=["team", "name"], name="company_team_name_idx")]

    def __str__(self) -> str:
        return self.name


class Lead(models.Model):
    # No single-column indexes on team and owner: the composite indexes below start with them, and
    # every index is paid for on each imported row.
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="leads", db_index=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_leads",
        db_index=False,
    )
    account = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.CharField(_("email"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    company_domain = models.CharField(_("company domain"), max_length=200, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    employee_count = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)
    linkedin_url = models.URLField(_("LinkedIn"), max_length=300, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=LeadSource.choices, default=LeadSource.OUTBOUND
    )

    status = models.CharField(_("status"), max_length=12, choices=LeadStatus.choices, default=LeadStatus.NEW)
    stage = models.CharField(_("stage"), max_length=12, choices=LeadStage.choices, default=LeadStage.LEAD)
    score = models.PositiveSmallIntegerField(_("score"), default=0, validators=[MaxValueValidator(100)])
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, default=Grade.D)
    score_explanation = models.JSONField(default=list, blank=True)
    email_kind = models.CharField(max_length=10, choices=EmailKind.choices, default=EmailKind.NONE)
    opted_out = models.BooleanField(_("opted out"), default=False)
    email_bounced = models.BooleanField(_("email bounced"), default=False)
    disqualify_reason = models.CharField(_("disqualify reason"), max_length=300, blank=True)

    # Qualification (BANT and more), filled in by the SDR before a handoff.
    budget = models.CharField(_("budget"), max_length=300, blank=True)
    authority = models.CharField(_("authority"), max_length=300, blank=True)
    need = models.TextField(_("need"), blank=True)
    timeline = models.CharField(_("timeline"), max_length=300, blank=True)
    users = models.CharField(_("users"), max_length=300, blank=True)
    decision_process = models.TextField(_("decision process"), blank=True)
    research_notes = models.TextField(_("research notes"), blank=True)

    import_batch = models.ForeignKey(
        "leads.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )

    created_at = models.DateTimeField(default=django_timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    first_touch_at = models.DateTimeField(null=True, blank=True)
    mql_at = models.DateTimeField(null=True, blank=True)
    sql_at = models.DateTimeField(null=True, blank=True)
    opportunity_at = models.DateTimeField(null=True, blank=True)
    customer_at = models.DateTimeField(null=True, blank=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "email"], condition=~Q(email=""), name="lead_email_once_per_team"
            ),
            models.CheckConstraint(condition=Q(score__lte=100), name="lead_score_0_100"),
        ]
        indexes = [
            # With the id: an import's leads share one creation time, and newest-first would otherwise
            # read a whole chunk of them to sort 50.
            models.Index(fields=["team", "-created_at", "-id"], name="lead_team_recent_id_idx"),
            models.Index(fields=["owner", "status"], name="lead_owner_status_idx"),
            models.Index(
                fields=["team", "-score", "email_kind", "-created_at"], name="lead_team_priority_idx"
            ),
            # The funnel counts MQLs and first touches by period; partial, so imports of untouched
            # leads pay nothing for them.
            models.Index(
                fields=["team", "mql_at"], condition=Q(mql_at__isnull=False), name="lead_team_mql_idx"
            ),
            models.Index(
                fields=["team", "first_touch_at"],
                condition=Q(first_touch_at__isnull=False),
                name="lead_team_first_touch_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or f"Lead {self.pk}"

    @property
    def full_name(self) -> str:
        return self.name_shown(self.first_name, self.last_name)

    @staticmethod
    def name_shown(first_name: str, last_name: str) -> str:
        """The lead's full name (also for rows read as values, without a model instance)."""
        return f"{first_name} {last_name}".strip()


class ActivityKind(models.TextChoices):
    CALL = "call", _("Call")
    EMAIL = "email", _("Email")
    LINKEDIN = "linkedin", _("LinkedIn")
    NOTE = "note", _("Note")
    MEETING = "meeting", _("Meeting")
    TASK = "task", _("Task")
    STATUS = "status", _("Status change")
    STAGE = "stage", _("Stage change")
    SYSTEM = "system", _("System")


TOUCH_KINDS = frozenset({ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.LINKEDIN})


class ActivityOutcome(models.TextChoices):
    CONNECTED = "connected", _("Connected")
    NO_ANSWER = "no_answer", _("No answer")
    VOICEMAIL = "voicemail", _("Voicemail left")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    SENT = "sent", _("Sent")
    REPLIED = "replied", _("Replied")


# A touch is something a rep did to a lead (a call, an email, a LinkedIn touch); the prospect's own reply
# is not one. What the Today counter, "My numbers" and the leaderboards count.
REP_TOUCH = models.Q(kind__in=sorted(TOUCH_KINDS)) & ~models.Q(outcome=ActivityOutcome.REPLIED)


class Activity(models.Model):
    """One row of a lead's timeline: a touch an SDR made, or a change someone (or the system) made."""

    # Indexed by the composite indexes below, which start with each of these columns.
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="activities", db_index=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+", db_index=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        db_index=False,
    )
    kind = models.CharField(max_length=10, choices=ActivityKind.choices)
    outcome = models.CharField(max_length=12, choices=ActivityOutcome.choices, blank=True)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=django_timezone.now)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["lead", "-created_at"], name="activity_lead_recent_idx"),
            models.Index(fields=["team", "kind", "created_at"], name="activity_team_kind_time_idx"),
            models.Index(fields=["actor", "created_at"], name="activity_actor_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.lead}"


class IcpProfile(models.Model):
    """The Ideal Customer Profile of a team: what a good-fit lead looks like, and how much each criterion weighs."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="icp_profiles")
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=False)
    industries = models.JSONField(default=list, blank=True)
    employee_min = models.PositiveIntegerField(_("employees from"), null=True, blank=True)
    employee_max = models.PositiveIntegerField(_("employees to"), null=True, blank=True)
    countries = models.JSONField(default=list, blank=True)
    title_keywords = models.JSONField(default=list, blank=True)
    weights = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=django_timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IcpProfileQuerySet.as_manager()

    class Meta:
        ordering = ["-is_active", "name", "id"]
        verbose_name = "ICP profile"
        constraints = [
            models.UniqueConstraint(
                fields=["team"], condition=Q(is_active=True), name="icp_one_active_per_team"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    REVERTED = "reverted", _("Reverted")


class ImportBatch(models.Model):
    """One uploaded CSV list: where its leads came from, what happened to each row, and how to undo it."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="import_batches")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="import_batches"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to="imports/%Y/%m/")
    filename = models.CharField(max_length=255, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    source = models.CharField(max_length=10, choices=LeadSource.choices, default=LeadSource.LIST)
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=2, blank=True)
    columns = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    dry_run = models.BooleanField(default=False)
    update_existing = models.BooleanField(default=False)

    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    revert_report = models.JSONField(default=dict, blank=True)

    created_at = models.DateTimeField(default=django_timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reverted_at = models.DateTimeField(null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "import batches"
        indexes = [models.Index(fields=["team", "-created_at"], name="import_team_recent_idx")]

    def __str__(self) -> str:
        return self.filename or f"Import {self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.REVERTED)


class RowAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DUPLICATE = "duplicate", _("Duplicate")
    ERROR = "error", _("Error")


class ImportRow(models.Model):
    """What one row of an import did (or, in a dry run, would do). Kept for every row of a dry run, and
    for the failed and updated rows of a real one: the error report, and what a revert must restore."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=RowAction.choices)
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    email = models.CharField(max_length=254, blank=True)
    errors = models.JSONField(default=list, blank=True)
    raw = models.JSONField(default=list, blank=True)
    previous = models.JSONField(default=dict, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["batch", "row_number"]
        indexes = [models.Index(fields=["batch", "action", "row_number"], name="importrow_batch_action_idx")]

    def __str__(self) -> str:
        return f"{self.batch_id}#{self.row_number} {self.action}"
