"""The run of an import: chunks of parsed rows classified against the team's leads and written in bulk."""

import logging

from django.db import connection, transaction
from django.utils import timezone

from leads.imports.copy_writer import leads_insert_staged
from leads.imports.prepare import LeadPreparer
from leads.imports.reading import IMPORTABLE_FIELDS
from leads.imports.rows import ParsedRow, count_rows, read_ahead, read_rows, row_parser
from leads.models import (
    Activity,
    ActivityKind,
    Company,
    IcpProfile,
    ImportBatch,
    ImportRow,
    ImportStatus,
    Lead,
    LeadStage,
    LeadStatus,
    RowAction,
)
from leads.scoring import SCORED_FIELDS, Profile, score_lead

log = logging.getLogger(__name__)

CHUNK = 2500
UPDATABLE_FIELDS = tuple(f for f in IMPORTABLE_FIELDS if f not in ("full_name", "email"))


class _Run:
    """The state of one import run: counters, the emails seen so far, the team's profile."""

    def __init__(self, batch: ImportBatch, *, resumed: bool = False):
        self.batch = batch
        self.team = batch.team
        icp = IcpProfile.objects.filter(team=self.team, is_active=True).first()
        self.profile = Profile.from_model(icp) if icp else None
        self.threshold = self.team.mql_threshold
        # Hashes (not the addresses) of the emails met so far: in-file duplicates, in a few MB per 100k rows.
        self.seen: set[int] = set()
        mapping = batch.mapping or {}
        self.columns = [
            (index, mapping[name]) for index, name in enumerate(batch.columns) if mapping.get(name)
        ]
        self.as_copy = connection.vendor == "postgresql" and not batch.dry_run
        # Plain creation needs no look-up first: the unique (team, email) index turns a lead the team already
        # has into a conflict, counted as a duplicate. A dry run, update_existing and a resumed run read them.
        self.reads_existing = batch.dry_run or batch.update_existing or resumed
        self.preparer = LeadPreparer(
            profile=self.profile,
            threshold=self.threshold,
            as_copy=self.as_copy,
            keep_values=batch.update_existing,
        )

    def chunks(self):
        """Parsed and prepared rows, CHUNK at a time (run in the reading thread: no database here)."""
        chunk: list[ParsedRow] = []
        prepare, parse = self.preparer.prepare, row_parser(self.columns)
        for number, raw in read_rows(self.batch):
            chunk.append(prepare(parse(number, raw)))
            if len(chunk) >= CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    # One chunk: classify, then write (unless a dry run).
    def process(self, chunk: list[ParsedRow]) -> None:
        batch = self.batch
        valid = [row for row in chunk if not row.errors]
        existing = self._existing({row.email for row in valid}) if self.reads_existing else {}
        creates, updates, row_records = [], [], []
        counts = {"created": 0, "updated": 0, "duplicates": 0, "failed": 0}
        for row in chunk:
            if row.errors:
                counts["failed"] += 1
                row_records.append(
                    ImportRow(batch=batch, row_number=row.number, action=RowAction.ERROR, email=row.email,
                              errors=row.errors, raw=row.raw)
                )  # fmt: skip
                continue
            found = existing.get(row.email)
            email_hash = hash(row.email)
            first_time = email_hash not in self.seen
            self.seen.add(email_hash)
            if found is None and first_time:
                action = RowAction.CREATE
                creates.append(row)
            elif (
                found is not None
                and first_time
                and found["import_batch_id"] == batch.pk
                and not batch.dry_run
            ):
                action = RowAction.CREATE  # created by an earlier attempt of this same run
            elif found is not None and first_time and batch.update_existing:
                changes = self._changes(row, found)
                if changes:
                    action = RowAction.UPDATE
                    updates.append((row, found, changes))
                else:
                    action = RowAction.DUPLICATE
            else:
                action = RowAction.DUPLICATE
            counts[{"create": "created", "update": "updated", "duplicate": "duplicates"}[action]] += 1
            if batch.dry_run:
                row_records.append(
                    ImportRow(batch=batch, row_number=row.number, action=action, email=row.email, raw=row.raw,
                              lead_id=found["pk"] if found else None,
                              changes=dict(updates[-1][2]) if action == RowAction.UPDATE else {})
                )  # fmt: skip
        with transaction.atomic():
            if not batch.dry_run:
                if creates:
                    created = self._create(creates)
                    raced = len(creates) - created
                    counts["created"] -= raced
                    counts["duplicates"] += raced
                if updates:
                    row_records.extend(self._update(updates))
            ImportRow.objects.bulk_create(row_records, batch_size=1000)
            for name, value in counts.items():
                setattr(batch, name, getattr(batch, name) + value)
            batch.processed_rows += len(chunk)
            batch.save(update_fields=["created", "updated", "duplicates", "failed", "processed_rows"])

    def _existing(self, emails: set[str]) -> dict[str, dict]:
        if not emails:
            return {}
        fields = ["pk", "email", "import_batch_id", *UPDATABLE_FIELDS, "stage", "mql_at"]
        # `email <> ''` lets PostgreSQL use the partial unique index (team, email).
        rows = Lead.objects.filter(team=self.team, email__in=emails).exclude(email="").values(*fields)
        return {row["email"]: row for row in rows}

    def _changes(self, row: ParsedRow, found: dict) -> dict:
        changes = {}
        for name, value in row.values.items():
            if name in UPDATABLE_FIELDS and value not in ("", None) and found.get(name) != value:
                changes[name] = value
        zone = row.values.get("_zone")
        if zone and not found.get("timezone") and "timezone" not in changes:
            changes["timezone"] = zone
        return changes

    def _create(self, rows: list[ParsedRow]) -> int:
        """Writes the new leads (and their new accounts); returns how many were written."""
        now = timezone.now()
        if self.as_copy:
            return leads_insert_staged(
                [row.copy_line for row in rows],
                batch=self.batch,
                now=now,
                named_accounts=any(row.named_account for row in rows),
            )
        company_ids = self._companies(rows)
        leads = []
        for row in rows:
            lead = row.lead
            account_id = company_ids.get(lead["company_domain"]) or company_ids.get(
                ("name", lead["company"][:200])
            )
            leads.append(
                Lead(**lead, account_id=account_id, team_id=self.team.pk, owner_id=self.batch.owner_id,
                     source=self.batch.source, status=LeadStatus.NEW, import_batch_id=self.batch.pk,
                     created_at=now, updated_at=now, mql_at=now if lead["stage"] == LeadStage.MQL else None)
            )  # fmt: skip
        Lead.objects.bulk_create(leads, batch_size=500, ignore_conflicts=True)
        return Lead.objects.filter(
            import_batch_id=self.batch.pk, email__in=[lead.email for lead in leads]
        ).count()

    def _companies(self, rows: list[ParsedRow]) -> dict:
        """Finds or creates the accounts of the rows to create: domain → id, ("name", name) → id. An account
        is named by the first row that brings it; rows without a domain share an account by exact name."""
        by_domain, by_name = {}, {}
        for row in rows:
            lead = row.lead
            if lead["company_domain"]:
                by_domain.setdefault(lead["company_domain"], lead)
            elif lead["company"]:
                by_name.setdefault(lead["company"][:200], lead)
        ids = {}
        if by_domain:
            known = dict(
                Company.objects.filter(team=self.team, domain__in=by_domain)
                .exclude(domain="")
                .values_list("domain", "pk")
            )
            Company.objects.bulk_create(
                [
                    Company(team=self.team, domain=domain, name=(lead["company"] or domain)[:200],
                            industry=lead["industry"], employee_count=lead["employee_count"], country=lead["country"])
                    for domain, lead in by_domain.items()
                    if domain not in known
                ],
                ignore_conflicts=True,
            )  # fmt: skip
            ids.update(
                Company.objects.filter(team=self.team, domain__in=by_domain)
                .exclude(domain="")
                .values_list("domain", "pk")
            )
        if by_name:
            known = dict(
                Company.objects.filter(team=self.team, domain="", name__in=by_name)
                .order_by("-pk")
                .values_list("name", "pk")
            )
            Company.objects.bulk_create(
                [
                    Company(team=self.team, name=name, industry=lead["industry"],
                            employee_count=lead["employee_count"], country=lead["country"])
                    for name, lead in by_name.items()
                    if name not in known
                ]
            )  # fmt: skip
            ids.update(
                (("name", name), pk)
                for name, pk in Company.objects.filter(team=self.team, domain="", name__in=by_name)
                .order_by("-pk")
                .values_list("name", "pk")
            )
        return ids

    def _update(self, updates) -> list[ImportRow]:
        """Applies non-blank changes to existing leads in bulk; returns the rows recording what they replaced."""
        now = timezone.now()
        fields = set()
        leads, records, promoted, activities = [], [], [], []
        for row, found, changes in updates:
            lead = Lead(pk=found["pk"], grade="", **{name: found.get(name) for name in UPDATABLE_FIELDS})
            for name, value in changes.items():
                setattr(lead, name, value)
            fields |= set(changes)
            if set(changes) & set(SCORED_FIELDS):
                lead.score, lead.grade, lead.score_explanation = score_lead(
                    self.profile, **{f: getattr(lead, f) for f in SCORED_FIELDS}
                )
                fields |= {"score", "grade", "score_explanation"}
                if (
                    self.profile is not None
                    and lead.score >= self.threshold
                    and found["stage"] == LeadStage.LEAD
                ):
                    promoted.append(found["pk"])
            leads.append(lead)
            previous = {name: found.get(name) for name in changes}
            records.append(
                ImportRow(batch=self.batch, row_number=row.number, action=RowAction.UPDATE, email=row.email,
                          lead_id=found["pk"], previous=previous, changes=changes)
            )  # fmt: skip
            activities.append(
                Activity(lead_id=found["pk"], team_id=self.team.pk, actor_id=self.batch.created_by_id,
                         kind=ActivityKind.SYSTEM, body="Updated by import " + (self.batch.filename or ""),
                         data={"event": "imported", "batch": self.batch.pk, "changes": sorted(changes)}, created_at=now)
            )  # fmt: skip
        # Fields a lead did not change keep their current value (read in this chunk) in the bulk update.
        for lead in leads:
            lead.updated_at = now
        Lead.objects.bulk_update(
            leads, [*sorted(fields - {"score", "grade", "score_explanation"}), "updated_at"], batch_size=500
        )
        rescored = [lead for lead in leads if lead.grade]
        if rescored:
            Lead.objects.bulk_update(rescored, ["score", "grade", "score_explanation"], batch_size=500)
        if promoted:
            Lead.objects.filter(pk__in=promoted, mql_at__isnull=True).update(mql_at=now)
            Lead.objects.filter(pk__in=promoted, stage=LeadStage.LEAD).update(stage=LeadStage.MQL)
            activities.extend(
                Activity(lead_id=pk, team_id=self.team.pk, kind=ActivityKind.STAGE,
                         data={"from": LeadStage.LEAD, "to": LeadStage.MQL, "batch": self.batch.pk}, created_at=now)
                for pk in promoted
            )  # fmt: skip
        Activity.objects.bulk_create(activities, batch_size=1000)
        return records


