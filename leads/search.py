"""The lead search (`q=`): every word of the query in a lead's name, email or company, case-insensitively.

On PostgreSQL the searched text lives in a side table, `leads_lead_search` (lead id → the lowered text),
with a trigram GIN index; triggers on `leads_lead` keep it in step with every insert, update and delete,
whatever writes them (services, bulk updates, erasure). A CSV import writes its new leads with the
trigger turned off for that statement (`deferred()`) and indexes them in one set-wise statement when it
has finished (`index_import`), so a 100,000-row file does not pay a trigram index entry per row while
it is written; its leads show in searches a few seconds after the import is done. `catch_up` is the
safety net for an import whose indexing never ran. Migration 0007 creates the table and its triggers.

On SQLite the search reads the leads themselves (no index; lists are small there).
"""

import contextlib

from django.db import connection, transaction
from django.db.models import F, Func, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower

SEARCH_TABLE = "leads_lead_search"
DEFER_SETTING = "sdrcrm.search_deferred"
# The indexed text; the triggers of migration 0007 compute the same expression from NEW.
SEARCH_TEXT_SQL = """LOWER("first_name" || ' ' || "last_name" || ' ' || "email" || ' ' || "company")"""
MAX_WORDS = 5
CATCH_UP_BATCH = 50_000


class LeadSearchText(Func):
    """The same text as SEARCH_TEXT_SQL, for SQLite, which searches the leads directly."""

    template = "LOWER(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = TextField()

    def __init__(self):
        super().__init__(F("first_name"), F("last_name"), F("email"), F("company"))


def _like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matching(leads, query: str):
    """`leads` narrowed to those whose text contains every word of `query` (up to MAX_WORDS)."""
    words = query.split()[:MAX_WORDS]
    if not words:
        return leads
    if connection.vendor == "postgresql":
        # Lowered by the database, like the text, so every alphabet folds the same way.
        where = " AND ".join("text LIKE lower(%s)" for _word in words)
        patterns = [_like_pattern(word) for word in words]
        found = RawSQL(f"SELECT lead_id FROM {SEARCH_TABLE} WHERE {where}", patterns)  # noqa: S608, S611 - words are parameters
        return leads.filter(pk__in=found)
    leads = leads.alias(search_text=LeadSearchText())
    for word in words:
        leads = leads.filter(search_text__contains=Lower(Value(word)))
    return leads


@contextlib.contextmanager
def deferred():
    """Inside a transaction: leads inserted meanwhile are not indexed by the trigger (see `index_import`).
    The setting is the transaction's own: on an error its rollback undoes it (a reset here would fail in
    the aborted transaction and hide the error), on success it is turned off for the statements after."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'on', true)", [DEFER_SETTING])
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'off', true)", [DEFER_SETTING])


def _index(where: str, params: list) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {SEARCH_TABLE} (lead_id, text) "  # noqa: S608 - constant names
            f"SELECT id, {SEARCH_TEXT_SQL} FROM leads_lead WHERE {where} "
            "ON CONFLICT (lead_id) DO UPDATE SET text = EXCLUDED.text",
            params,
        )
        return cursor.rowcount


def index_import(batch_id: int) -> int:
    """Indexes the leads an import created (their trigger was deferred); returns how many rows."""
    if connection.vendor != "postgresql":
        return 0
    return _index("import_batch_id = %s", [batch_id])


def catch_up(limit: int = CATCH_UP_BATCH) -> int:
    """Indexes up to `limit` leads that have no search row (an import whose indexing did not run)."""
    if connection.vendor != "postgresql":
        return 0
    return _index(
        f"id IN (SELECT l.id FROM leads_lead l WHERE NOT EXISTS "  # noqa: S608 - constant names
        f"(SELECT 1 FROM {SEARCH_TABLE} s WHERE s.lead_id = l.id) LIMIT %s)",
        [limit],
    )
