import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not an IANA time zone."), params={"value": value})


class Role(models.TextChoices):
    SDR = "sdr", _("SDR")
    BDR = "bdr", _("BDR")
    AE = "ae", _("AE")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Admin")


PROSPECTING_ROLES = frozenset({Role.SDR, Role.BDR})


class Team(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    mql_threshold = models.PositiveSmallIntegerField(
        _("MQL threshold (score)"), default=60, validators=[MaxValueValidator(100)]
    )
    handoff_sla_hours = models.PositiveSmallIntegerField(
        _("AE response SLA (hours)"), default=24, validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    speed_to_lead_minutes = models.PositiveIntegerField(
        _("speed-to-lead target (minutes)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(10080)],
    )
    daily_touch_goal = models.PositiveSmallIntegerField(
        _("daily touch goal per rep"), default=60, validators=[MaxValueValidator(1000)]
    )
    api_key_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    api_key_prefix = models.CharField(max_length=12, blank=True, editable=False)
    api_key_rotated_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(mql_threshold__lte=100), name="team_mql_threshold_0_100"),
            models.CheckConstraint(condition=Q(handoff_sla_hours__gte=1), name="team_sla_at_least_1h"),
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.SDR)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_timezone])
    away_until = models.DateField(_("away until"), null=True, blank=True)

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        indexes = [models.Index(fields=["team", "role"], name="user_team_role_idx")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_shown(self.first_name, self.last_name, self.username)

    @staticmethod
    def name_shown(first_name: str, last_name: str, username: str) -> str:
        """How a user is named on pages (also for rows read as values, without a model instance)."""
        return f"{first_name} {last_name}".strip() or username

    @property
    def effective_role(self) -> str:
        """A superuser acts as admin on every team."""
        return Role.ADMIN if self.is_superuser else self.role

    @property
    def is_admin(self) -> bool:
        return self.effective_role == Role.ADMIN

    @property
    def is_manager(self) -> bool:
        return self.effective_role == Role.MANAGER

    @property
    def is_prospector(self) -> bool:
        return self.effective_role in PROSPECTING_ROLES

    @property
    def is_ae(self) -> bool:
        return self.effective_role == Role.AE

    def is_away(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.away_until is not None and self.away_until >= on


class NotificationKind(models.TextChoices):
    REMINDER_DUE = "reminder_due", _("Reminder due")
    HANDOFF_NEW = "handoff_new", _("New handoff")
    HANDOFF_DECIDED = "handoff_decided", _("Handoff decided")
    SLA_BREACH = "sla_breach", _("SLA breached")
    SPEED_TO_LEAD = "speed_to_lead", _("Speed-to-lead alert")
    IMPORT_DONE = "import_done", _("Import finished")
    SYSTEM = "system", _("System")


class Notification(models.Model):
    """Something a user should know about, shown in the header bell and at /notifications/.

    `dedupe_key` makes a notification once-only: the same alert is never stored twice.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=120, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_recent_idx"),
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notification_user_unread_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"],
                condition=Q(dedupe_key__isnull=False),
                name="notification_once_per_key",
            )
        ]

    def __str__(self) -> str:
        return self.title
