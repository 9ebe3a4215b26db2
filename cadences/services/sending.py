"""The dispatcher and the email executor: the database is the truth, Celery only the doorbell.

Invariants:
- a due email touch is claimed by exactly one dispatcher: `FOR UPDATE SKIP LOCKED` on PostgreSQL, a
  conditional UPDATE inside an IMMEDIATE transaction on SQLite; the claim is a lease (token, expiry);
- the executor takes claimed touches a chunk at a time, re-checks each, then commits its
  `send_started_at` (a conditional UPDATE on the lease: one run wins) just before it sends; the send
  happens outside any transaction; the finalise, in small groups, is conditional on the lease;
- a claim that expired before it started goes back to `scheduled`; one that started but was not
  finalised becomes `unknown` and is never resent by itself (at most once beats a duplicate);
- no email to an opted-out, bounced or suppressed address, outside the lead's send window, or over
  the rep's daily cap (a counter per rep and day, reserved under its row lock) or the company's
  weekly cap (counted under the company's row lock): those wait for the next window.
"""

import collections
import contextlib
import datetime
import functools
import logging
import os
import smtplib
import time
import uuid
from email.utils import formataddr, make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from cadences import schedule, templating, unsubscribe_links
from cadences.models import (
    EMAIL_CHANNELS,
    Cadence,
    Channel,
    EnrollmentState,
    ExitReason,
    RepSendDay,
    Step,
    Suppression,
    TeamSendingPolicy,
    Touch,
    TouchStatus,
)
from cadences.services.common import email_hash, lead_zone
from cadences.services.enrollments import (
    enrollment_exit,
    schedule_next_touch,
    schedule_next_touches,
)
from leads.models import Activity, ActivityKind, ActivityOutcome, Company, Lead
from leads.services import activities_record_bulk, activity_record
from sdrcrm.accounts.models import User
from sdrcrm.core.mail import PlainEmail

log = logging.getLogger("cadences.dispatcher")

CLAIM_BATCH = 500
SEND_CHUNK = 100  # touches per task: one query to load them, one SMTP connection for all
STARTED_GROUP_MAX = 16  # touches marked started in one statement, at most …
STARTED_GROUP_SECONDS = 0.02  # … and no more than the server takes in about this long
FINALISE_EVERY = 50  # sent touches finalised together, at most …
FINALISE_AFTER_SECONDS = 0.05  # … and never held longer than this: a killed worker leaves few `unknown`
RETRY_AFTER_CONNECT_FAILURE = datetime.timedelta(minutes=2)


def lease_seconds() -> int:
    return int(os.environ.get("CADENCES_LEASE_SECONDS", getattr(settings, "CADENCES_LEASE_SECONDS", 600)))


def policy_for(team_id: int) -> TeamSendingPolicy:
    policy, _created = TeamSendingPolicy.objects.get_or_create(team_id=team_id)
    return policy


@transaction.atomic
def sending_policy_update(*, team, by, **changes) -> TeamSendingPolicy:
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


def _chunks(touch_ids: list[int]) -> list[list[int]]:
    return [touch_ids[at : at + SEND_CHUNK] for at in range(0, len(touch_ids), SEND_CHUNK)]


def _enqueue(touch_ids: list[int]) -> None:
    """One task per chunk of claimed touches, by id. If the broker is down the claims stay in the
    database: their leases expire, the reaper returns them to `scheduled`, a later dispatch enqueues them."""
    from cadences.tasks import touches_send

    if not touch_ids:
        return
    if touches_send.app.conf.task_always_eager:
        for chunk in _chunks(touch_ids):
            touches_send.delay(chunk)
        return
    try:
        with touches_send.app.producer_or_acquire() as producer:
            for chunk in _chunks(touch_ids):
                touches_send.apply_async((chunk,), producer=producer, retry=False)
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


