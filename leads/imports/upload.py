"""The upload: the file is checked and stored, and its run queued."""

import json
import uuid

from django.db import transaction

from leads.imports.reading import max_bytes, read_shape, resolve_mapping
from leads.models import ImportBatch, LeadSource
from sdrcrm.accounts.models import Role, Team
from sdrcrm.core.errors import NotAllowed, ValidationFailed


def parse_mapping(raw) -> dict | None:
    if raw in (None, "", {}):
        return None
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw)
    except (TypeError, ValueError) as error:
        raise ValidationFailed("The mapping is not valid JSON.", field="mapping") from error
    if not isinstance(value, dict):
        raise ValidationFailed("The mapping is a JSON object: CSV header → lead field.", field="mapping")
    return value


def _require_importer(by) -> None:
    if not (by.is_prospector or by.is_manager or by.is_admin):
        raise NotAllowed("Your role may not import leads.")


@transaction.atomic
def import_batch_create(
    *,
    team: Team,
    by,
    upload,
    source: str = LeadSource.LIST,
    owner=None,
    mapping: dict | None = None,
    dry_run: bool = False,
    update_existing: bool = False,
) -> ImportBatch:
    """Stores the file, checks its shape and mapping, and queues the run (after commit)."""
    _require_importer(by)
    if upload is None:
        raise ValidationFailed("Choose a CSV file.", field="file")
    if upload.size > max_bytes():
        raise ValidationFailed("The file is over the size limit.", field="file", code="too_large")
    if source not in LeadSource.values:
        raise ValidationFailed(f"Source must be one of {', '.join(LeadSource.values)}.", field="source")
    if owner is not None and (
        owner.team_id != team.pk
        or not owner.is_active
        or owner.effective_role not in (Role.SDR, Role.BDR, Role.MANAGER)
    ):
        raise ValidationFailed("The owner must be an active SDR, BDR or manager of the team.", field="owner")
    if owner is not None and by.is_prospector and owner.pk != by.pk:
        raise NotAllowed("An SDR imports leads for themselves; a manager may name another owner.")
    shape = read_shape(upload)
    resolved = resolve_mapping(shape.columns, mapping)
    upload.seek(0)
    batch = ImportBatch(
        team=team,
        created_by=by,
        owner=owner if owner is not None else (by if by.is_prospector else None),
        filename=(getattr(upload, "name", "") or "import.csv")[-255:],
        size_bytes=upload.size,
        source=source,
        encoding=shape.encoding,
        delimiter=shape.delimiter,
        columns=shape.columns,
        mapping=resolved,
        dry_run=dry_run,
        update_existing=update_existing,
    )
    batch.file.save(f"{uuid.uuid4().hex}.csv", upload, save=False)
    batch.save()
    from leads import tasks  # tasks import this module

    transaction.on_commit(lambda: tasks.import_batch_run.delay(batch.pk))
    return batch