def import_batch_run(*, batch_id: int) -> ImportBatch:
    """Runs (or, in a dry run, simulates) an import. Safe twice: a finished batch is left alone, and
    a run a crashed worker left half done goes on where the leads it created show it was."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().select_related("team").get(pk=batch_id)
        if batch.is_finished:
            return batch
        resumed = batch.status == ImportStatus.RUNNING
        batch.status = ImportStatus.RUNNING
        batch.started_at = batch.started_at or timezone.now()
        batch.total_rows = count_rows(batch)
        fields = ["status", "started_at", "total_rows"]
        if resumed:  # start the counts again; rows already written are recognised by their batch
            batch.created = batch.updated = batch.duplicates = batch.failed = batch.processed_rows = 0
            fields += ["created", "updated", "duplicates", "failed", "processed_rows"]
            ImportRow.objects.filter(batch=batch).exclude(action=RowAction.UPDATE).delete()
        batch.save(update_fields=fields)
    run = _Run(batch, resumed=resumed)
    try:
        for chunk in read_ahead(run.chunks()):
            run.process(chunk)
    except Exception as error:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED,
            finished_at=timezone.now(),
            message=f"The import stopped: {error}"[:2000],
        )
        _index_for_search(batch)
        raise
    batch.status = ImportStatus.DONE
    batch.total_rows = batch.processed_rows
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "total_rows", "finished_at"])
    _index_for_search(batch)
    _notify_done(batch)
    return batch


def _index_for_search(batch: ImportBatch) -> None:
    """The leads the run created were written without their search rows (leads.search): a task indexes
    them all in one statement; should it not run, the periodic catch-up does."""
    from leads.tasks import search_index_import

    if not batch.created or batch.dry_run or connection.vendor != "postgresql":
        return

    def queue() -> None:
        try:
            search_index_import.delay(batch.pk)
        except Exception:
            log.exception("import %s: search indexing not queued; the periodic catch-up will do it", batch.pk)

    transaction.on_commit(queue)


def _notify_done(batch: ImportBatch) -> None:
    from sdrcrm.accounts.services import notification_create

    if batch.created_by is None:
        return
    title = f"Import of {batch.filename} finished" + (" (dry run)" if batch.dry_run else "")
    body = f"{batch.created} created, {batch.updated} updated, {batch.duplicates} duplicates, {batch.failed} failed."
    notification_create(
        user=batch.created_by, kind="import_done", title=title, body=body, url=f"/imports/{batch.pk}/",
        dedupe_key=f"import-done:{batch.pk}",
    )  # fmt: skip
