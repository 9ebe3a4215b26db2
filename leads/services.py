"""Writes to leads and their timeline.

Invariants: every state change of a lead leaves an Activity row naming who and when; the first
call, email or LinkedIn touch sets `first_touch_at` once and moves a `new` lead to `working`.
An email exists once per team (database constraint; a second one is a Conflict naming the first);
emails are trimmed and lower-cased, phones E.164, countries ISO 3166-1 alpha-2, time zones IANA.
Score, grade and explanation always follow the team's active ICP (one per team, database
constraint); a lead reaching the team's MQL threshold becomes an MQL once (mql_at set once).
A lead's account (Company) follows its company domain, or its corporate email's domain.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from leads.models import (
    TOUCH_KINDS,
    Activity,
    ActivityKind,
    ActivityOutcome,
    Company,
    EmailKind,
    IcpProfile,
    Lead,
    LeadSource,
    LeadStage,
    LeadStatus,
)
from leads.normalise import (
    FieldError,
    clean_country,
    clean_field,
    clean_phone,
    email_domain,
    email_kind_for,
    timezone_for_country,
)
from leads.scoring import CRITERIA, DEFAULT_WEIGHTS, SCORED_FIELDS, Profile, score_lead
from sdrcrm.accounts.models import Role, Team
from sdrcrm.audit import services as audit
from sdrcrm.core.errors import Conflict, NotAllowed, ValidationFailed


@transaction.atomic
def activity_record(
    *,
    lead: Lead,
    actor,
    kind: str,
    outcome: str = "",
    body: str = "",
    data: dict | None = None,
    occurred_at: datetime.datetime | None = None,
) -> Activity:
    """Writes one timeline row; a first touch also starts the lead's clock (first_touch_at, new → working)."""
    activity = Activity(
        lead=lead,
        team_id=lead.team_id,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        kind=kind,
        outcome=outcome or "",
        body=body or "",
        data=data or {},
        created_at=occurred_at or timezone.now(),
    )
    activities_record_bulk([activity])
    if kind in TOUCH_KINDS and (lead.first_touch_at is None or lead.status == LeadStatus.NEW):
        lead.refresh_from_db(fields=["first_touch_at", "status"])
    return activity


def activities_record_bulk(rows: list[Activity]) -> list[Activity]:
    """Timeline rows (unsaved `Activity` objects) in one insert. A lead's first touch starts its clock:
    first_touch_at set once (conditional, so racing first touches agree) and new → working."""
    Activity.objects.bulk_create(rows)
    touched_at = {}
    for row in rows:
        if row.kind in TOUCH_KINDS:
            touched_at.setdefault(row.created_at, set()).add(row.lead_id)
    for occurred_at, lead_ids in touched_at.items():
        Lead.objects.filter(pk__in=lead_ids).filter(
            Q(first_touch_at__isnull=True) | Q(status=LeadStatus.NEW)
        ).update(
            first_touch_at=Coalesce("first_touch_at", Value(occurred_at)),
            status=Case(When(status=LeadStatus.NEW, then=Value(LeadStatus.WORKING)), default=F("status")),
        )
    return rows


STAGE_TIMESTAMPS = {
    "mql": "mql_at",
    "sql": "sql_at",
    "opportunity": "opportunity_at",
    "customer": "customer_at",
}


@transaction.atomic
def lead_set_status(*, lead: Lead, status: str, by, reason: str = "", data: dict | None = None) -> Lead:
    """Moves a lead to a work status and writes the timeline row (who, when, from, to, why)."""
    previous = lead.status
    if previous == status:
        return lead
    lead.status = status
    lead.save(update_fields=["status", "updated_at"])
    activity_record(
        lead=lead,
        actor=by,
        kind="status",
        body=reason,
        data={"from": previous, "to": status, **(data or {})},
    )
    return lead


@transaction.atomic
def lead_set_stage(*, lead: Lead, stage: str, by, at: datetime.datetime | None = None) -> Lead:
    """Moves a lead to a lifecycle stage. The stage's timestamp (mql_at, sql_at, …) is set the first
    time only, so the funnel counts each lead once per stage."""
    previous = lead.stage
    at = at or timezone.now()
    fields = ["updated_at"]
    timestamp_field = STAGE_TIMESTAMPS.get(stage)
    if timestamp_field and getattr(lead, timestamp_field) is None:
        setattr(lead, timestamp_field, at)
        fields.append(timestamp_field)
    if previous != stage:
        lead.stage = stage
        fields.append("stage")
    if len(fields) == 1:
        return lead
    lead.save(update_fields=fields)
    if previous != stage:
        activity_record(
            lead=lead, actor=by, kind="stage", data={"from": previous, "to": stage}, occurred_at=at
        )
    return lead


