"""The import reads and cleans the next chunk in a background thread: same items in the same order, its
errors raised in the run, and nothing left running when the run stops early."""

import threading

import pytest

from leads.imports.rows import read_ahead


def reader_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "import-reader"]


def test_yields_every_item_in_order():
    assert list(read_ahead(iter(range(1000)))) == list(range(1000))
    assert reader_threads() == []


def test_an_error_while_reading_is_raised_in_the_run():
    def items():
        yield 1
        raise ValueError("row 2 could not be read")

    with pytest.raises(ValueError, match="row 2 could not be read"):
        list(read_ahead(items()))
    assert reader_threads() == []


def test_stopping_early_stops_the_reader_and_closes_what_it_reads():
    closed = threading.Event()

    def items():
        try:
            yield from range(10_000)
        finally:
            closed.set()

    ahead = read_ahead(items())
    assert next(ahead) == 0
    ahead.close()
    assert reader_threads() == [] and closed.is_set()