def _unstarted(touch: Touch):
    """The touch, if it is still this claim's and not started (a twin run of its chunk may have it)."""
    return Touch.objects.filter(
        pk=touch.pk, lease_token=touch.lease_token, status=TouchStatus.SENDING, send_started_at__isnull=True
    )


def _release(touch: Touch, *, due_at: datetime.datetime, reason: str) -> str:
    _unstarted(touch).update(
        status=TouchStatus.SCHEDULED, lease_token=None, lease_expires_at=None, due_at=due_at, error=reason
    )
    return reason


def _sent_today(sender: User, day_start: datetime.datetime) -> int:
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


def _from_address(sender: User | None) -> tuple[str, str]:
    """The From header and the Reply-To address: the rep's, else the site's default sender."""
    if sender is not None and sender.email:
        return _from_header(sender.display_name, sender.email), sender.email
    return _from_header(*parseaddr(settings.DEFAULT_FROM_EMAIL)), ""


@functools.lru_cache(maxsize=1024)
def _from_header(name: str, address: str) -> str:
    return formataddr((name, address))


def _message_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rsplit("@", 1)[-1] if "@" in address else "sdrcrm.localhost"


def _sender(touch: Touch) -> User | None:
    return touch.owner or (touch.lead.owner if touch.lead.owner_id else None)


def _window(touch: Touch) -> dict:
    cadence = touch.enrollment.cadence
    return {
        "zone": lead_zone(touch.lead, _sender(touch)),
        "window_start": cadence.window_start,
        "business_days_only": cadence.business_days_only,
    }


class _SendDays:
    """The daily cap, reserved per (rep, rep's calendar day) on a `RepSendDay` counter under its row lock,
    a few sends at a time; whatever is reserved and not started is given back (a killed worker's
    leftovers only make the day's cap stricter, never looser)."""

    def __init__(self):
        self.unused: collections.Counter = collections.Counter()
        self.reserved_for: dict[int, tuple[int, datetime.date]] = {}

    @staticmethod
    def key(sender: User, now: datetime.datetime) -> tuple[int, datetime.date]:
        return sender.pk, now.astimezone(schedule.zone_for(sender.timezone)).date()

    def reserve(self, *, sender: User, now: datetime.datetime, wanted: int, cap: int) -> int:
        """How many of `wanted` sends `sender` may start today (0…wanted); `hold` names them."""
        sender_id, day = self.key(sender, now)
        with transaction.atomic():
            counter = RepSendDay.objects.select_for_update().filter(sender_id=sender_id, day=day).first()
            if counter is None:
                zone = schedule.zone_for(sender.timezone)
                day_start = schedule.local_at(day, datetime.time(0, 0), zone)
                # The first reservation of the day counts what went out before the counter existed.
                RepSendDay.objects.get_or_create(
                    sender_id=sender_id, day=day, defaults={"sent": _sent_today(sender, day_start)}
                )
                counter = RepSendDay.objects.select_for_update().get(sender_id=sender_id, day=day)
            granted = max(0, min(wanted, cap - counter.sent))
            if granted:
                RepSendDay.objects.filter(pk=counter.pk).update(sent=F("sent") + granted)
        self.unused[sender_id, day] += granted
        return granted

    def hold(self, touches: list[Touch], *, sender: User, now: datetime.datetime) -> None:
        for touch in touches:
            self.reserved_for[touch.pk] = self.key(sender, now)

    def use(self, touch: Touch) -> None:
        if touch.pk in self.reserved_for:
            self.unused[self.reserved_for.pop(touch.pk)] -= 1

    def give_back(self) -> None:
        for (sender_id, day), unused in self.unused.items():
            if unused > 0:
                RepSendDay.objects.filter(sender_id=sender_id, day=day, sent__gte=unused).update(
                    sent=F("sent") - unused
                )
        self.unused.clear()


