"""The dispatcher and the email executor: the database is the truth, Celery only the doorbell.

Invariants:
- a due email touch is claimed by exactly one dispatcher: `FOR UPDATE SKIP LOCKED` on PostgreSQL, a
  conditional UPDATE inside an IMMEDIATE transaction on SQLite; the claim is a lease (token, expiry);
- the executor re-checks everything under the row lock, then commits `send_started_at` before it
  sends; the send happens outside any transaction; the finalise is conditional on the lease;
- a claim that expired before it started goes back to `scheduled`; one that started but was not
  finalised becomes `unknown` and is never resent by itself (at most once beats a duplicate);
- no email to an opted-out, bounced or suppressed address, outside the lead's send window, or over
  the rep's daily cap or the company's weekly cap: those wait for the next window.
"""

import datetime
import logging
import os
import smtplib
import uuid
from email.utils import formataddr, make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from cadences import schedule, templating
from cadences.models import (
    EMAIL_CHANNELS,
    Channel,
    EnrollmentState,
    ExitReason,
    Suppression,
    TeamSendingPolicy,
    Touch,
    TouchStatus,
)
from cadences.services.common import email_hash, lead_zone
from cadences.services.enrollments import enrollment_exit, schedule_next_touch
from leads.models import Company, Lead
from leads.services import activity_record
from sdrcrm.accounts.models import User

log = logging.getLogger("cadences.dispatcher")

CLAIM_BATCH = 500
RETRY_AFTER_CONNECT_FAILURE = datetime.timedelta(minutes=2)


def lease_seconds() -> int:
    return int(os.environ.get("CADENCES_LEASE_SECONDS", getattr(settings, "CADENCES_LEASE_SECONDS", 600)))


def policy_for(team_id: int) -> TeamSendingPolicy:
    policy, _created = TeamSendingPolicy.objects.get_or_create(team_id=team_id)
    return policy


@transaction.atomic
def sending_policy_update(*, team, by, **changes) -> TeamSendingPolicy:
    from cadences.models import Cadence
    from sdrcrm.accounts.models import Role
    from sdrcrm.accounts.selectors import require_role
    from sdrcrm.core.errors import ValidationFailed

    require_role(by, Role.MANAGER, Role.ADMIN)
    policy = policy_for(team.pk)
    if "default_inbound_cadence" in changes:
        cadence_id = changes.pop("default_inbound_cadence")
        cadence = Cadence.objects.filter(pk=cadence_id, team=team).first() if cadence_id else None
        if cadence_id and cadence is None:
            raise ValidationFailed("Pick a cadence of this team.", field="default_inbound_cadence")
        policy.default_inbound_cadence = cadence
    for field in ("daily_send_cap", "account_touch_cap", "voicemail_followup_business_days"):
        if field in changes:
            setattr(policy, field, changes[field])
    policy.save()
    return policy


def _enqueue(touch_ids: list[int]) -> None:
    """One task per touch, by id. If the broker is down the claims stay in the database: their leases
    expire, the reaper returns them to `scheduled`, and a later dispatch enqueues them again."""
    from cadences.tasks import touch_send

    if not touch_ids:
        return
    if touch_send.app.conf.task_always_eager:
        for touch_id in touch_ids:
            touch_send.delay(touch_id)
        return
    try:
        with touch_send.app.producer_or_acquire() as producer:
            for touch_id in touch_ids:
                touch_send.apply_async((touch_id,), producer=producer, retry=False)
    except Exception:
        log.exception(
            "broker unavailable: %s claimed touches wait for their leases to expire", len(touch_ids)
        )


