"""CSV imports of leads (API.md, "Imports"): the upload, the run, the dry run, the revert.

Invariants: a run reads its file as a stream, CHUNK rows at a time, so memory stays flat whatever
the file's size; a reading thread parses, cleans and scores the next chunk while the current one is
written. Per chunk: one query dedupes against the team's emails, then the writes are set-wise
(PostgreSQL: COPY into a staging table, accounts and leads merged by INSERT … SELECT … ON CONFLICT
DO NOTHING; elsewhere bulk_create) — never a query per row. Each chunk commits on its own, so
progress shows while it runs. An email already in the team, or earlier in the same file, is a
duplicate, so importing a file twice creates nothing the second time. A dry run writes no lead.
`update_existing` fills and changes matching leads but never erases a value with a blank cell.
Every created lead keeps its batch (and source); updated rows keep what they replaced, so a
revert can delete the untouched leads it created and restore what it changed.

Modules: `reading` (encoding, delimiter, header mapping), `upload` (checks, stores, queues),
`rows` (streamed parsing and cleaning), `prepare` (a new lead's fields and score), `run` (classify
and write), `copy_writer` (the PostgreSQL staging merge), `revert`.
"""

from leads.imports.reading import (
    HEADER_ALIASES,
    IMPORTABLE_FIELDS,
    FileShape,
    auto_mapping,
    detect_encoding,
    max_bytes,
    read_shape,
    resolve_mapping,
)
from leads.imports.revert import import_batch_revert
from leads.imports.rows import ParsedRow, parse_row
from leads.imports.run import CHUNK, UPDATABLE_FIELDS, _Run, import_batch_run
from leads.imports.upload import import_batch_create, parse_mapping

__all__ = [
    "CHUNK",
    "HEADER_ALIASES",
    "IMPORTABLE_FIELDS",
    "UPDATABLE_FIELDS",
    "FileShape",
    "ParsedRow",
    "_Run",
    "auto_mapping",
    "detect_encoding",
    "import_batch_create",
    "import_batch_revert",
    "import_batch_run",
    "max_bytes",
    "parse_mapping",
    "parse_row",
    "read_shape",
    "resolve_mapping",
]