def _gate(touch: Touch, *, now: datetime.datetime, suppressed: set) -> str | None:
    """None when nothing about the enrollment, the lead or the hour stops the touch, else what happened
    instead (already written: released, canceled or skipped)."""
    enrollment, lead, cadence = touch.enrollment, touch.lead, touch.enrollment.cadence
    if enrollment.state == EnrollmentState.PAUSED:
        return _release(touch, due_at=touch.due_at, reason="paused")
    if enrollment.state != EnrollmentState.ACTIVE:
        _unstarted(touch).update(status=TouchStatus.CANCELED, lease_token=None, completed_at=now)
        return "enrollment_ended"
    blocked = None
    if lead.opted_out or (lead.team_id, email_hash(lead.email)) in suppressed:
        blocked = ExitReason.OPTED_OUT
    elif lead.email_bounced or not lead.email:
        blocked = ExitReason.BOUNCED
    if blocked:
        _unstarted(touch).update(
            status=TouchStatus.SKIPPED, lease_token=None, completed_at=now, error=f"not sent: {blocked}"
        )
        enrollment_exit(enrollment=enrollment, reason=blocked, by=None, now=now)
        return "blocked"
    window = _window(touch)
    if not schedule.in_window(now, window_end=cadence.window_end, **window):
        return _release(touch, due_at=schedule.into_window(now, window_end=cadence.window_end, **window),
                        reason="outside_window")  # fmt: skip
    return None


def _prepare(touch: Touch, now: datetime.datetime, domain: str) -> None:
    """The message's text and Message-ID, set on the touch (in memory) just before it is marked started."""
    if not (touch.subject or touch.body):
        touch.subject, touch.body = templating.render_touch(touch, touch.lead, _sender(touch))
    touch.message_id = make_msgid(idstring=f"t{touch.pk}", domain=domain)
    touch.send_started_at = now


def _mark_started(touches: list[Touch], now: datetime.datetime, domain: str) -> list[Touch]:
    """The at-most-once marker of a few touches of one claim, committed in one statement before their
    messages go out, with each one's text and Message-ID; returns the ones this run got (a twin run of
    the chunk may have some). Plain SQL: it runs once per few messages, where the ORM's per-row CASE
    expressions cost more than the database's work."""
    for touch in touches:
        _prepare(touch, now, domain)
    table = connection.ops.quote_name(Touch._meta.db_table)
    rows = ", ".join(["(%s, %s, %s, %s)"] * len(touches))
    params = [value for touch in touches for value in (touch.pk, touch.subject, touch.body, touch.message_id)]
    lease_token = Touch._meta.get_field("lease_token").get_db_prep_value(touches[0].lease_token, connection)
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH started (id, subject, body, message_id) AS (VALUES {rows}) "  # noqa: S608 - placeholders
            f"UPDATE {table} SET send_started_at = %s, error = '', subject = started.subject, "
            "body = started.body, message_id = started.message_id FROM started "
            f"WHERE {table}.id = started.id AND {table}.lease_token = %s AND {table}.status = %s "
            f"AND {table}.send_started_at IS NULL AND {table}.lease_expires_at > %s RETURNING {table}.id",
            [*params, at, lease_token, TouchStatus.SENDING.value, at],
        )
        ours = {row[0] for row in cursor.fetchall()}
    return [touch for touch in touches if touch.pk in ours]


def _start_under_company_lock(
    touch: Touch, *, now: datetime.datetime, policy: TeamSendingPolicy, domain: str
) -> str | None:
    """A touch of a company with a weekly cap, checked and started under the company's row lock, so two
    workers never pass the cap together. None when started, else why not."""
    with transaction.atomic():
        Company.objects.select_for_update().filter(pk=touch.lead.account_id).values_list(
            "pk", flat=True
        ).first()
        if account_cap_reached(lead=touch.lead, policy=policy, now=now):
            next_window = schedule.next_window_start(now, **_window(touch))
            return _release(touch, due_at=next_window, reason="account_cap")
        return None if _mark_started([touch], now, domain) else "not_claimed"


