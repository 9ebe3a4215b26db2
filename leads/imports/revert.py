"""Revert: undoing a finished import without losing anyone's work since."""

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from leads.imports.run import CHUNK
from leads.models import (
    Activity,
    ActivityKind,
    IcpProfile,
    ImportBatch,
    ImportRow,
    ImportStatus,
    Lead,
    LeadStatus,
    RowAction,
)
from leads.scoring import SCORED_FIELDS, Profile, score_lead
from sdrcrm.core.errors import NotAllowed, ValidationFailed


@transaction.atomic
def import_batch_revert(*, batch: ImportBatch, by) -> dict:
    """Undoes a finished import: deletes the leads it created that nobody has worked since (no activity by
    a person, still `new`), restores the fields it updated unless someone changed them since, and reports
    what it could not revert and why."""
    if not (by.is_admin or (by.is_manager and by.team_id == batch.team_id) or batch.created_by_id == by.pk):
        raise NotAllowed("Only whoever ran the import, or a manager, reverts it.")
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.dry_run:
        raise ValidationFailed("A dry run wrote nothing; there is nothing to revert.", code="dry_run")
    if batch.status == ImportStatus.REVERTED:
        from sdrcrm.core.errors import Conflict

        raise Conflict("This import was already reverted.", code="already_reverted")
    if batch.status not in (ImportStatus.DONE, ImportStatus.FAILED):
        raise ValidationFailed("The import is still running; revert it once it has finished.", code="running")
    worked = Activity.objects.filter(lead=OuterRef("pk"), actor__isnull=False)
    created = Lead.objects.filter(import_batch=batch).annotate(worked=Exists(worked))
    kept = []
    deletable = []
    for pk, status, was_worked, _name, email in created.values_list(
        "pk", "status", "worked", "first_name", "email"
    ).iterator(chunk_size=CHUNK):
        if was_worked or status != LeadStatus.NEW:
            kept.append({"lead": pk, "email": email, "reason": "worked since the import"})
        else:
            deletable.append(pk)
    deleted = 0
    for start in range(0, len(deletable), CHUNK):
        deleted += (
            Lead.objects.filter(pk__in=deletable[start : start + CHUNK]).delete()[1].get("leads.Lead", 0)
        )
    restored = 0
    icp = IcpProfile.objects.filter(team_id=batch.team_id, is_active=True).first()
    profile = Profile.from_model(icp) if icp else None
    for record in ImportRow.objects.filter(batch=batch, action=RowAction.UPDATE).iterator(chunk_size=CHUNK):
        lead = Lead.objects.filter(pk=record.lead_id).first()
        if lead is None:
            kept.append({"lead": record.lead_id, "email": record.email, "reason": "deleted since the import"})
            continue
        changed_since = [name for name, value in record.changes.items() if getattr(lead, name) != value]
        if changed_since:
            kept.append(
                {"lead": lead.pk, "email": lead.email, "reason": "changed since: " + ", ".join(changed_since)}
            )
            continue
        for name, value in record.previous.items():
            setattr(lead, name, value)
        lead.score, lead.grade, lead.score_explanation = score_lead(
            profile, **{f: getattr(lead, f) for f in SCORED_FIELDS}
        )
        lead.save(update_fields=[*record.previous, "score", "grade", "score_explanation", "updated_at"])
        Activity.objects.create(
            lead=lead, team_id=lead.team_id, actor=by, kind=ActivityKind.SYSTEM,
            body=f"Import {batch.filename} reverted", data={"event": "import_reverted", "batch": batch.pk},
        )  # fmt: skip
        restored += 1
    report = {"deleted": deleted, "restored": restored, "not_reverted": kept}
    batch.status = ImportStatus.REVERTED
    batch.reverted_at = timezone.now()
    batch.revert_report = report
    batch.save(update_fields=["status", "reverted_at", "revert_report"])
    return report
