"""The lead list filtered by status, newest first (its default order), reads one index range on
PostgreSQL instead of walking every newer lead of the team: after an import of fresh `new` leads,
`?status=working` otherwise skips them one by one.

Created here rather than in `Lead.Meta.indexes` for the same reason as 0005: PostgreSQL-only and
built concurrently, so a million-lead table keeps taking writes.
"""

from django.db import migrations

INDEX = "lead_team_status_recent_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} "
            "ON leads_lead (team_id, status, created_at DESC, id DESC)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False  # the index is built concurrently on PostgreSQL

    dependencies = [
        ("leads", "0005_lead_search_index"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
