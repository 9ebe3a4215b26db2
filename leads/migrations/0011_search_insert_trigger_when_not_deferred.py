"""An import's new leads no longer reach the search trigger at all: the insert trigger gets a WHEN clause
that reads the import's deferral setting, so PostgreSQL neither queues an event nor calls the function
for those rows (it did both, and the function returned at once). About a tenth of the lead INSERT's
time on the 1M set. The function keeps its own check for any other caller."""

from django.db import migrations

RECREATE = """
DROP TRIGGER IF EXISTS leads_lead_search_insert ON leads_lead;
CREATE TRIGGER leads_lead_search_insert AFTER INSERT ON leads_lead
    FOR EACH ROW {when}EXECUTE FUNCTION leads_lead_search_sync();
"""
WHEN_NOT_DEFERRED = "WHEN (current_setting('sdrcrm.search_deferred', true) IS DISTINCT FROM 'on') "


def skip_deferred_rows(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RECREATE.format(when=WHEN_NOT_DEFERRED))


def call_for_every_row(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RECREATE.format(when=""))


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0010_activity_composite_indexes_only"),
    ]

    operations = [
        migrations.RunPython(skip_deferred_rows, call_for_every_row, elidable=False),
    ]