def touches_claim_due(*, now: datetime.datetime | None = None, limit: int = CLAIM_BATCH) -> list[int]:
    """Claims up to `limit` due email touches in one short transaction; their tasks go out on commit."""
    now = now or timezone.now()
    token = uuid.uuid4()
    expires = now + datetime.timedelta(seconds=lease_seconds())
    with transaction.atomic():
        due = Touch.objects.filter(
            status=TouchStatus.SCHEDULED,
            channel=Channel.EMAIL,
            due_at__lte=now,
            enrollment__state=EnrollmentState.ACTIVE,
        ).order_by("due_at")
        if connection.features.has_select_for_update_skip_locked:
            ids = list(
                due.select_for_update(skip_locked=True, of=("self",)).values_list("pk", flat=True)[:limit]
            )
            Touch.objects.filter(pk__in=ids).update(
                status=TouchStatus.SENDING, lease_token=token, lease_expires_at=expires
            )
        else:  # SQLite: the IMMEDIATE transaction holds the write lock; the UPDATE is conditional anyway
            ids = list(due.values_list("pk", flat=True)[:limit])
            Touch.objects.filter(pk__in=ids, status=TouchStatus.SCHEDULED).update(
                status=TouchStatus.SENDING, lease_token=token, lease_expires_at=expires
            )
            ids = list(Touch.objects.filter(lease_token=token).values_list("pk", flat=True))
        transaction.on_commit(lambda: _enqueue(ids))
    return ids


def dispatch_due(*, now: datetime.datetime | None = None, max_batches: int = 200) -> int:
    """Claims every due email touch, batch by batch. Returns how many were claimed."""
    claimed = 0
    for _ in range(max_batches):
        ids = touches_claim_due(now=now)
        claimed += len(ids)
        if len(ids) < CLAIM_BATCH:
            break
    if claimed:
        log.info("dispatcher claimed %s email touches", claimed)
    return claimed


def touches_reap_expired(*, now: datetime.datetime | None = None) -> dict:
    """Expired claims: never started → scheduled again; started but not finalised → unknown (review)."""
    now = now or timezone.now()
    expired = Touch.objects.filter(status=TouchStatus.SENDING, lease_expires_at__lt=now)
    returned = expired.filter(send_started_at__isnull=True).update(
        status=TouchStatus.SCHEDULED, lease_token=None, lease_expires_at=None
    )
    unknown = expired.filter(send_started_at__isnull=False).update(
        status=TouchStatus.UNKNOWN, lease_token=None, lease_expires_at=None
    )
    if returned or unknown:
        log.warning(
            "reaper: %s expired claims rescheduled, %s sends unconfirmed (unknown)", returned, unknown
        )
    return {"rescheduled": returned, "unknown": unknown}


def _release(touch: Touch, *, due_at: datetime.datetime, reason: str) -> str:
    Touch.objects.filter(pk=touch.pk, lease_token=touch.lease_token).update(
        status=TouchStatus.SCHEDULED, lease_token=None, lease_expires_at=None, due_at=due_at, error=reason
    )
    return reason


def _sent_today(sender: User, now: datetime.datetime) -> int:
    zone = schedule.zone_for(sender.timezone)
    day_start = schedule.local_at(now.astimezone(zone).date(), datetime.time(0, 0), zone)
    return Touch.objects.filter(
        owner=sender, channel__in=list(EMAIL_CHANNELS), send_started_at__gte=day_start
    ).count()


def _account_touches_this_week(account_id: int, now: datetime.datetime) -> int:
    since = now - datetime.timedelta(days=7)
    return (
        Touch.objects.filter(lead__account_id=account_id)
        .filter(
            Q(status=TouchStatus.DONE, completed_at__gte=since)
            | Q(status__in=[TouchStatus.SENDING, TouchStatus.UNKNOWN], send_started_at__gte=since)
        )
        .count()
    )


def account_cap_reached(*, lead: Lead, policy: TeamSendingPolicy, now: datetime.datetime) -> bool:
    if not policy.account_touch_cap or not lead.account_id:
        return False
    return _account_touches_this_week(lead.account_id, now) >= policy.account_touch_cap


def is_suppressed(lead: Lead) -> bool:
    return Suppression.objects.filter(team_id=lead.team_id, email_hash=email_hash(lead.email)).exists()


def _from_address(sender: User | None) -> tuple[str, str]:
    default_name, default_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if sender is not None and sender.email:
        return formataddr((sender.display_name, sender.email)), sender.email
    return formataddr((default_name, default_address)), ""


def _message_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rsplit("@", 1)[-1] if "@" in address else "sdrcrm.localhost"


