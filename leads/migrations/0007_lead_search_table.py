"""The lead search moves from a trigram index on `leads_lead` to a side table kept by triggers (leads.search).

Why: the trigram entries of each new lead were more than half the cost of writing it, so a CSV import
paid for search on every row it wrote. With the text in `leads_lead_search`, an import defers it and
indexes its leads in one statement when done; every other write path is covered by the triggers.

PostgreSQL only (SQLite searches the leads directly). One transaction: the table, its triggers, then the
existing leads copied in, so no write made meanwhile is missed; then the old index goes.
"""

from django.db import migrations

TABLE = "leads_lead_search"
TEXT = "LOWER({row}first_name || ' ' || {row}last_name || ' ' || {row}email || ' ' || {row}company)"

CREATE = f"""
CREATE TABLE {TABLE} (lead_id bigint PRIMARY KEY, text text NOT NULL);

CREATE FUNCTION leads_lead_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM {TABLE} WHERE lead_id = OLD.id;
        RETURN NULL;
    END IF;
    IF current_setting('sdrcrm.search_deferred', true) = 'on' THEN
        RETURN NULL;  -- an import's new leads: indexed together when it is done
    END IF;
    INSERT INTO {TABLE} (lead_id, text) VALUES (NEW.id, {TEXT.format(row="NEW.")})
    ON CONFLICT (lead_id) DO UPDATE SET text = EXCLUDED.text;
    RETURN NULL;
END
$$;

CREATE TRIGGER leads_lead_search_insert AFTER INSERT ON leads_lead
    FOR EACH ROW EXECUTE FUNCTION leads_lead_search_sync();
CREATE TRIGGER leads_lead_search_update AFTER UPDATE OF first_name, last_name, email, company ON leads_lead
    FOR EACH ROW WHEN (
        OLD.first_name IS DISTINCT FROM NEW.first_name OR OLD.last_name IS DISTINCT FROM NEW.last_name
        OR OLD.email IS DISTINCT FROM NEW.email OR OLD.company IS DISTINCT FROM NEW.company
    ) EXECUTE FUNCTION leads_lead_search_sync();
CREATE TRIGGER leads_lead_search_delete AFTER DELETE ON leads_lead
    FOR EACH ROW EXECUTE FUNCTION leads_lead_search_sync();

INSERT INTO {TABLE} (lead_id, text) SELECT id, {TEXT.format(row="")} FROM leads_lead
    ON CONFLICT (lead_id) DO NOTHING;
CREATE INDEX lead_search_text_trgm_idx ON {TABLE} USING gin (text gin_trgm_ops);
DROP INDEX IF EXISTS lead_search_trgm_idx;
"""

DROP = f"""
DROP TRIGGER IF EXISTS leads_lead_search_insert ON leads_lead;
DROP TRIGGER IF EXISTS leads_lead_search_update ON leads_lead;
DROP TRIGGER IF EXISTS leads_lead_search_delete ON leads_lead;
DROP FUNCTION IF EXISTS leads_lead_search_sync();
DROP TABLE IF EXISTS {TABLE};
CREATE INDEX IF NOT EXISTS lead_search_trgm_idx ON leads_lead USING gin ({TEXT.format(row="")} gin_trgm_ops);
"""


def create_search_table(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_search_table(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0006_lead_status_recent_index"),
    ]

    operations = [
        migrations.RunPython(create_search_table, drop_search_table, elidable=False),
    ]
