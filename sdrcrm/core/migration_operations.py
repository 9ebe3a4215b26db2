"""Schema changes that keep big tables writable."""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db.migrations.operations import AddIndex, RunPython


class AddIndexOnline(AddIndex):
    """AddIndex that builds CONCURRENTLY on PostgreSQL, so a million-row table keeps taking writes.
    The migration using it must set `atomic = False`. Elsewhere (SQLite) it is a plain AddIndex."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            operation = AddIndexConcurrently(self.model_name, self.index)
            return operation.database_forwards(app_label, schema_editor, from_state, to_state)
        return super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            operation = RemoveIndexConcurrently(self.model_name, self.index.name)
            return operation.database_forwards(app_label, schema_editor, from_state, to_state)
        return super().database_backwards(app_label, schema_editor, from_state, to_state)


def drop_indexes_online(*indexes: tuple[str, str, str]) -> RunPython:
    """Drops single-column indexes, given as (index name, table, column), without blocking writes:
    CONCURRENTLY on PostgreSQL; reversed by building them again the same way. For a field whose
    `db_index` goes False: pair it with the state-only AlterField (SeparateDatabaseAndState), since
    Django's own AlterField also drops and re-validates the field's foreign key, locking both tables.
    The migration using it must set `atomic = False`."""

    def run(schema_editor, sql: str) -> None:
        online = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
        for name, table, column in indexes:
            schema_editor.execute(sql.format(online=online, name=name, table=table, column=column))

    def drop(apps, schema_editor):
        run(schema_editor, "DROP INDEX{online} IF EXISTS {name}")

    def build(apps, schema_editor):
        run(schema_editor, "CREATE INDEX{online} IF NOT EXISTS {name} ON {table} ({column})")

    return RunPython(drop, build, elidable=False)
