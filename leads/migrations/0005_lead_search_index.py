"""The lead search (`q=`) reads a trigram GIN index on PostgreSQL, built without locking the table.

Replaced by the side table of 0007 (leads.search).
It is created here rather than in `Lead.Meta.indexes` so that it can be PostgreSQL-only: on SQLite
the same search runs as a plain scan.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "lead_search_trgm_idx"
SEARCH_TEXT = """LOWER("first_name" || ' ' || "last_name" || ' ' || "email" || ' ' || "company")"""


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON leads_lead USING gin ({SEARCH_TEXT} gin_trgm_ops)"
        )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False  # the index is built concurrently on PostgreSQL

    dependencies = [
        ("leads", "0004_funnel_indexes"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_search_index, drop_search_index, elidable=False),
    ]