# --- Leads: create, edit, claim, disqualify, nurture ------------------------------------------------

EDITABLE_FIELDS = (
    "first_name", "last_name", "email", "phone", "title", "company", "company_domain", "industry",
    "employee_count", "country", "timezone", "linkedin_url", "source", "owner",
    "budget", "authority", "need", "timeline", "users", "decision_process", "research_notes",
)  # fmt: skip
QUALIFICATION_FIELDS = (
    "budget",
    "authority",
    "need",
    "timeline",
    "users",
    "decision_process",
    "research_notes",
)
CLOSED_STATUSES = frozenset({LeadStatus.HANDED_OFF, LeadStatus.CONVERTED})
OWNER_ROLES = frozenset({Role.SDR, Role.BDR, Role.MANAGER})

# Other apps that must react when a lead is set aside (disqualified or nurtured) register here; each
# hook is called as hook(lead=, by=, reason=) inside the same transaction. The import direction
# (leads ← cadences) forbids leads from calling cadences itself: cadences registers
# `enrollment_exit` in its AppConfig.ready().
LEAD_PARKED_HOOKS: list = []


def register_lead_parked_hook(hook) -> None:
    if hook not in LEAD_PARKED_HOOKS:
        LEAD_PARKED_HOOKS.append(hook)


def _domain_error(error: FieldError) -> ValidationFailed:
    return ValidationFailed(error.message, field=error.field)


def clean_lead_values(values: dict) -> dict:
    """Normalises the given lead fields (only those given). Raises ValidationFailed naming the field."""
    cleaned = {}
    try:
        for field, value in values.items():
            if field == "source":
                if value not in LeadSource.values:
                    raise FieldError("source", f"Source must be one of {', '.join(LeadSource.values)}.")
                cleaned["source"] = value
            elif field in ("phone", "owner"):
                cleaned[field] = value
            elif field in EDITABLE_FIELDS:
                cleaned[field] = clean_field(field, value)
        if "phone" in cleaned:
            country = cleaned.get("country", values.get("_country", ""))
            cleaned["phone"], cleaned["_phone_zone"] = clean_phone(cleaned["phone"], country=country)
    except FieldError as error:
        raise _domain_error(error) from error
    return cleaned


def _check_owner(*, team: Team, owner) -> None:
    if owner is None:
        return
    if owner.team_id != team.pk or not owner.is_active or owner.effective_role not in OWNER_ROLES:
        raise ValidationFailed(
            "The owner must be an active SDR, BDR or manager of the lead's team.", field="owner"
        )


def _duplicate_of(*, team_id: int, email: str, exclude_pk: int | None = None) -> int | None:
    if not email:
        return None
    existing = Lead.objects.filter(team_id=team_id, email=email)
    if exclude_pk:
        existing = existing.exclude(pk=exclude_pk)
    return existing.values_list("pk", flat=True).first()


def _raise_duplicate(duplicate_id: int) -> None:
    raise Conflict(
        "A lead with this email already exists in the team.", code="duplicate", duplicate_of=duplicate_id
    )


def company_sync(*, lead: Lead) -> Company | None:
    """Finds or creates the lead's account (by domain, else by name) and fills the account's blanks."""
    domain = lead.company_domain
    if not domain and lead.email_kind == EmailKind.CORPORATE:
        domain = email_domain(lead.email)
    name = lead.company or domain
    if not name:
        return None
    if domain:
        company, _created = Company.objects.get_or_create(
            team_id=lead.team_id, domain=domain, defaults={"name": name[:200]}
        )
    else:
        company = Company.objects.filter(team_id=lead.team_id, domain="", name__iexact=name).first()
        if company is None:
            company = Company.objects.create(team_id=lead.team_id, name=name[:200])
    changed = []
    for company_field, lead_field in (
        ("industry", "industry"),
        ("employee_count", "employee_count"),
        ("country", "country"),
    ):
        value = getattr(lead, lead_field)
        if value not in (None, "") and getattr(company, company_field) in (None, ""):
            setattr(company, company_field, value)
            changed.append(company_field)
    if lead.company and company.name == company.domain and lead.company != company.name:
        company.name = lead.company[:200]
        changed.append("name")
    if changed:
        company.save(update_fields=changed)
    return company