def _start(
    group: list[Touch], *, now: datetime.datetime, policies: dict, domain: str, outcomes: dict
) -> list[Touch]:
    """The group's touches this run may send now, marked started (committed); a refused one's outcome
    is noted, one a twin run of the chunk started stays `not_claimed`."""
    first = group[0]
    if not _needs_company_lock(first, policies):
        return _mark_started(group, now, domain)
    refused = _start_under_company_lock(first, now=now, policy=policies[first.team_id], domain=domain)
    if refused:
        outcomes[first.pk] = refused
        return []
    return group


class _Pace:
    """How many touches to mark started together: as many as the server takes in about
    `STARTED_GROUP_SECONDS` at the pace seen so far (one until a send is timed, at most
    `STARTED_GROUP_MAX`), so a worker killed mid-group leaves that much sending unconfirmed, never more."""

    def __init__(self):
        self.seconds_per_send = None

    def record(self, seconds: float) -> None:
        previous = self.seconds_per_send
        self.seconds_per_send = seconds if previous is None else 0.8 * previous + 0.2 * seconds

    def group_size(self) -> int:
        if not self.seconds_per_send:
            return 1
        return max(1, min(STARTED_GROUP_MAX, int(STARTED_GROUP_SECONDS / self.seconds_per_send)))


def _next_group(waiting: collections.deque, *, size: int, policies: dict) -> list[Touch]:
    """The next touches to start together: up to `size` of one claim whose company has no weekly cap,
    or a single touch whose company has one (it is started under the company's lock)."""
    group = [waiting.popleft()]
    if _needs_company_lock(group[0], policies):
        return group
    while (
        waiting
        and len(group) < size
        and waiting[0].lease_token == group[0].lease_token
        and not _needs_company_lock(waiting[0], policies)
    ):
        group.append(waiting.popleft())
    return group


def _needs_company_lock(touch: Touch, policies: dict) -> bool:
    return bool(policies[touch.team_id].account_touch_cap and touch.lead.account_id)


def _build_message(touch: Touch, lead: Lead, sender: User | None, domain: str) -> EmailMessage:
    from_header, reply_to = _from_address(sender)
    headers = {
        "Message-ID": touch.message_id,
        **unsubscribe_links.headers_for(touch, domain=domain),
        "X-Sdrcrm-Touch": str(touch.pk),
        "To": formataddr((lead.full_name, lead.email)),  # the envelope has the bare address
    }
    return PlainEmail(
        subject=touch.subject,
        body=touch.body,
        from_email=from_header,
        to=[lead.email],
        reply_to=[reply_to] if reply_to else None,
        headers=headers,
    )


def _claimed_touches(touch_ids: list[int]) -> list[Touch]:
    """The chunk's touches with their enrollments and leads; the few cadences, steps and reps they
    share are loaded once and shared, not joined and built again for every touch."""
    touches = list(Touch.objects.filter(pk__in=touch_ids).select_related("enrollment", "lead").order_by("pk"))
    cadences = Cadence.objects.in_bulk({touch.enrollment.cadence_id for touch in touches})
    steps = Step.objects.in_bulk({touch.step_id for touch in touches})
    reps = User.objects.in_bulk(
        {touch.owner_id for touch in touches if touch.owner_id}
        | {touch.lead.owner_id for touch in touches if touch.lead.owner_id}
    )
    for touch in touches:
        touch.enrollment.cadence = cadences[touch.enrollment.cadence_id]
        touch.step = steps[touch.step_id]
        touch.owner = reps.get(touch.owner_id)
        touch.lead.owner = reps.get(touch.lead.owner_id)
    return touches


def _suppressed(touches: list[Touch]) -> set[tuple[int, str]]:
    hashes = {email_hash(touch.lead.email) for touch in touches}
    teams = {touch.team_id for touch in touches}
    return set(
        Suppression.objects.filter(team_id__in=teams, email_hash__in=hashes).values_list(
            "team_id", "email_hash"
        )
    )


