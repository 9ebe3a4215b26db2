"""A person's rights over what we store about them as a lead: a copy of it all, and its erasure.

Erasure anonymises instead of deleting, so that every count the metrics make (leads, stages,
touches, handoffs, opportunities, amounts, outcomes, owners, timestamps) stays the same: the
personal text goes (names, email, phone, LinkedIn, title, qualification notes, message subjects
and bodies, timeline bodies, imported rows and their lines in the uploaded lists, reminder and
handoff notes, notifications and audit entries that quoted them), the numbers and states stay.
The email's hash joins the team's suppression list, so the person is never emailed again, and
the lead's open enrollment ends.

Privacy spans every app that keeps rows about a lead; it finds them through the models' relations
to Lead (so a new app's rows are exported too) and loads the cadence and handoff models by name,
keeping the import direction `leads ← cadences ← handoffs`.
"""

import datetime
import hashlib

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from leads.models import Activity, ActivityKind, ImportBatch, ImportRow, Lead
from leads.services import LEAD_PARKED_HOOKS, activity_record
from sdrcrm.accounts.models import Notification
from sdrcrm.audit import services as audit
from sdrcrm.audit.models import AuditEvent
from sdrcrm.core.errors import Conflict, NotAllowed, ValidationFailed

ERASED_NAME = ("Erased", "lead")
ERASED_LABEL = "Erased lead"
ERASED_ACTION = "lead.erased"
SUPPRESSION_REASON = "erased"
EXIT_REASON = "opted_out"

LEAD_PERSONAL_FIELDS = (
    "email", "phone", "title", "linkedin_url", "disqualify_reason", "budget", "authority", "need",
    "timeline", "users", "decision_process", "research_notes",
)  # fmt: skip
# Free text on the rows of other apps about the lead; everything else on them (states, amounts,
# outcomes, times, owners) is what the metrics count, and stays.
PERSONAL_TEXT = {
    ("cadences", "Touch"): ("subject", "body", "note", "error"),
    ("cadences", "Reminder"): ("note",),
    ("handoffs", "Handoff"): (
        "budget", "authority", "need", "timeline", "users", "decision_process", "notes", "reject_note",
        "meeting_outcome_note",
    ),
}  # fmt: skip
# Timeline data keys that hold codes and ids, never free text.
STRUCTURAL_DATA_KEYS = frozenset(
    {"event", "from", "to", "source", "reason", "reject_reason", "outcome", "next_step", "by", "kind"}
)


def _require_privacy_officer(*, lead: Lead, by) -> None:
    if not (by.is_admin or (by.is_manager and by.team_id == lead.team_id)):
        raise NotAllowed("Only a manager of the team or an admin handles a lead's data requests.")


def lead_is_erased(*, lead: Lead) -> bool:
    return AuditEvent.objects.filter(action=ERASED_ACTION, target_type="lead", target_id=lead.pk).exists()


# --- Export --------------------------------------------------------------------------------------------


def _row(instance: models.Model) -> dict:
    row = {}
    for field in instance._meta.concrete_fields:
        if field.name in ("api_key_hash", "password"):
            continue
        value = getattr(instance, field.attname)
        if isinstance(field, models.FileField):
            value = value.name if value else ""
        row[field.name if not field.is_relation else field.attname] = value
    return row


def _rows_about(lead: Lead) -> dict[str, list[dict]]:
    """Every row of every model that points at the lead, by model (`cadences.touch`, …)."""
    found = {}
    for relation in Lead._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and relation.one_to_many) or relation.related_model is None:
            continue
        model = relation.related_model
        rows = model._default_manager.filter(**{relation.field.name: lead.pk}).order_by("pk")
        key = f"{model._meta.app_label}.{model._meta.model_name}"
        found[key] = found.get(key, []) + [_row(row) for row in rows]
    return {key: rows for key, rows in sorted(found.items()) if rows}


