"""Schema changes that keep big tables writable."""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db.migrations.operations import AddIndex


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