def _prepare(touch: Touch, now: datetime.datetime) -> str | None:
    """Under the row lock: None when the touch may be sent now, else what happened instead."""
    enrollment, lead, cadence = touch.enrollment, touch.lead, touch.enrollment.cadence
    if enrollment.state == EnrollmentState.PAUSED:
        return _release(touch, due_at=touch.due_at, reason="paused")
    if enrollment.state != EnrollmentState.ACTIVE:
        Touch.objects.filter(pk=touch.pk).update(
            status=TouchStatus.CANCELED, lease_token=None, completed_at=now
        )
        return "enrollment_ended"
    blocked = None
    if lead.opted_out or is_suppressed(lead):
        blocked = ExitReason.OPTED_OUT
    elif lead.email_bounced or not lead.email:
        blocked = ExitReason.BOUNCED
    if blocked:
        Touch.objects.filter(pk=touch.pk).update(
            status=TouchStatus.SKIPPED, lease_token=None, completed_at=now, error=f"not sent: {blocked}"
        )
        enrollment_exit(enrollment=enrollment, reason=blocked, by=None, now=now)
        return "blocked"
    sender = touch.owner or (lead.owner if lead.owner_id else None)
    zone = lead_zone(lead, sender)
    window = {
        "zone": zone,
        "window_start": cadence.window_start,
        "business_days_only": cadence.business_days_only,
    }
    if touch.channel == Channel.EMAIL and not schedule.in_window(
        now, window_end=cadence.window_end, **window
    ):
        return _release(touch, due_at=schedule.into_window(now, window_end=cadence.window_end, **window),
                        reason="outside_window")  # fmt: skip
    policy = policy_for(touch.team_id)
    if sender is not None:
        User.objects.select_for_update().filter(pk=sender.pk).values_list("pk", flat=True).first()
        if _sent_today(sender, now) >= policy.daily_send_cap:
            return _release(touch, due_at=schedule.next_window_start(now, **window), reason="daily_cap")
    if policy.account_touch_cap and lead.account_id:
        Company.objects.select_for_update().filter(pk=lead.account_id).values_list("pk", flat=True).first()
        if account_cap_reached(lead=lead, policy=policy, now=now):
            return _release(touch, due_at=schedule.next_window_start(now, **window), reason="account_cap")
    if not (touch.subject or touch.body):
        touch.subject, touch.body = templating.render_touch(touch, lead, sender)
    touch.message_id = make_msgid(idstring=f"t{touch.pk}", domain=_message_domain())
    touch.send_started_at = now
    touch.error = ""
    touch.save(update_fields=["subject", "body", "message_id", "send_started_at", "error"])
    return None


def _build_message(touch: Touch, lead: Lead, sender: User | None) -> EmailMessage:
    from_header, reply_to = _from_address(sender)
    domain = _message_domain()
    headers = {
        "Message-ID": touch.message_id,
        "List-Unsubscribe": f"<mailto:unsubscribe@{domain}?subject=unsubscribe%20{touch.message_id.strip('<>')}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "X-Sdrcrm-Touch": str(touch.pk),
    }
    return EmailMessage(
        subject=touch.subject,
        body=touch.body,
        from_email=from_header,
        to=[formataddr((lead.full_name, lead.email))],
        reply_to=[reply_to] if reply_to else None,
        headers=headers,
    )


def touch_send(*, touch_id: int, now: datetime.datetime | None = None) -> str:
    """Sends one claimed email touch at most once. Returns what happened (for logs and tests)."""
    now = now or timezone.now()
    with transaction.atomic():
        touch = (
            Touch.objects.select_for_update(of=("self",))
            .select_related("enrollment__cadence", "lead__owner", "step", "owner")
            .filter(pk=touch_id)
            .first()
        )
        if touch is None or touch.status != TouchStatus.SENDING or touch.send_started_at is not None:
            return "not_claimed"
        if touch.lease_expires_at is not None and touch.lease_expires_at <= now:
            return "lease_expired"
        refused = _prepare(touch, now)
        if refused:
            return refused
        token = touch.lease_token
    lead = touch.lead
    sender = touch.owner or (lead.owner if lead.owner_id else None)
    try:
        _build_message(touch, lead, sender).send(fail_silently=False)
    except (ConnectionRefusedError, smtplib.SMTPConnectError) as error:
        # Nothing reached the server: safe to try again later.
        Touch.objects.filter(pk=touch.pk, lease_token=token, status=TouchStatus.SENDING).update(
            status=TouchStatus.SCHEDULED, lease_token=None, lease_expires_at=None, send_started_at=None,
            message_id=None, due_at=now + RETRY_AFTER_CONNECT_FAILURE, error=str(error)[:300],
        )  # fmt: skip
        return "retry"
    except Exception as error:  # the server may or may not have it: never resend by ourselves
        Touch.objects.filter(pk=touch.pk, lease_token=token, status=TouchStatus.SENDING).update(
            status=TouchStatus.FAILED, lease_token=None, lease_expires_at=None, error=str(error)[:300]
        )
        log.exception("touch %s: send failed", touch.pk)
        return "failed"
    return touch_finalise_sent(touch=touch, token=token, sender=sender)