def lead_export(*, lead: Lead, by) -> dict:
    """Everything stored about the lead, as one JSON-ready document (values as stored)."""
    _require_privacy_officer(lead=lead, by=by)
    document = {
        "exported_at": timezone.now(),
        "lead": _row(lead),
        "company": _row(lead.account) if lead.account_id else None,
        "import_source": _row(lead.import_batch) if lead.import_batch_id else None,
        "related": _rows_about(lead),
        "audit": [
            _row(event)
            for event in AuditEvent.objects.filter(target_type="lead", target_id=lead.pk).order_by("pk")
        ],
    }
    audit.record(action="lead.exported", target=lead, actor=by)
    return document


# --- Erasure -------------------------------------------------------------------------------------------


def _email_hash(email: str) -> str:
    # The same digest as cadences.services.common.email_hash, which suppression checks compare against.
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()


def _personal_values(lead: Lead) -> list[str]:
    values = {lead.full_name, lead.email, lead.phone, lead.linkedin_url}
    return sorted((value for value in values if value and len(value) >= 3), key=len, reverse=True)


def _without(text: str, values: list[str]) -> str:
    lowered = text.lower()
    for value in values:
        start = lowered.find(value.lower())
        while start != -1:
            text = text[:start] + ERASED_LABEL + text[start + len(value) :]
            lowered = text.lower()
            start = lowered.find(value.lower(), start + len(ERASED_LABEL))
    return text


def _mentioning(field_names: tuple[str, ...], values: list[str]) -> Q:
    query = Q(pk__in=[])
    for field_name in field_names:
        for value in values:
            query |= Q(**{f"{field_name}__icontains": value})
    return query


def _replace_mentions(queryset, field_names: tuple[str, ...], values: list[str]) -> int:
    """Rewrites the text fields of rows that quote a personal value, replacing it with the erased label."""
    rows = list(queryset.filter(_mentioning(field_names, values)))
    limits = {name: queryset.model._meta.get_field(name).max_length for name in field_names}
    for row in rows:
        for field_name in field_names:
            setattr(row, field_name, _without(getattr(row, field_name) or "", values)[: limits[field_name]])
    if rows:
        queryset.model._default_manager.bulk_update(rows, list(field_names))
    return len(rows)


def _scrub_data(data: dict) -> dict:
    scrubbed = {}
    for key, value in (data or {}).items():
        if key == "changes" and isinstance(value, dict):
            scrubbed[key] = {field: [None, None] for field in value}
        elif not isinstance(value, str | dict | list) or key in STRUCTURAL_DATA_KEYS:
            scrubbed[key] = value
    return scrubbed


def _clear_timeline(lead: Lead) -> None:
    activities = list(Activity.objects.filter(lead=lead))
    for activity in activities:
        activity.body = ""
        activity.data = _scrub_data(activity.data)
    Activity.objects.bulk_update(activities, ["body", "data"], batch_size=500)


def _clear_other_apps(lead: Lead) -> None:
    for (app_label, model_name), field_names in PERSONAL_TEXT.items():
        model = apps.get_model(app_label, model_name)
        model._default_manager.filter(lead_id=lead.pk).update(**dict.fromkeys(field_names, ""))


def _clear_imported_rows(lead: Lead, email: str) -> set[int]:
    """Blanks what the import reports kept of the person; returns the batches their rows came in."""
    same_person = Q(lead_id=lead.pk)
    if email:
        same_person |= Q(batch__team_id=lead.team_id, email=email)
    rows = ImportRow.objects.filter(same_person)
    batch_ids = set(rows.values_list("batch_id", flat=True))
    rows.update(email="", raw=[], previous={}, changes={})
    return batch_ids | ({lead.import_batch_id} if lead.import_batch_id else set())


def _scrub_uploaded_files(*, batch_ids: set[int], values: list[str]) -> None:
    """Drops the lines that quote the person from the uploaded lists they came in (files are not
    transactional: called after commit)."""
    for batch in ImportBatch.objects.filter(pk__in=batch_ids).exclude(file=""):
        storage, name = batch.file.storage, batch.file.name
        if not storage.exists(name):
            continue
        with storage.open(name, "rb") as handle:
            raw = handle.read()
        encoding = batch.encoding or "utf-8"
        try:
            text = raw.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            encoding, text = "utf-8", raw.decode("utf-8", errors="replace")
        lines = text.splitlines(keepends=True)
        kept = [line for line in lines if not any(value.lower() in line.lower() for value in values)]
        if len(kept) != len(lines):
            storage.delete(name)
            storage.save(name, ContentFile("".join(kept).encode(encoding, errors="replace")))


