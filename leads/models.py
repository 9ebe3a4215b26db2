import zoneinfo

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _

from leads.querysets import ActivityQuerySet, LeadQuerySet
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
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="leads")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_leads"
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
            models.Index(fields=["team", "-created_at"], name="lead_team_recent_idx"),
            models.Index(fields=["team", "status"], name="lead_team_status_idx"),
            models.Index(fields=["owner", "status"], name="lead_owner_status_idx"),
            models.Index(fields=["team", "-score"], name="lead_team_score_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or f"Lead {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


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


class Activity(models.Model):
    """One row of a lead's timeline: a touch an SDR made, or a change someone (or the system) made."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="activities")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
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