def icp_active_profile(*, team_id: int) -> Profile | None:
    icp = IcpProfile.objects.filter(team_id=team_id, is_active=True).first()
    return Profile.from_model(icp) if icp else None


def _apply_score(lead: Lead, profile: Profile | None) -> bool:
    """Sets score, grade and explanation from the profile. Returns whether anything changed."""
    score, grade, explanation = score_lead(
        profile,
        industry=lead.industry,
        employee_count=lead.employee_count,
        country=lead.country,
        title=lead.title,
    )
    changed = (lead.score, lead.grade, lead.score_explanation) != (score, grade, explanation)
    lead.score, lead.grade, lead.score_explanation = score, grade, explanation
    return changed


def _promote_to_mql(*, lead: Lead, by, threshold: int) -> None:
    if lead.score_explanation and lead.score >= threshold and lead.stage == LeadStage.LEAD:
        lead_set_stage(lead=lead, stage=LeadStage.MQL, by=by)


def _require_creator(by) -> None:
    if not (by.is_prospector or by.is_manager or by.is_admin):
        raise NotAllowed("Your role may not create leads.")


@transaction.atomic
def lead_create(*, team: Team, by, values: dict, import_batch=None) -> Lead:
    """Creates a lead: cleaned fields, duplicate check (409 with duplicate_of), account, score, MQL."""
    _require_creator(by)
    values = dict(values)
    owner_given = "owner" in values and values["owner"] is not None
    cleaned = clean_lead_values(values)
    phone_zone = cleaned.pop("_phone_zone", "")
    owner = cleaned.pop("owner", None)
    if not owner_given and getattr(by, "is_prospector", False):
        owner = by
    _check_owner(team=team, owner=owner)
    duplicate = _duplicate_of(team_id=team.pk, email=cleaned.get("email", ""))
    if duplicate:
        _raise_duplicate(duplicate)
    lead = Lead(team=team, owner=owner, import_batch=import_batch, **cleaned)
    if not lead.timezone:
        lead.timezone = phone_zone or timezone_for_country(lead.country)
    lead.email_kind = email_kind_for(lead.email)
    if not lead.company_domain and lead.email_kind == EmailKind.CORPORATE:
        lead.company_domain = email_domain(lead.email)
    _apply_score(lead, icp_active_profile(team_id=team.pk))
    lead.account = company_sync(lead=lead)
    try:
        with transaction.atomic():
            lead.save()
    except IntegrityError:
        duplicate = _duplicate_of(team_id=team.pk, email=lead.email)
        if duplicate:
            _raise_duplicate(duplicate)
        raise  # pragma: no cover - another constraint: a bug, not bad input
    activity_record(
        lead=lead,
        actor=by,
        kind=ActivityKind.SYSTEM,
        body="Lead created",
        data={"event": "created", "source": lead.source},
    )
    _promote_to_mql(lead=lead, by=by, threshold=team.mql_threshold)
    return lead


def _require_can_edit(*, lead: Lead, by) -> None:
    if by.is_admin or (by.is_manager and by.team_id == lead.team_id):
        return
    if by.is_prospector and lead.owner_id in (None, by.pk):
        return
    if by.is_ae:
        return  # an AE edits only leads handed to them, which are all it can see
    raise NotAllowed("You may not change this lead.")