def _forget_audit(lead: Lead, values: list[str]) -> None:
    targets = {"lead": [lead.pk]}
    for app_label, model_name in (
        ("cadences", "Enrollment"),
        ("handoffs", "Handoff"),
        ("handoffs", "Opportunity"),
    ):
        model = apps.get_model(app_label, model_name)
        targets[model._meta.model_name] = list(
            model._default_manager.filter(lead_id=lead.pk).values_list("pk", flat=True)
        )
    for target_type, ids in targets.items():
        for target_id in ids:
            audit.audit_forget_target(target_type=target_type, target_id=target_id, label=ERASED_LABEL)
    if values:
        _replace_mentions(AuditEvent.objects.filter(team_id=lead.team_id), ("target_label",), values)


def _notifications_about(lead: Lead):
    """The notifications that point at this lead or one of its handoffs — not a namesake's."""
    handoff = apps.get_model("handoffs", "Handoff")
    about = Q(url__endswith=f"/leads/{lead.pk}/")
    for handoff_id in handoff.objects.filter(lead_id=lead.pk).values_list("pk", flat=True):
        about |= Q(url__endswith=f"#handoff-{handoff_id}")
    readers = Q(user__team_id=lead.team_id) | Q(user__team__isnull=True)
    return Notification.objects.filter(readers).filter(about)


@transaction.atomic
def lead_erase(*, lead: Lead, by, reason: str, now: datetime.datetime | None = None) -> dict:
    """Anonymises the lead (see the module docstring). Refused twice (409); metrics counts unchanged."""
    _require_privacy_officer(lead=lead, by=by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "Say why the data is erased (for example, the request's reference).", field="reason"
        )
    if len(reason) > 300:
        raise ValidationFailed("At most 300 characters.", field="reason")
    lead = Lead.objects.for_update().get(pk=lead.pk)
    if lead_is_erased(lead=lead):
        raise Conflict("This lead's data was already erased.", code="already_erased")
    values = _personal_values(lead)
    email = lead.email
    if email:
        suppression = apps.get_model("cadences", "Suppression")
        suppression.objects.get_or_create(
            team_id=lead.team_id, email_hash=_email_hash(email), defaults={"reason": SUPPRESSION_REASON}
        )
    for hook in list(LEAD_PARKED_HOOKS):
        hook(lead=lead, by=by, reason=EXIT_REASON)

    lead.first_name, lead.last_name = ERASED_NAME
    for field_name in LEAD_PERSONAL_FIELDS:
        setattr(lead, field_name, "")
    lead.opted_out = True
    lead.save(update_fields=["first_name", "last_name", *LEAD_PERSONAL_FIELDS, "opted_out", "updated_at"])
    _clear_timeline(lead)
    _clear_other_apps(lead)
    batch_ids = _clear_imported_rows(lead, email)
    if values:
        transaction.on_commit(lambda: _scrub_uploaded_files(batch_ids=batch_ids, values=values))
    if values:
        opportunity = apps.get_model("handoffs", "Opportunity")
        _replace_mentions(opportunity.objects.filter(lead_id=lead.pk), ("name", "lost_reason"), values)
        _replace_mentions(_notifications_about(lead), ("title", "body"), values)
    _forget_audit(lead, values)
    activity_record(
        lead=lead,
        actor=by,
        kind=ActivityKind.SYSTEM,
        body="Personal data erased",
        data={"event": "erased"},
        occurred_at=now,
    )
    audit.record(
        action=ERASED_ACTION, target=lead, actor=by, label=ERASED_LABEL, changes={"reason": [None, reason]}
    )
    return {"lead": lead.pk, "erased": True, "suppressed": bool(email)}