def _policies(touches: list[Touch]) -> dict[int, TeamSendingPolicy]:
    teams = {touch.team_id for touch in touches}
    found = {policy.team_id: policy for policy in TeamSendingPolicy.objects.filter(team_id__in=teams)}
    return {team_id: found.get(team_id) or policy_for(team_id) for team_id in teams}


def _within_daily_cap(
    touches: list[Touch], *, now, policies, send_days: _SendDays
) -> tuple[list[Touch], dict]:
    """The touches each rep may still send today, in order; the rest wait for their next window."""
    by_sender = collections.defaultdict(list)
    for touch in touches:
        by_sender[_sender(touch)].append(touch)
    allowed, refused = [], {}
    for sender, theirs in by_sender.items():
        granted = len(theirs)
        if sender is not None:
            cap = policies[theirs[0].team_id].daily_send_cap
            granted = send_days.reserve(sender=sender, now=now, wanted=len(theirs), cap=cap)
            send_days.hold(theirs[:granted], sender=sender, now=now)
        allowed.extend(theirs[:granted])
        for touch in theirs[granted:]:
            refused[touch.pk] = _release(
                touch, due_at=schedule.next_window_start(now, **_window(touch)), reason="daily_cap"
            )
    allowed.sort(key=lambda touch: touch.pk)
    return allowed, refused


class _Outbox:
    """One SMTP connection for a chunk, opened on the first message and again after an error."""

    def __init__(self):
        self.backend = get_connection(fail_silently=False)
        self.is_open = False

    def send(self, message: EmailMessage) -> None:
        try:
            if not self.is_open:
                self.backend.open()
                self.is_open = True
            self.backend.send_messages([message])
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self.is_open:
            with contextlib.suppress(Exception):
                self.backend.close()
            self.is_open = False


def touches_send(*, touch_ids: list[int], now: datetime.datetime | None = None) -> dict[int, str]:
    """Sends a chunk of claimed email touches, each at most once, over one SMTP connection. Each touch
    is marked started (committed) just before its message goes out; sent ones are finalised in small
    groups. Returns what happened to each (for logs and tests)."""
    clock = (lambda: now) if now is not None else timezone.now
    outcomes: dict[int, str] = dict.fromkeys(touch_ids, "not_claimed")
    send_days = _SendDays()
    try:
        sendable, policies = _checked(touch_ids, clock=clock, send_days=send_days, outcomes=outcomes)
        _send_in_turn(sendable, clock=clock, policies=policies, send_days=send_days, outcomes=outcomes)
    finally:
        send_days.give_back()
    return outcomes


def _checked(touch_ids, *, clock, send_days: _SendDays, outcomes: dict) -> tuple[list[Touch], dict]:
    """The chunk's touches that may go out now, in id order, with their teams' policies; the others
    are released, canceled or skipped (written) and their outcome noted."""
    touches = []
    for touch in _claimed_touches(touch_ids):
        if touch.status != TouchStatus.SENDING or touch.send_started_at is not None:
            continue
        if touch.lease_expires_at is not None and touch.lease_expires_at <= clock():
            outcomes[touch.pk] = "lease_expired"
            continue
        touches.append(touch)
    if not touches:
        return [], {}
    suppressed, policies = _suppressed(touches), _policies(touches)
    sendable = []
    for touch in touches:
        refused = _gate(touch, now=clock(), suppressed=suppressed)
        if refused:
            outcomes[touch.pk] = refused
        else:
            sendable.append(touch)
    sendable, refused = _within_daily_cap(sendable, now=clock(), policies=policies, send_days=send_days)
    outcomes.update(refused)
    return sendable, policies


