"""CSV imports of leads (API.md, "Imports"): the upload, the run, the dry run, the revert.

Invariants: a run reads its file as a stream, CHUNK rows at a time, so memory stays flat whatever
the file's size; per chunk it validates in Python, dedupes against the team's emails in one query,
and writes in bulk (PostgreSQL: COPY into a staging table, then one INSERT … ON CONFLICT DO
NOTHING; elsewhere bulk_create) — never a query per row. Each chunk commits on its own, so
progress shows while it runs. An email already in the team, or earlier in the same file, is a
duplicate, so importing a file twice creates nothing the second time. A dry run writes no lead.
`update_existing` fills and changes matching leads but never erases a value with a blank cell.
Every created lead keeps its batch (and source); updated rows keep what they replaced, so a
revert can delete the untouched leads it created and restore what it changed.
"""

import codecs
import csv
import io
import json
import re
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from leads.models import (
    Activity,
    ActivityKind,
    Company,
    EmailKind,
    IcpProfile,
    ImportBatch,
    ImportRow,
    ImportStatus,
    Lead,
    LeadSource,
    LeadStage,
    LeadStatus,
    RowAction,
)
from leads.normalise import (
    FieldError,
    clean_country,
    clean_domain,
    clean_email,
    clean_employee_count,
    clean_linkedin,
    clean_phone,
    clean_text,
    clean_timezone,
    email_domain,
    email_kind_for,
    timezone_for_country,
)
from leads.scoring import SCORED_FIELDS, Profile, score_lead
from sdrcrm.accounts.models import Role, Team
from sdrcrm.core.errors import NotAllowed, ValidationFailed

CHUNK = 2000
SCORE_CACHE_SIZE = 2000  # distinct (industry, size, country, title) scorings kept per run: memory stays flat
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
SNIFF_BYTES = 64 * 1024

IMPORTABLE_FIELDS = (
    "first_name", "last_name", "full_name", "email", "phone", "title", "company", "company_domain",
    "industry", "employee_count", "country", "timezone", "linkedin_url", "research_notes",
)  # fmt: skip
UPDATABLE_FIELDS = tuple(f for f in IMPORTABLE_FIELDS if f not in ("full_name", "email"))

# Normalised header (lower case, letters and digits only) → lead field.
HEADER_ALIASES = {
    "firstname": "first_name", "first": "first_name", "givenname": "first_name", "forename": "first_name",
    "vorname": "first_name", "eesnimi": "first_name", "имя": "first_name", "名": "first_name", "이름": "first_name",
    "lastname": "last_name", "last": "last_name", "surname": "last_name", "familyname": "last_name",
    "nachname": "last_name", "perekonnanimi": "last_name", "фамилия": "last_name", "姓": "last_name", "성": "last_name",
    "name": "full_name", "fullname": "full_name", "contactname": "full_name", "contact": "full_name",
    "email": "email", "emailaddress": "email", "mail": "email", "workemail": "email", "businessemail": "email",
    "epost": "email", "почта": "email", "邮箱": "email", "이메일": "email",
    "phone": "phone", "phonenumber": "phone", "telephone": "phone", "tel": "phone", "mobile": "phone",
    "mobilephone": "phone", "workphone": "phone", "directphone": "phone", "телефон": "phone", "电话": "phone",
    "전화": "phone", "전화번호": "phone",
    "title": "title", "jobtitle": "title", "position": "title", "role": "title", "ametikoht": "title",
    "должность": "title", "职位": "title", "직함": "title",
    "company": "company", "companyname": "company", "organization": "company", "organisation": "company",
    "account": "company", "accountname": "company", "employer": "company", "ettevõte": "company",
    "компания": "company", "公司": "company", "회사": "company",
    "website": "company_domain", "domain": "company_domain", "companydomain": "company_domain",
    "companywebsite": "company_domain", "url": "company_domain", "web": "company_domain",
    "industry": "industry", "sector": "industry", "vertical": "industry", "отрасль": "industry", "行业": "industry",
    "employees": "employee_count", "employeecount": "employee_count", "numberofemployees": "employee_count",
    "companysize": "employee_count", "headcount": "employee_count", "size": "employee_count",
    "country": "country", "countrycode": "country", "страна": "country", "国家": "country", "국가": "country",
    "timezone": "timezone", "tz": "timezone",
    "linkedin": "linkedin_url", "linkedinurl": "linkedin_url", "linkedinprofile": "linkedin_url",
    "linkedinprofileurl": "linkedin_url", "personlinkedinurl": "linkedin_url",
    "notes": "research_notes", "note": "research_notes", "researchnotes": "research_notes",
}  # fmt: skip


