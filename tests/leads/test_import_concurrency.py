"""Imports of overlapping files running at the same time (PostgreSQL): every email becomes one lead, the
counts of the runs add up, and neither run fails (the merges take their locks in one order)."""

import csv
import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from leads import imports, tasks
from leads.models import Company, Lead

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"),
]


def make_file(numbers) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(["Email", "Company", "Country"])
    writer.writerows([f"p{i}@acct{i % 150}.example", f"Acct {i % 150}", "EE"] for i in numbers)
    return text.getvalue().encode()


def run_at_once(batch_ids: list[int]) -> list:
    start = threading.Barrier(len(batch_ids))
    outcomes: list = [None] * len(batch_ids)

    def run(index: int, batch_id: int) -> None:
        try:
            start.wait()
            outcomes[index] = imports.import_batch_run(batch_id=batch_id)
        except Exception as error:  # reported by the assertion below
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(batch_ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_overlapping_imports_at_once_create_each_lead_once_and_their_counts_add_up(actors, monkeypatch):
    monkeypatch.setattr(imports.run, "CHUNK", 400)
    monkeypatch.setattr(tasks.import_batch_run, "delay", lambda *args: None)  # the test starts the runs
    files = [make_file(range(1, 3001)), make_file(range(3000, 1000, -1)), make_file(range(2001, 4001))]
    batches = [
        imports.import_batch_create(
            team=actors.team, by=actors.sdr, upload=SimpleUploadedFile(f"{n}.csv", content)
        )
        for n, content in enumerate(files)
    ]
    outcomes = run_at_once([batch.pk for batch in batches])
    assert [getattr(outcome, "status", outcome) for outcome in outcomes] == ["done", "done", "done"]
    emails = Lead.objects.filter(team=actors.team).values_list("email", flat=True)
    assert len(emails) == len(set(emails)) == 4000
    assert sum(outcome.created for outcome in outcomes) == 4000
    assert sum(outcome.duplicates for outcome in outcomes) == 3000 + 2000 + 2000 - 4000
    assert Company.objects.filter(team=actors.team).count() == 150
    assert Lead.objects.filter(team=actors.team, account__isnull=True).count() == 0
