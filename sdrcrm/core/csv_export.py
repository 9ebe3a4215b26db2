"""CSV exports that are safe to open in a spreadsheet.

A cell a person typed as `=HYPERLINK(…)`, `+cmd|…`, `-2+3` or `@SUM(…)` is stored as typed, but a
spreadsheet would run it as a formula when the export is opened (CSV injection). Every CSV this
product writes goes through `neutralise`, which prefixes such cells with an apostrophe.
"""

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value):
    """The cell as a spreadsheet will show it, never as a formula it would run (also when spaces come
    first: some spreadsheets skip them before deciding)."""
    if value is None:
        return ""
    if isinstance(value, str) and (
        value.startswith(FORMULA_PREFIXES) or value.lstrip().startswith(FORMULA_PREFIXES)
    ):
        return "'" + value
    return value


def neutralise_row(row: Iterable) -> list:
    return [neutralise(value) for value in row]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[str] | None, rows: Iterable[Iterable]):
    """Yields CSV text line by line (UTF-8 BOM first, so Excel reads Unicode names right)."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    if header is not None:
        yield writer.writerow(neutralise_row(header))
    for row in rows:
        yield writer.writerow(neutralise_row(row))


def csv_response(
    filename: str, header: Iterable[str] | None, rows: Iterable[Iterable]
) -> StreamingHttpResponse:
    """A streamed, formula-safe CSV download."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    safe_name = "".join(ch for ch in filename if ch.isalnum() or ch in "._-") or "export.csv"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    return response