def _send_in_turn(sendable: list[Touch], *, clock, policies, send_days: _SendDays, outcomes: dict) -> None:
    outbox, domain, sent, steps, pace = _Outbox(), _message_domain(), [], {}, _Pace()
    waiting = collections.deque(sendable)
    oldest_unfinalised = 0.0
    try:
        while waiting:
            group = _next_group(waiting, size=pace.group_size(), policies=policies)
            started_at = clock()
            for touch in _start(group, now=started_at, policies=policies, domain=domain, outcomes=outcomes):
                held_for = time.monotonic() - oldest_unfinalised if sent else 0.0
                if len(sent) >= FINALISE_EVERY or held_for >= FINALISE_AFTER_SECONDS:
                    outcomes.update(_finalise_sent(sent, steps=steps))
                    sent = []
                if not sent:
                    oldest_unfinalised = time.monotonic()
                sending_since = time.monotonic()
                outcome = _send_one(outbox, touch, sender=_sender(touch), domain=domain, now=started_at)
                pace.record(time.monotonic() - sending_since)
                if outcome != "retry":  # a message that never reached the server gives its place back
                    send_days.use(touch)
                if outcome:
                    outcomes[touch.pk] = outcome
                else:
                    sent.append(touch)
        if sent:
            outcomes.update(_finalise_sent(sent, steps=steps))
    finally:
        outbox.close()


def _send_one(outbox: _Outbox, touch: Touch, *, sender, domain: str, now: datetime.datetime) -> str | None:
    """Outside any transaction. None when the server took the message, else `retry` or `failed` (written)."""
    token = touch.lease_token
    try:
        outbox.send(_build_message(touch, touch.lead, sender, domain))
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
    return None


@transaction.atomic
def _finalise_sent(touches: list[Touch], *, steps: dict[int, list[Step]]) -> dict[int, str]:
    """Done, a timeline row and the next step for each sent touch whose lease still holds; the others
    (reaped meanwhile: `unknown`) are left for review. A handful of statements for the whole group.

    Its commit does not wait for the disk: should PostgreSQL crash before the flush, the group is
    lost as a whole and its touches, started and never finalised, become `unknown` (never resent),
    so at most once holds; the one flush per message is the started marker's."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
    finished_at = timezone.now()
    confirmed = []
    by_token = collections.defaultdict(list)
    for touch in touches:
        by_token[touch.lease_token].append(touch)
    for token, theirs in by_token.items():
        updated = Touch.objects.filter(
            pk__in=[touch.pk for touch in theirs], lease_token=token, status=TouchStatus.SENDING
        ).update(
            status=TouchStatus.DONE,
            outcome="sent",
            completed_at=finished_at,
            lease_token=None,
            lease_expires_at=None,
        )
        if updated < len(
            theirs
        ):  # some were reaped meanwhile: the ones this update finished are known by time
            done = set(
                Touch.objects.filter(
                    pk__in=[touch.pk for touch in theirs], completed_at=finished_at
                ).values_list("pk", flat=True)
            )
            theirs = [touch for touch in theirs if touch.pk in done]
        confirmed.extend(theirs)
    for touch in confirmed:
        touch.status = TouchStatus.DONE
    timeline = [_sent_row(touch, at=finished_at) for touch in confirmed]
    timeline += schedule_next_touches(confirmed, steps=steps, now=finished_at)
    activities_record_bulk(timeline)
    outcomes = {touch.pk: "sent_unconfirmed" for touch in touches}
    outcomes.update({touch.pk: "sent" for touch in confirmed})
    return outcomes


def _sent_row(touch: Touch, *, at: datetime.datetime) -> Activity:
    """The timeline row `activity_record(kind="email", outcome="sent")` writes, for a bulk insert."""
    return Activity(
        lead_id=touch.lead_id, team_id=touch.lead.team_id, actor=_sender(touch), kind=ActivityKind.EMAIL,
        outcome=ActivityOutcome.SENT, body=touch.subject, created_at=at,
        data={"touch": touch.pk, "step": touch.step_id, "message_id": touch.message_id, "variant": touch.variant},
    )  # fmt: skip


def touch_send(*, touch_id: int, now: datetime.datetime | None = None) -> str:
    """Sends one claimed email touch at most once. Returns what happened (for logs and tests)."""
    return touches_send(touch_ids=[touch_id], now=now)[touch_id]


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
