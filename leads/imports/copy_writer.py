"""PostgreSQL: new leads of a chunk written set-wise. The reading thread has turned each row into a line of
COPY text; here the chunk is COPYed into a temporary staging table, the accounts it needs are created in
two INSERT … SELECT (by domain, then by name for rows without one), and the leads in one INSERT … SELECT
that joins their account and adds what every row shares … ON CONFLICT DO NOTHING, so a lead another
import created meanwhile is a duplicate, not an error. No model instance is built. Accounts are inserted in
domain order and leads in email order, so imports running at once wait for each other, never deadlock."""

import io
import json
from operator import itemgetter

from django.db import connection

from leads import search
from leads.models import Lead, LeadStage, LeadStatus

# The fields each row brings, in COPY order after its row number (the rest are shared by the chunk).
STAGED_FIELDS = (
    "first_name", "last_name", "email", "phone", "title", "company", "company_domain", "industry",
    "employee_count", "country", "timezone", "linkedin_url", "research_notes", "stage", "score", "grade",
    "score_explanation", "email_kind",
)  # fmt: skip
STAGE_TABLE = "leads_import_stage"
# Accounts: one per new domain (named by its first row), then one per new company name without a domain.
ACCOUNTS_BY_DOMAIN = f"""
    INSERT INTO leads_company (team_id, domain, name, industry, employee_count, country, created_at)
    SELECT DISTINCT ON (s.company_domain) %s, s.company_domain,
           left(coalesce(nullif(s.company, ''), s.company_domain), 200), s.industry, s.employee_count, s.country, %s
    FROM {STAGE_TABLE} s
    WHERE s.company_domain <> '' AND NOT EXISTS (
        SELECT 1 FROM leads_company c WHERE c.team_id = %s AND c.domain = s.company_domain AND c.domain <> '')
    ORDER BY s.company_domain, s.row_number
    ON CONFLICT (team_id, domain) WHERE NOT (domain = '') DO NOTHING
"""  # noqa: S608 - a constant name
ACCOUNTS_BY_NAME = f"""
    INSERT INTO leads_company (team_id, domain, name, industry, employee_count, country, created_at)
    SELECT DISTINCT ON (left(s.company, 200)) %s, '', left(s.company, 200), s.industry, s.employee_count, s.country, %s
    FROM {STAGE_TABLE} s
    WHERE s.company_domain = '' AND s.company <> '' AND NOT EXISTS (
        SELECT 1 FROM leads_company c WHERE c.team_id = %s AND c.domain = '' AND c.name = left(s.company, 200))
    ORDER BY left(s.company, 200), s.row_number
"""  # noqa: S608 - a constant name
_ESCAPED = ("\\", "\t", "\n", "\r")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: str) -> str:
    """A text cell of COPY's text format (most cells need no escaping: checked first, it is cheaper)."""
    for character in _ESCAPED:
        if character in value:
            return value.translate(_COPY_ESCAPES)
    return value


def copy_json(value) -> str:
    return copy_text(json.dumps(value, ensure_ascii=False))


_STAGED_VALUES = itemgetter(*STAGED_FIELDS)
_EXPLANATION_AT = STAGED_FIELDS.index("score_explanation")


def copy_line(number: int, lead: dict, explanation_text: str) -> bytes:
    """One staged row: its row number, then STAGED_FIELDS (the explanation already as COPY text), in UTF-8:
    a chunk waiting to be written holds bytes, not wider strings. Most rows have no text to escape, which is
    checked once on the joined cells: no tab but the separators, no backslash but those of the NULLs (\\N),
    no line break; a row that has one is escaped cell by cell."""
    values = list(_STAGED_VALUES(lead))
    values[_EXPLANATION_AT] = ""  # already COPY text
    cells = [value if isinstance(value, str) else "\\N" if value is None else str(value) for value in values]
    joined = "\t".join(cells)
    if (
        joined.count("\t") != len(cells) - 1
        or joined.count("\\") != values.count(None)
        or "\n" in joined
        or "\r" in joined
    ):
        return _copy_line_escaped(number, lead, explanation_text)
    cells[_EXPLANATION_AT] = explanation_text
    return (str(number) + "\t" + "\t".join(cells) + "\n").encode()