@transaction.atomic
def lead_update(*, lead: Lead, by, values: dict) -> Lead:
    """Changes the given fields; a changed scored field rescores the lead (and may make it an MQL)."""
    _require_can_edit(lead=lead, by=by)
    values = {field: value for field, value in values.items() if field in EDITABLE_FIELDS}
    if "owner" in values and values["owner"] != lead.owner and not (by.is_manager or by.is_admin):
        raise NotAllowed("Only a manager reassigns a lead; claim an unowned lead instead.")
    values["_country"] = values.get("country", lead.country)
    cleaned = clean_lead_values(values)
    phone_zone = cleaned.pop("_phone_zone", "")
    if "owner" in cleaned:
        _check_owner(team=lead.team, owner=cleaned["owner"])
    if "email" in cleaned and cleaned["email"] != lead.email:
        duplicate = _duplicate_of(team_id=lead.team_id, email=cleaned["email"], exclude_pk=lead.pk)
        if duplicate:
            _raise_duplicate(duplicate)
    changes = {}
    for field, value in cleaned.items():
        old = getattr(lead, field)
        if old != value:
            changes[field] = value
    if not changes:
        return lead
    locked = Lead.objects.for_update().get(pk=lead.pk)
    before = {field: getattr(locked, field) for field in changes}
    for field, value in changes.items():
        setattr(lead, field, value)
    if "phone" in changes and phone_zone and not lead.timezone:
        lead.timezone = phone_zone
        changes["timezone"] = phone_zone
        before.setdefault("timezone", "")
    fields = set(changes)
    if "email" in changes:
        lead.email_kind = email_kind_for(lead.email)
        fields.add("email_kind")
    if fields & set(SCORED_FIELDS) and _apply_score(lead, icp_active_profile(team_id=lead.team_id)):
        fields |= {"score", "grade", "score_explanation"}
    if fields & {"company", "company_domain", "email", "industry", "employee_count", "country"}:
        account = company_sync(lead=lead)
        if account is not None and account.pk != lead.account_id:
            lead.account = account
            fields.add("account")
    try:
        with transaction.atomic():
            lead.save(update_fields=[*sorted(fields), "updated_at"])
    except IntegrityError:
        duplicate = _duplicate_of(team_id=lead.team_id, email=lead.email, exclude_pk=lead.pk)
        if duplicate:
            _raise_duplicate(duplicate)
        raise  # pragma: no cover
    changed = {field: [_plain(before[field]), _plain(changes[field])] for field in changes}
    activity_record(
        lead=lead,
        actor=by,
        kind=ActivityKind.SYSTEM,
        body="Updated " + ", ".join(sorted(changes)),
        data={"event": "updated", "changes": changed},
    )
    audit.record(action="lead.updated", target=lead, actor=by, changes=changed)
    _promote_to_mql(lead=lead, by=by, threshold=lead.team.mql_threshold)
    return lead


def _plain(value):
    return getattr(value, "pk", value)


@transaction.atomic
def lead_delete(*, lead: Lead, by) -> None:
    if not (by.is_admin or (by.is_manager and by.team_id == lead.team_id)):
        raise NotAllowed("Only a manager or an admin deletes a lead.")
    audit.record(action="lead.deleted", target=lead, actor=by)
    lead.delete()


@transaction.atomic
def lead_claim(*, lead: Lead, by) -> Lead:
    """The SDR or BDR now owns an unowned lead; 409 if someone else got it first."""
    if not by.is_prospector or by.team_id != lead.team_id:
        raise NotAllowed("Only an SDR or BDR of the team claims a lead.")
    locked = Lead.objects.for_update().get(pk=lead.pk)
    if locked.owner_id == by.pk:
        lead.owner = by
        return lead
    if locked.owner_id is not None:
        raise Conflict("Someone else owns this lead.", code="owned", owner=locked.owner_id)
    Lead.objects.filter(pk=lead.pk, owner__isnull=True).update(owner=by, updated_at=timezone.now())
    lead.owner = by
    activity_record(
        lead=lead,
        actor=by,
        kind=ActivityKind.SYSTEM,
        body="Claimed",
        data={"event": "claimed", "owner": by.pk},
    )
    return lead


def _require_can_work(*, lead: Lead, by) -> None:
    if by.is_admin or (by.is_manager and by.team_id == lead.team_id):
        return
    if by.is_prospector and lead.owner_id in (None, by.pk):
        return
    raise NotAllowed("Only the lead's SDR or a manager may do this.")


def _park(*, lead: Lead, by, status: str, reason: str) -> None:
    for hook in list(LEAD_PARKED_HOOKS):
        hook(lead=lead, by=by, reason=status)