def _normalise_header(header: str) -> str:
    return re.sub(r"[\W_]+", "", (header or "").strip().casefold())


def max_bytes() -> int:
    return getattr(settings, "LEADS_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


# --- Reading: encoding, delimiter, header ---------------------------------------------------------------


def detect_encoding(stream) -> str:
    """utf-8-sig | utf-16 | utf-8 | cp1252, from the BOM, NUL bytes, or a strict UTF-8 pass (streamed)."""
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif head and head.count(b"\x00") > len(head) // 4:
        encoding = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
    else:
        decoder = codecs.getincrementaldecoder("utf-8")()
        encoding = "utf-8"
        try:
            block = head
            while block:
                decoder.decode(block)
                block = stream.read(1024 * 1024)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            encoding = "cp1252"
    stream.seek(0)
    return encoding


def open_text(stream, encoding: str) -> io.TextIOWrapper:
    stream.seek(0)
    return io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")


def sniff_delimiter(sample: str) -> str:
    first_line = sample.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(sample[:8192], delimiters=",;\t").delimiter
    except csv.Error:
        counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
        return max(counts, key=counts.get) if any(counts.values()) else ","


@dataclass
class FileShape:
    encoding: str
    delimiter: str
    columns: list[str]
    sample_rows: list[list[str]] = field(default_factory=list)


def read_shape(stream, *, sample_rows: int = 5) -> FileShape:
    """Encoding, delimiter, header and the first rows of an uploaded file, without reading all of it."""
    encoding = detect_encoding(stream)
    text = open_text(stream, encoding)
    try:
        sample = text.read(SNIFF_BYTES)
    finally:
        text.detach()
    if not sample.strip():
        raise ValidationFailed("The file is empty.", field="file")
    if "\x00" in sample:
        raise ValidationFailed("This is not a text (CSV) file.", field="file")
    delimiter = sniff_delimiter(sample)
    reader = csv.reader(io.StringIO(sample), delimiter=delimiter)
    try:
        columns = [column.strip() for column in next(reader)]
    except (StopIteration, csv.Error) as error:
        raise ValidationFailed("The file has no header row.", field="file") from error
    rows = []
    for row in reader:
        if len(rows) >= sample_rows:
            break
        if any(cell.strip() for cell in row):
            rows.append(row)
    if not rows and len(sample) < SNIFF_BYTES:
        raise ValidationFailed("The file has a header but no rows.", field="file")
    stream.seek(0)
    return FileShape(encoding=encoding, delimiter=delimiter, columns=columns, sample_rows=rows)


def auto_mapping(columns: list[str]) -> dict[str, str]:
    """Header → field for the headers we recognise; each field taken by its first column only."""
    mapping, taken = {}, set()
    for column in columns:
        target = HEADER_ALIASES.get(_normalise_header(column))
        if target and target not in taken:
            mapping[column] = target
            taken.add(target)
    return mapping


def resolve_mapping(columns: list[str], explicit: dict | None) -> dict[str, str]:
    """The mapping a run uses: the explicit one (checked) or the automatic one. Needs an email column."""
    if explicit:
        if not isinstance(explicit, dict):
            raise ValidationFailed("The mapping is a JSON object: CSV header → lead field.", field="mapping")
        mapping = {}
        for column, target in explicit.items():
            if not target:
                continue
            if column not in columns:
                raise ValidationFailed(f"The file has no column “{column}”.", field="mapping")
            if target not in IMPORTABLE_FIELDS:
                raise ValidationFailed(
                    f"“{target}” is not a field you can import; use one of {', '.join(IMPORTABLE_FIELDS)}.",
                    field="mapping",
                )
            if target in mapping.values():
                raise ValidationFailed(f"Two columns map to {target}.", field="mapping")
            mapping[column] = target
    else:
        mapping = auto_mapping(columns)
    if "email" not in mapping.values():
        raise ValidationFailed(
            "No column holds the email (it is how duplicates are found): map one to “email”.", field="mapping"
        )
    return mapping


# --- The upload -----------------------------------------------------------------------------------------


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


# --- The run --------------------------------------------------------------------------------------------


@dataclass
class ParsedRow:
    number: int
    raw: list[str]
    values: dict
    errors: list[dict]
    email: str = ""


def _clean_cell(target: str, value: str, values: dict) -> None:
    if target == "email":
        values["email"] = clean_email(value)
    elif target == "country":
        values["country"] = clean_country(value)
    elif target == "timezone":
        values["timezone"] = clean_timezone(value)
    elif target == "employee_count":
        values["employee_count"] = clean_employee_count(value)
    elif target == "linkedin_url":
        values["linkedin_url"] = clean_linkedin(value)
    elif target == "company_domain":
        values["company_domain"] = clean_domain(value)
    elif target == "phone":
        values["phone"] = value  # cleaned after the country is known
    elif target == "full_name":
        first, _, last = value.strip().partition(" ")
        values.setdefault("first_name", clean_text("first_name", first))
        values.setdefault("last_name", clean_text("last_name", last.strip()))
    elif target == "research_notes":
        values["research_notes"] = value.strip()[:10_000]
    else:
        values[target] = clean_text(target, value)


def parse_row(number: int, raw: list[str], columns: list[tuple[int, str]]) -> ParsedRow:
    """Cleans one CSV row. Blank cells are left out of `values` (a blank never erases data)."""
    values: dict = {}
    errors: list[dict] = []
    for index, target in columns:
        cell = raw[index].strip() if index < len(raw) else ""
        if not cell:
            continue
        try:
            _clean_cell(target, cell, values)
        except FieldError as error:
            errors.append({"row": number, "field": error.field, "message": error.message})
    if "phone" in values:
        try:
            values["phone"], zone = clean_phone(values["phone"], country=values.get("country", ""))
            if zone and "timezone" not in values:
                values["_zone"] = zone
        except FieldError as error:
            errors.append({"row": number, "field": "phone", "message": error.message})
            values.pop("phone")
    if not values.get("email") and not any(e["field"] == "email" for e in errors):
        errors.append({"row": number, "field": "email", "message": "An email is required to import a lead."})
    return ParsedRow(number=number, raw=raw, values=values, errors=errors, email=values.get("email", ""))


def _rows(batch: ImportBatch):
    """(1-based data row number, cells) for every non-blank row, streamed from the stored file."""
    with batch.file.open("rb") as stream:
        text = open_text(stream, batch.encoding or detect_encoding(stream))
        reader = csv.reader(text, delimiter=batch.delimiter or ",")
        try:
            next(reader)
        except StopIteration:
            return
        number = 0
        for raw in reader:
            if not any(cell.strip() for cell in raw):
                continue
            number += 1
            yield number, raw


def _count_rows(batch: ImportBatch) -> int:
    newline = b"\n\x00" if batch.encoding.startswith("utf-16") else b"\n"
    lines = 0
    with batch.file.open("rb") as stream:
        while block := stream.read(1024 * 1024):
            lines += block.count(newline)
    return max(lines - 1, 0)


LEAD_INSERT_COLUMNS = None


def _insert_columns() -> list:
    global LEAD_INSERT_COLUMNS
    if LEAD_INSERT_COLUMNS is None:
        LEAD_INSERT_COLUMNS = [f for f in Lead._meta.concrete_fields if not f.primary_key]
    return LEAD_INSERT_COLUMNS


class _Run:
    """The state of one import run: counters, the emails seen so far, the team's profile."""

    def __init__(self, batch: ImportBatch):
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
        self.mapped_fields = {target for _index, target in self.columns}
        self._scores: dict = {}

    def score(self, values: dict) -> tuple[int, str, list]:
        """score_lead, remembered per distinct (industry, size, country, title): lists repeat them a lot."""
        key = tuple(values.get(f) for f in SCORED_FIELDS)
        found = self._scores.get(key)
        if found is None:
            found = score_lead(self.profile, **dict(zip(SCORED_FIELDS, key, strict=True)))
            if len(self._scores) < SCORE_CACHE_SIZE:
                self._scores[key] = found
        return found

    # One chunk: classify, then write (unless a dry run).
    def process(self, chunk: list[ParsedRow]) -> None:
        batch = self.batch
        valid = [row for row in chunk if not row.errors]
        existing = self._existing({row.email for row in valid})
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

    def _lead_values(self, row: ParsedRow, now, company_ids: dict) -> dict:
        values = {k: v for k, v in row.values.items() if not k.startswith("_") and k != "full_name"}
        email = values["email"]
        kind = email_kind_for(email)
        domain = values.get("company_domain") or (email_domain(email) if kind == EmailKind.CORPORATE else "")
        score, grade, explanation = self.score(values)
        is_mql = self.profile is not None and score >= self.threshold
        values.update(
            team_id=self.team.pk,
            owner_id=self.batch.owner_id,
            account_id=company_ids.get(domain)
            or company_ids.get(("name", (values.get("company") or "").casefold())),
            company_domain=domain,
            timezone=values.get("timezone")
            or row.values.get("_zone")
            or timezone_for_country(values.get("country")),
            source=self.batch.source,
            status=LeadStatus.NEW,
            stage=LeadStage.MQL if is_mql else LeadStage.LEAD,
            score=score,
            grade=grade,
            score_explanation=explanation,
            email_kind=kind,
            import_batch_id=self.batch.pk,
            created_at=now,
            updated_at=now,
            mql_at=now if is_mql else None,
        )
        return values

    def _companies(self, rows: list[ParsedRow]) -> dict:
        """Finds or creates the accounts of the rows to create, set-wise: domain → id, ("name", name) → id."""
        by_domain, by_name = {}, {}
        for row in rows:
            values = row.values
            domain = values.get("company_domain")
            if not domain and email_kind_for(row.email) == EmailKind.CORPORATE:
                domain = email_domain(row.email)
            if domain:
                by_domain.setdefault(domain, values)
            elif values.get("company"):
                by_name.setdefault(values["company"].casefold(), values)
        ids = {}
        if by_domain:
            known = dict(
                Company.objects.filter(team=self.team, domain__in=by_domain)
                .exclude(domain="")
                .values_list("domain", "pk")
            )
            missing = [
                Company(
                    team=self.team, domain=domain, name=(values.get("company") or domain)[:200],
                    industry=values.get("industry", ""), employee_count=values.get("employee_count"),
                    country=values.get("country", ""),
                )
                for domain, values in by_domain.items()
                if domain not in known
            ]  # fmt: skip
            if missing:
                Company.objects.bulk_create(missing, ignore_conflicts=True)
                known = dict(
                    Company.objects.filter(team=self.team, domain__in=by_domain)
                    .exclude(domain="")
                    .values_list("domain", "pk")
                )
            ids.update(known)
        if by_name:
            known = {
                name.casefold(): pk
                for name, pk in Company.objects.filter(team=self.team, domain="", name__in=[
                    v["company"] for v in by_name.values()
                ]).values_list("name", "pk")
            }  # fmt: skip
            missing = [
                Company(team=self.team, name=values["company"][:200], industry=values.get("industry", ""),
                        employee_count=values.get("employee_count"), country=values.get("country", ""))
                for name, values in by_name.items()
                if name not in known
            ]  # fmt: skip
            for company in Company.objects.bulk_create(missing):
                if company.pk:
                    known[company.name.casefold()] = company.pk
            if any(company.pk is None for company in missing):
                known.update(
                    (name.casefold(), pk)
                    for name, pk in Company.objects.filter(team=self.team, domain="").filter(
                        name__in=[c.name for c in missing]
                    ).values_list("name", "pk")
                )  # fmt: skip
            ids.update({("name", name): pk for name, pk in known.items()})
        return ids

    def _create(self, rows: list[ParsedRow]) -> int:
        now = timezone.now()
        company_ids = self._companies(rows)
        values = [self._lead_values(row, now, company_ids) for row in rows]
        if connection.vendor == "postgresql" and hasattr(connection.connection, "cursor"):
            shared = (
                "team_id",
                "owner_id",
                "source",
                "status",
                "import_batch_id",
                "created_at",
                "updated_at",
            )
            try:
                return _copy_insert(values, {name: values[0][name] for name in shared})
            except _CopyUnavailable:
                pass
        leads = [Lead(**value) for value in values]
        created = Lead.objects.bulk_create(leads, batch_size=500, ignore_conflicts=True)
        if connection.vendor == "sqlite" or not created or created[0].pk is None:
            return Lead.objects.filter(
                import_batch_id=self.batch.pk, email__in=[v["email"] for v in values]
            ).count()
        return len(created)

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


class _CopyUnavailable(Exception):
    pass


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    elif hasattr(value, "isoformat"):
        value = value.isoformat()
    else:
        value = str(value)
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_insert(values: list[dict], constants: dict) -> int:
    """PostgreSQL: COPY the columns that differ per row into a temporary staging table, then one
    INSERT … SELECT that adds the columns every row shares (as parameters) … ON CONFLICT DO NOTHING:
    a lead another request created meanwhile is a duplicate, not an error. Returns how many were inserted."""
    fields = {f.attname: f for f in _insert_columns()}
    varying = sorted({key for value in values for key in value} - set(constants))
    shared = {
        name: constants.get(name, field.get_default())
        for name, field in fields.items()
        if name not in varying
    }
    defaults = {name: fields[name].get_default() for name in varying}
    buffer = io.StringIO()
    write = buffer.write
    json_texts: dict[int, str] = {}  # explanations are shared between rows scored alike (see _Run.score)
    for value in values:
        cells = []
        for name in varying:
            item = value.get(name, defaults[name])
            if item is None:
                cells.append("\\N")
            elif isinstance(item, str):
                cells.append(item.translate(_COPY_ESCAPES))
            elif isinstance(item, list):
                text = json_texts.get(id(item))
                if text is None:
                    text = json_texts[id(item)] = json.dumps(item, ensure_ascii=False).translate(
                        _COPY_ESCAPES
                    )
                cells.append(text)
            else:
                cells.append(_copy_text(item))
        write("\t".join(cells))
        write("\n")
    buffer.seek(0)
    table = Lead._meta.db_table
    staged = ", ".join(f'"{fields[name].column}"' for name in varying)
    target = ", ".join([staged, *(f'"{fields[name].column}"' for name in shared)])
    placeholders = ", ".join([staged, *("%s" for _name in shared)])
    params = [json.dumps(value) if isinstance(value, (list, dict)) else value for value in shared.values()]
    with connection.cursor() as cursor:
        if not hasattr(cursor.cursor, "copy_expert"):
            raise _CopyUnavailable
        cursor.execute("DROP TABLE IF EXISTS leads_import_stage")
        cursor.execute(
            f'CREATE TEMPORARY TABLE leads_import_stage ON COMMIT DROP AS SELECT {staged} FROM "{table}" WITH NO DATA'  # noqa: S608 - names from the model
        )
        cursor.cursor.copy_expert(f"COPY leads_import_stage ({staged}) FROM STDIN", buffer)
        cursor.execute(
            f'INSERT INTO "{table}" ({target}) SELECT {placeholders} FROM leads_import_stage ON CONFLICT DO NOTHING',  # noqa: S608 - names from the model
            params,
        )
        inserted = cursor.rowcount
    return inserted


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
        batch.total_rows = _count_rows(batch)
        fields = ["status", "started_at", "total_rows"]
        if resumed:  # start the counts again; rows already written are recognised by their batch
            batch.created = batch.updated = batch.duplicates = batch.failed = batch.processed_rows = 0
            fields += ["created", "updated", "duplicates", "failed", "processed_rows"]
            ImportRow.objects.filter(batch=batch).exclude(action=RowAction.UPDATE).delete()
        batch.save(update_fields=fields)
    run = _Run(batch)
    try:
        chunk: list[ParsedRow] = []
        for number, raw in _rows(batch):
            chunk.append(parse_row(number, raw, run.columns))
            if len(chunk) >= CHUNK:
                run.process(chunk)
                chunk = []
        if chunk:
            run.process(chunk)
    except Exception as error:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED,
            finished_at=timezone.now(),
            message=f"The import stopped: {error}"[:2000],
        )
        raise
    batch.status = ImportStatus.DONE
    batch.total_rows = batch.processed_rows
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "total_rows", "finished_at"])
    _notify_done(batch)
    return batch


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


# --- Revert ---------------------------------------------------------------------------------------------


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
        profile_icp = IcpProfile.objects.filter(team_id=lead.team_id, is_active=True).first()
        profile = Profile.from_model(profile_icp) if profile_icp else None
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
