"""The rows of a stored file, streamed and cleaned: one `ParsedRow` per non-blank line, in chunks read
ahead in a background thread so that reading and cleaning overlap with the database writing."""

import csv
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from leads.imports.reading import detect_encoding, open_text
from leads.models import ImportBatch
from leads.normalise import (
    FieldError,
    clean_phone,
    clean_text,
    field_cleaner,
)


@dataclass(slots=True)
class ParsedRow:
    number: int
    raw: list[str]
    values: dict
    errors: list[dict]
    email: str = ""
    lead: dict | None = None  # the new lead's own fields, prepared by the reading thread (run.LeadPreparer)
    copy_line: bytes = b""  # the same fields as one line of COPY text (PostgreSQL)
    named_account: bool = False  # a company name without a domain: its account is found by name


def _keep_phone(value: str, values: dict) -> None:
    values["phone"] = value  # cleaned once the row's country is known


def _split_full_name(value: str, values: dict) -> None:
    first, _, last = value.strip().partition(" ")
    values.setdefault("first_name", clean_text("first_name", first))
    values.setdefault("last_name", clean_text("last_name", last.strip()))


def _keep_research_notes(value: str, values: dict) -> None:
    values["research_notes"] = value.strip()[:10_000]


# The targets that are not one field's cleaner: a phone, a full name split in two, research notes kept long.
CELL_CLEANERS = {"phone": _keep_phone, "full_name": _split_full_name, "research_notes": _keep_research_notes}


def row_parser(columns: list[tuple[int, str]]) -> Callable[[int, list[str]], ParsedRow]:
    """`parse_row` for one file's columns, each column's cleaner chosen once rather than on every row."""
    plan = tuple(
        (index, target, CELL_CLEANERS.get(target), None if target in CELL_CLEANERS else field_cleaner(target))
        for index, target in columns
    )

    def parse(number: int, raw: list[str]) -> ParsedRow:
        values: dict = {}
        errors: list[dict] = []
        width = len(raw)
        for index, target, cell_cleaner, cleaner in plan:
            if index >= width:
                continue
            cell = raw[index].strip()
            if not cell:
                continue
            try:
                if cell_cleaner is not None:
                    cell_cleaner(cell, values)
                else:
                    values[target] = cleaner(cell)
            except FieldError as error:
                errors.append({"row": number, "field": error.field, "message": error.message})
        phone = values.get("phone")
        if phone is not None:
            try:
                values["phone"], zone = clean_phone(phone, country=values.get("country", ""))
                if zone and "timezone" not in values:
                    values["_zone"] = zone
            except FieldError as error:
                errors.append({"row": number, "field": "phone", "message": error.message})
                values.pop("phone")
        email = values.get("email", "")
        if not email and not any(e["field"] == "email" for e in errors):
            errors.append(
                {"row": number, "field": "email", "message": "An email is required to import a lead."}
            )
        return ParsedRow(number, raw, values, errors, email)

    return parse


def parse_row(number: int, raw: list[str], columns: list[tuple[int, str]]) -> ParsedRow:
    """Cleans one CSV row. Blank cells are left out of `values` (a blank never erases data)."""
    return row_parser(columns)(number, raw)


def read_rows(batch: ImportBatch) -> Iterator[tuple[int, list[str]]]:
    """(1-based data row number, cells) for every non-blank row, streamed from the stored file."""
    with batch.file.open("rb") as stream:
        text = open_text(stream, batch.encoding or detect_encoding(stream))
        reader = csv.reader(text, delimiter=batch.delimiter or ",")
        try:
            next(reader)
        except StopIteration:
            return
        number = 0
        for raw in reader:
            if not "".join(raw).strip():  # blank: no cell has more than white space
                continue
            number += 1
            yield number, raw


def count_rows(batch: ImportBatch) -> int:
    newline = b"\n\x00" if batch.encoding.startswith("utf-16") else b"\n"
    lines = 0
    with batch.file.open("rb") as stream:
        while block := stream.read(1024 * 1024):
            lines += block.count(newline)
    return max(lines - 1, 0)


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


_DONE = object()


def read_ahead(items: Iterator, *, depth: int = 1) -> Iterator:
    """Yields what `items` yields, produced in a background thread at most `depth` items ahead: while the
    database writes one chunk (the driver releases the GIL), the next one is read and cleaned. Memory
    stays bounded; an error in the thread is raised here; stopping early stops the thread."""
    handoff: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as error:  # handed to the consuming thread, which raises it
            put(_Failed(error))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="import-reader", daemon=True)
    thread.start()
    try:
        while (item := handoff.get()) is not _DONE:
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
        thread.join()