@transaction.atomic
def lead_disqualify(*, lead: Lead, by, reason: str) -> Lead:
    _require_can_work(lead=lead, by=by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Say why the lead is disqualified.", field="reason")
    if len(reason) > 300:
        raise ValidationFailed("At most 300 characters.", field="reason")
    locked = Lead.objects.for_update().get(pk=lead.pk)
    if locked.status == LeadStatus.DISQUALIFIED:
        raise Conflict("The lead is already disqualified.", code="already_disqualified")
    if locked.status in CLOSED_STATUSES:
        raise Conflict(
            f"A lead that is {locked.get_status_display().lower()} cannot be disqualified.", code="closed"
        )
    lead.status = locked.status
    lead.disqualify_reason = reason
    lead.save(update_fields=["disqualify_reason", "updated_at"])
    lead_set_status(lead=lead, status=LeadStatus.DISQUALIFIED, by=by, reason=reason)
    _park(lead=lead, by=by, status=LeadStatus.DISQUALIFIED, reason=reason)
    return lead


@transaction.atomic
def lead_nurture(*, lead: Lead, by, reason: str = "") -> Lead:
    _require_can_work(lead=lead, by=by)
    locked = Lead.objects.for_update().get(pk=lead.pk)
    if locked.status == LeadStatus.NURTURE:
        raise Conflict("The lead is already in nurture.", code="already_nurture")
    if locked.status in CLOSED_STATUSES:
        raise Conflict(
            f"A lead that is {locked.get_status_display().lower()} cannot go to nurture.", code="closed"
        )
    lead.status = locked.status
    if lead.disqualify_reason:
        lead.disqualify_reason = ""
        lead.save(update_fields=["disqualify_reason", "updated_at"])
    lead_set_status(lead=lead, status=LeadStatus.NURTURE, by=by, reason=(reason or "").strip())
    _park(lead=lead, by=by, status=LeadStatus.NURTURE, reason=reason)
    return lead


LOGGABLE_KINDS = (
    ActivityKind.CALL,
    ActivityKind.EMAIL,
    ActivityKind.LINKEDIN,
    ActivityKind.NOTE,
    ActivityKind.MEETING,
)


OUTCOMES_BY_KIND = {
    ActivityKind.CALL: ("connected", "no_answer", "voicemail", "wrong_number"),
    ActivityKind.EMAIL: ("sent", "replied"),
    ActivityKind.LINKEDIN: ("sent", "replied", "connected"),
    ActivityKind.NOTE: (),
    ActivityKind.MEETING: (),
}


def activity_log(*, lead: Lead, by, kind: str, outcome: str = "", body: str = "") -> Activity:
    """What a person logs by hand (API and pages): a call, email, LinkedIn touch, note or meeting.
    An outcome must make sense for the kind (a call connects, an email is sent or replied to)."""
    if kind not in LOGGABLE_KINDS:
        raise ValidationFailed(f"Kind must be one of {', '.join(LOGGABLE_KINDS)}.", field="kind")
    if outcome and outcome not in ActivityOutcome.values:
        raise ValidationFailed(
            f"Outcome must be one of {', '.join(ActivityOutcome.values)}.", field="outcome"
        )
    allowed = OUTCOMES_BY_KIND.get(kind, ())
    if outcome and outcome not in allowed:
        message = f"A {kind} can end {', '.join(allowed)}." if allowed else f"A {kind} has no outcome."
        raise ValidationFailed(message, field="outcome")
    body = (body or "").strip()
    if kind == ActivityKind.NOTE and not body:
        raise ValidationFailed("A note needs some text.", field="body")
    if len(body) > 10_000:
        raise ValidationFailed("At most 10,000 characters.", field="body")
    return activity_record(lead=lead, actor=by, kind=kind, outcome=outcome, body=body)


# --- Scoring: the team's ICP --------------------------------------------------------------------------

RESCORE_CHUNK = 2000


@transaction.atomic
def lead_rescore_team(*, team_id: int, by=None) -> dict:
    """Rescores every lead of the team against its active ICP, in chunks, with bulk updates; leads that
    reach the MQL threshold become MQLs (mql_at set once, a stage row on each timeline). Safe twice."""
    team = Team.objects.get(pk=team_id)
    profile = icp_active_profile(team_id=team_id)
    now = timezone.now()
    rescored = promoted = 0
    rows = (
        Lead.objects.filter(team_id=team_id)
        .order_by("pk")
        .values_list(
            "pk",
            "industry",
            "employee_count",
            "country",
            "title",
            "score",
            "grade",
            "score_explanation",
            "stage",
        )
    )
    changed: list[Lead] = []
    to_mql: list[int] = []

    def flush():
        nonlocal rescored, promoted
        if changed:
            Lead.objects.bulk_update(changed, ["score", "grade", "score_explanation"], batch_size=500)
            rescored += len(changed)
            changed.clear()
        if to_mql:
            moved = list(
                Lead.objects.filter(pk__in=to_mql, stage=LeadStage.LEAD).values_list("pk", flat=True)
            )
            Lead.objects.filter(pk__in=moved, mql_at__isnull=True).update(mql_at=now)
            Lead.objects.filter(pk__in=moved).update(stage=LeadStage.MQL, updated_at=now)
            Activity.objects.bulk_create(
                [
                    Activity(
                        lead_id=pk, team_id=team_id, actor=by if getattr(by, "is_authenticated", False) else None,
                        kind=ActivityKind.STAGE, data={"from": LeadStage.LEAD, "to": LeadStage.MQL, "by": "icp"},
                        created_at=now,
                    )
                    for pk in moved
                ]
            )  # fmt: skip
            promoted += len(moved)
            to_mql.clear()

    for (
        pk,
        industry,
        employees,
        country,
        title,
        old_score,
        old_grade,
        old_explanation,
        stage,
    ) in rows.iterator(chunk_size=RESCORE_CHUNK):
        score, grade, explanation = score_lead(
            profile, industry=industry, employee_count=employees, country=country, title=title
        )
        if (score, grade, explanation) != (old_score, old_grade, old_explanation):
            changed.append(Lead(pk=pk, score=score, grade=grade, score_explanation=explanation))
        if stage == LeadStage.LEAD and score >= team.mql_threshold and profile is not None:
            to_mql.append(pk)
        if len(changed) >= RESCORE_CHUNK or len(to_mql) >= RESCORE_CHUNK:
            flush()
    flush()
    return {"rescored": rescored, "promoted": promoted}


# --- ICP profiles ---------------------------------------------------------------------------------------

ICP_FIELDS = (
    "name",
    "is_active",
    "industries",
    "employee_min",
    "employee_max",
    "countries",
    "title_keywords",
    "weights",
)


def _require_icp_editor(by) -> None:
    if not (by.is_manager or by.is_admin):
        raise NotAllowed("Only a manager or an admin edits the ICP.")


def _clean_string_list(field: str, values, *, limit: int = 100) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = values.split(",")
    cleaned, seen = [], set()
    for value in values:
        text = str(value).strip()
        if text and text.casefold() not in seen:
            if len(text) > limit:
                raise ValidationFailed(f"At most {limit} characters each.", field=field)
            seen.add(text.casefold())
            cleaned.append(text)
    if len(cleaned) > 200:
        raise ValidationFailed("At most 200 entries.", field=field)
    return cleaned


def clean_icp_values(values: dict, *, current: IcpProfile | None = None) -> dict:
    cleaned = {}
    for field, value in values.items():
        if field == "name":
            name = (value or "").strip()
            if not name:
                raise ValidationFailed("A profile needs a name.", field="name")
            if len(name) > 120:
                raise ValidationFailed("At most 120 characters.", field="name")
            cleaned["name"] = name
        elif field == "is_active":
            cleaned["is_active"] = bool(value)
        elif field in ("industries", "title_keywords"):
            cleaned[field] = _clean_string_list(field, value)
        elif field == "countries":
            countries = _clean_string_list(field, value)
            try:
                cleaned[field] = sorted({clean_country(code) for code in countries})
            except FieldError as error:
                raise ValidationFailed(error.message, field="countries") from error
        elif field in ("employee_min", "employee_max"):
            if value in (None, ""):
                cleaned[field] = None
            else:
                try:
                    number = int(value)
                except (TypeError, ValueError) as error:
                    raise ValidationFailed("Enter a whole number.", field=field) from error
                if number < 0:
                    raise ValidationFailed("Must be zero or more.", field=field)
                cleaned[field] = number
        elif field == "weights":
            if not isinstance(value, dict):
                raise ValidationFailed("Give a weight for each criterion.", field="weights")
            unknown = set(value) - set(CRITERIA)
            if unknown:
                raise ValidationFailed(f"Unknown criteria: {', '.join(sorted(unknown))}.", field="weights")
            weights = {}
            for criterion in CRITERIA:
                try:
                    weight = int(value.get(criterion, 0) or 0)
                except (TypeError, ValueError) as error:
                    raise ValidationFailed("Weights are whole numbers.", field="weights") from error
                if not 0 <= weight <= 100:
                    raise ValidationFailed("Each weight is between 0 and 100.", field="weights")
                weights[criterion] = weight
            if not any(weights.values()):
                raise ValidationFailed("At least one criterion needs a weight above 0.", field="weights")
            cleaned["weights"] = weights
    low = cleaned.get("employee_min", current.employee_min if current else None)
    high = cleaned.get("employee_max", current.employee_max if current else None)
    if low is not None and high is not None and low > high:
        raise ValidationFailed("The lower bound is above the upper bound.", field="employee_max")
    return cleaned


def _enqueue_rescore(team_id: int) -> None:
    from leads import tasks  # tasks import this module

    transaction.on_commit(lambda: tasks.lead_rescore_team.delay(team_id))


@transaction.atomic
def icp_profile_create(*, team: Team, by, values: dict) -> IcpProfile:
    _require_icp_editor(by)
    cleaned = clean_icp_values({"weights": dict(DEFAULT_WEIGHTS), **values})
    if "name" not in cleaned:
        raise ValidationFailed("A profile needs a name.", field="name")
    Team.objects.select_for_update().filter(pk=team.pk).first()  # serialises activations per team
    if cleaned.get("is_active"):
        IcpProfile.objects.filter(team=team, is_active=True).update(is_active=False)
    profile = IcpProfile.objects.create(team=team, **cleaned)
    audit.record(action="icp.created", target=profile, actor=by, changes=audit.changes_between({}, cleaned))
    if profile.is_active:
        _enqueue_rescore(team.pk)
    return profile


@transaction.atomic
def icp_profile_update(*, profile: IcpProfile, by, values: dict) -> IcpProfile:
    _require_icp_editor(by)
    cleaned = clean_icp_values({k: v for k, v in values.items() if k in ICP_FIELDS}, current=profile)
    Team.objects.select_for_update().filter(pk=profile.team_id).first()
    was_active = profile.is_active
    if cleaned.get("is_active") and not was_active:
        IcpProfile.objects.filter(team_id=profile.team_id, is_active=True).exclude(pk=profile.pk).update(
            is_active=False
        )
    before = {field: getattr(profile, field) for field in cleaned}
    for field, value in cleaned.items():
        setattr(profile, field, value)
    profile.save()
    audit.record(
        action="icp.updated", target=profile, actor=by, changes=audit.changes_between(before, cleaned)
    )
    if was_active or profile.is_active:
        _enqueue_rescore(profile.team_id)
    return profile


@transaction.atomic
def icp_profile_delete(*, profile: IcpProfile, by) -> None:
    _require_icp_editor(by)
    was_active = profile.is_active
    team_id = profile.team_id
    audit.record(action="icp.deleted", target=profile, actor=by)
    profile.delete()
    if was_active:
        _enqueue_rescore(team_id)


PREVIEW_SAMPLE = 20_000


def icp_grade_preview(*, team_id: int, values: dict) -> dict:
    """How many of the team's leads (the latest PREVIEW_SAMPLE) would land in each grade under `values`."""
    cleaned = clean_icp_values({"weights": dict(DEFAULT_WEIGHTS), **values})
    profile = Profile.build(
        industries=cleaned.get("industries", ()),
        employee_min=cleaned.get("employee_min"),
        employee_max=cleaned.get("employee_max"),
        countries=cleaned.get("countries", ()),
        title_keywords=cleaned.get("title_keywords", ()),
        weights=cleaned.get("weights"),
    )
    counts = {"A": 0, "B": 0, "C": 0, "D": 0}
    rows = (
        Lead.objects.filter(team_id=team_id)
        .order_by("-created_at")
        .values_list("industry", "employee_count", "country", "title")[:PREVIEW_SAMPLE]
    )
    total = 0
    for industry, employees, country, title in rows.iterator(chunk_size=RESCORE_CHUNK):
        _score, grade, _explanation = score_lead(
            profile, industry=industry, employee_count=employees, country=country, title=title
        )
        counts[grade] += 1
        total += 1
    return {"total": total, "grades": counts, "sampled": total >= PREVIEW_SAMPLE}