@transaction.atomic
def touch_finalise_sent(*, touch: Touch, token, sender) -> str:
    finished_at = timezone.now()
    updated = Touch.objects.filter(pk=touch.pk, lease_token=token, status=TouchStatus.SENDING).update(
        status=TouchStatus.DONE,
        outcome="sent",
        completed_at=finished_at,
        lease_token=None,
        lease_expires_at=None,
    )
    if not updated:
        return "sent_unconfirmed"
    activity_record(
        lead=touch.lead,
        actor=sender,
        kind="email",
        outcome="sent",
        body=touch.subject,
        data={
            "touch": touch.pk,
            "step": touch.step_id,
            "message_id": touch.message_id,
            "variant": touch.variant,
        },
        occurred_at=finished_at,
    )
    touch.status = TouchStatus.DONE
    schedule_next_touch(touch=touch, now=finished_at)
    return "sent"


@transaction.atomic
def touch_resolve_unknown(*, touch: Touch, sent: bool, by, now=None) -> Touch:
    """A manager's verdict on an unconfirmed send: it went out (done, timeline row) or it did not
    (skipped). Either way the cadence moves on to the next step; nothing is resent."""
    from sdrcrm.accounts.models import Role
    from sdrcrm.accounts.selectors import require_role
    from sdrcrm.core.errors import Conflict

    require_role(by, Role.MANAGER, Role.ADMIN)
    now = now or timezone.now()
    touch = Touch.objects.select_for_update(of=("self",)).select_related("lead", "step").get(pk=touch.pk)
    if touch.status != TouchStatus.UNKNOWN:
        raise Conflict("Only an unconfirmed send is reviewed.", field="status")
    touch.status = TouchStatus.DONE if sent else TouchStatus.SKIPPED
    touch.outcome = "sent" if sent else ""
    touch.completed_at = now
    touch.completed_by = by
    touch.error = "" if sent else "not sent (reviewed)"
    touch.save(update_fields=["status", "outcome", "completed_at", "completed_by", "error"])
    if sent:
        activity_record(lead=touch.lead, actor=touch.owner or by, kind="email", outcome="sent", body=touch.subject,
                        data={"touch": touch.pk, "step": touch.step_id, "message_id": touch.message_id,
                              "reviewed_by": by.pk}, occurred_at=touch.send_started_at or now)  # fmt: skip
    schedule_next_touch(touch=touch, now=now)
    return touch


def dispatcher_health(*, team_id: int | None = None, now=None) -> dict:
    """Backlog, lag, unknown sends and expired leases: what a manager and the logs see."""
    now = now or timezone.now()
    touches = Touch.objects.all() if team_id is None else Touch.objects.filter(team_id=team_id)
    due = touches.filter(status=TouchStatus.SCHEDULED, channel=Channel.EMAIL, due_at__lte=now)
    oldest = due.order_by("due_at").values_list("due_at", flat=True).first()
    return {
        "backlog": due.count(),
        "lag_seconds": int((now - oldest).total_seconds()) if oldest else 0,
        "unknown": touches.filter(status=TouchStatus.UNKNOWN).count(),
        "expired_leases": touches.filter(status=TouchStatus.SENDING, lease_expires_at__lt=now).count(),
    }