def _copy_line_escaped(number: int, lead: dict, explanation_text: str) -> bytes:
    cells = [str(number)]
    for name in STAGED_FIELDS:
        value = lead[name]
        if name == "score_explanation":
            cells.append(explanation_text)
        elif value is None:
            cells.append("\\N")
        elif isinstance(value, str):
            cells.append(copy_text(value))
        else:
            cells.append(str(value))
    return ("\t".join(cells) + "\n").encode()


def _shared_columns(*, batch, now) -> dict:
    """Column → value for every lead column the rows do not bring: the batch's, then the model's defaults."""
    shared = {
        "team_id": batch.team_id,
        "owner_id": batch.owner_id,
        "source": batch.source,
        "status": LeadStatus.NEW,
        "import_batch_id": batch.pk,
        "created_at": now,
        "updated_at": now,
    }
    for field in Lead._meta.concrete_fields:
        if field.primary_key or field.attname in STAGED_FIELDS or field.attname in shared:
            continue
        if field.attname in ("account_id", "mql_at"):
            continue  # computed in the INSERT
        default = field.get_default()
        shared[field.attname] = json.dumps(default) if isinstance(default, (list, dict)) else default
    return shared


def leads_insert_staged(lines: list[bytes], *, batch, now, named_accounts: bool = True) -> int:
    """Writes the staged lines' accounts and leads; returns how many leads were inserted. `named_accounts`:
    whether some line has a company name but no domain (else that statement is skipped)."""
    staged = ", ".join(f'"{Lead._meta.get_field(name).column}"' for name in STAGED_FIELDS)
    shared = _shared_columns(batch=batch, now=now)
    shared_columns = ", ".join(f'"{Lead._meta.get_field(name).column}"' for name in shared)
    staged_select = ", ".join(f's."{Lead._meta.get_field(name).column}"' for name in STAGED_FIELDS)
    shared_params = ", ".join("%s" for _name in shared)
    team = batch.team_id
    with connection.cursor() as cursor:
        if (
            len(connection.atomic_blocks) > 1
        ):  # inside a longer transaction: the last chunk's table is still there
            cursor.execute(f"DROP TABLE IF EXISTS {STAGE_TABLE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGE_TABLE} ON COMMIT DROP AS "  # noqa: S608 - names from the model
            f"SELECT 0::integer AS row_number, {staged} FROM leads_lead WITH NO DATA"
        )
        data = b"".join(lines)
        # Read by the driver in one piece: each read takes the GIL back from the reading thread.
        cursor.cursor.copy_expert(
            f"COPY {STAGE_TABLE} (row_number, {staged}) FROM STDIN",
            io.BytesIO(data),
            size=max(len(data), 8192),
        )
        cursor.execute(ACCOUNTS_BY_DOMAIN, [team, now, team])
        if named_accounts:
            cursor.execute(ACCOUNTS_BY_NAME, [team, now, team])
        with search.deferred():  # the import indexes its leads for search when it is done
            cursor.execute(
                f"""
            INSERT INTO leads_lead ({staged}, {shared_columns}, account_id, mql_at)
            SELECT {staged_select}, {shared_params},
                   CASE WHEN s.company_domain <> '' THEN (
                       SELECT c.id FROM leads_company c
                       WHERE c.team_id = %s AND c.domain = s.company_domain AND c.domain <> '')
                   WHEN s.company <> '' THEN (
                       SELECT c.id FROM leads_company c
                       WHERE c.team_id = %s AND c.domain = '' AND c.name = left(s.company, 200)
                       ORDER BY c.id LIMIT 1)
                   END,
                   CASE WHEN s.stage = %s THEN %s::timestamptz END
            FROM {STAGE_TABLE} s
            ORDER BY s.email
            ON CONFLICT DO NOTHING
            """,  # noqa: S608 - names from the model
                [*shared.values(), team, team, LeadStage.MQL, now],
            )
            return cursor.rowcount
