"""The CSV import, measured on PostgreSQL: rows/s and peak memory for one file.

    python -m bench.csv_import --leads 10000 --rows 100000

Goes through the contract of API.md: `POST /api/imports/` (test client, in this process) stores
the file and queues the import task; the task is recorded instead of sent, then called
synchronously in a fresh process, so its time and peak RSS (getrusage, above that process's
baseline) are the import's alone, not the upload's (the test client builds the request body in
memory). `GET /api/imports/{id}/` gives the counts. Run for two file sizes to see whether memory
is flat. Beside it, the database's own ceiling in the same run: the leads just imported, copied under
other emails and inserted again by one hand-written INSERT … SELECT (indexes and foreign-key checks
included, then rolled back), so rows/s can be read as a ratio to what PostgreSQL itself takes for
these rows on this machine now. The leads and accounts it created are deleted afterwards so the data set keeps its size. Skipped (and
said so) while the import route does not exist.
"""

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import threading
import time
import uuid

from bench.env import OUT_DIR, apply_environ
from bench.generate import COUNTRIES, FIRST_NAMES, INDUSTRIES, LAST_NAMES, TITLES, phone_prefixes
from bench.scenarios import MANAGER

IMPORT_URL = "/api/imports/"
HEADERS = ["First Name", "Last Name", "E-mail", "Company", "Title", "Phone", "Country", "Industry", "Website"]


def write_csv(path, rows: int, seed: int, nonce: str) -> int:
    """A realistic lead list, streamed to disk; emails are new to the data set (a nonce per run).

    One row in a hundred is bad on purpose (an email without @ or an unknown country), as in real
    lists: those rows must be reported, the others imported.
    """
    rng = random.Random(f"import-{seed}")
    phones = phone_prefixes()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for i in range(1, rows + 1):
            first, first_ascii = rng.choice(FIRST_NAMES)
            last, last_ascii = rng.choice(LAST_NAMES)
            country = rng.choice(COUNTRIES)[0]
            domain = f"importbench{i % 5000}-{nonce}.com"
            email = f"{first_ascii}.{last_ascii}.{i}@{domain}"
            if i % 100 == 0:
                email = email.replace("@", " at ")
            elif i % 100 == 50:
                country = "XX"
            writer.writerow(
                [
                    first,
                    last,
                    email,
                    f"Import Bench {i % 5000}",
                    rng.choice(TITLES),
                    f"{phones.get(country, '+1201555')}{rng.randrange(10_000):04d}",
                    country,
                    rng.choice(INDUSTRIES),
                    f"https://{domain}",
                ]
            )
    return path.stat().st_size


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def current_rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return peak_rss_mib()


class RssSampler(threading.Thread):
    """Samples this process's resident memory every 100 ms: the high-water mark of the task alone
    (getrusage's maximum may date from start-up, before the task). Every 20 ms showed in the profile."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = current_rss_mib()
        self.running = True

    def run(self):
        while self.running:
            self.peak = max(self.peak, current_rss_mib())
            time.sleep(0.1)

    def stop(self) -> float:
        self.running = False
        self.join()
        return max(self.peak, current_rss_mib())


def run_task(name: str, task_args: list, task_kwargs: dict) -> dict:
    """In a fresh process: the Celery task the upload queued, called synchronously; time and peak RSS.
    The process stands for a running worker, so it first does what a worker does when it starts
    (sdrcrm.celery.preload_worker_data: the phone metadata), before the clock and the memory baseline."""
    from sdrcrm.celery import app, preload_worker_data

    app.loader.import_default_modules()
    preload_worker_data()
    task = app.tasks[name]
    baseline = current_rss_mib()
    sampler = RssSampler()
    sampler.start()
    started = time.perf_counter()
    task(*task_args, **task_kwargs)
    seconds = time.perf_counter() - started
    peak = sampler.stop()
    return {
        "task": name,
        "seconds": seconds,
        "baseline_rss_mib": round(baseline, 1),
        "peak_rss_mib": round(peak, 1),
        "peak_rss_growth_mib": round(peak - baseline, 1),
        "ru_maxrss_mib": round(peak_rss_mib(), 1),
    }


def upload(client, path) -> tuple[object, list]:
    """POST the file; the task it queues is recorded instead of sent, to be run in its own process."""
    from unittest import mock

    from celery.app.task import Task

    queued = []

    def record(task, args=None, kwargs=None, **options):
        queued.append((task.name, list(args or ()), dict(kwargs or {})))

    with path.open("rb") as handle, mock.patch.object(Task, "apply_async", autospec=True, side_effect=record):
        response = client.post(IMPORT_URL, {"file": handle, "source": "list"})
    return response, queued


def search_indexing(import_id: int) -> dict:
    """The import's deferred part, timed on its own: its new leads indexed for search in one statement
    (`leads.search.index_import`, which a worker runs right after the import)."""
    from leads import search

    started = time.perf_counter()
    rows = search.index_import(import_id)
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds if seconds else 0}


def database_ceiling(import_id: int) -> dict:
    """The leads of an import inserted again by hand SQL in one statement, their foreign keys checked,
    then rolled back: rows/s of the insert alone (no file, no parsing, no dedupe, no scoring)."""
    from django.db import connection, transaction

    from leads import search
    from leads.models import Lead

    columns = ", ".join(f'"{f.column}"' for f in Lead._meta.concrete_fields if not f.primary_key)
    table = Lead._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE bench_import_ceiling ON COMMIT DROP AS SELECT {columns} "
            f'FROM "{table}" WHERE import_batch_id = %s',
            [import_id],
        )
        cursor.execute("UPDATE bench_import_ceiling SET email = 'ceiling.' || email")
        # Like the import, the rows' search text is left for afterwards (leads.search; timed on its own).
        cursor.execute("SELECT set_config(%s, 'on', true)", [search.DEFER_SETTING])
        started = time.perf_counter()
        cursor.execute(
            f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM bench_import_ceiling ON CONFLICT DO NOTHING'
        )
        rows = cursor.rowcount
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return {"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds if seconds else 0}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.csv_import")
    parser.add_argument("--leads", type=int, required=True, help="which bench database (by its size)")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the imported leads")
    parser.add_argument("--run-task", help=argparse.SUPPRESS)  # internal: name, then --task-args JSON
    parser.add_argument("--task-args", default="[[], {}]", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    apply_environ(args.leads)
    if args.run_task:
        task_args, task_kwargs = json.loads(args.task_args)
        result = run_task(args.run_task, task_args, task_kwargs)
        print("BENCH_JSON " + json.dumps(result), flush=True)
        return result

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import Resolver404, resolve

    result: dict = {"rows": args.rows}
    try:
        resolve(IMPORT_URL)
    except Resolver404:
        result["skip"] = f"{IMPORT_URL} not built yet"
        print("BENCH_JSON " + json.dumps(result), flush=True)
        return result
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    nonce = uuid.uuid4().hex[:8]
    path = OUT_DIR / f"import-{args.rows}.csv"
    result["file_bytes"] = write_csv(path, args.rows, args.seed, nonce)
    user = get_user_model().objects.get(username=MANAGER)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    started = time.perf_counter()
    response, queued = upload(client, path)
    body = _json(response)
    result.update({"post_status": response.status_code, "post_seconds": time.perf_counter() - started})
    if response.status_code not in (200, 201, 202) or "id" not in body:
        result["skip"] = f"POST {IMPORT_URL} → {response.status_code}: {str(body)[:300]}"
    elif not queued:
        result["skip"] = f"POST {IMPORT_URL} queued no task"
    else:
        name, task_args, task_kwargs = queued[0]
        command = [
            sys.executable, "-m", "bench.csv_import", "--leads", str(args.leads),
            "--run-task", name, "--task-args", json.dumps([task_args, task_kwargs]),
        ]  # fmt: skip
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        line = next((x for x in completed.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
        if completed.returncode != 0 or line is None:
            result["skip"] = f"task {name} failed: {completed.stderr[-500:]}"
        else:
            result.update(json.loads(line[len("BENCH_JSON ") :]))
        status = _json(client.get(f"{IMPORT_URL}{body['id']}/"))
        processed = status.get("processed_rows") or status.get("total_rows") or 0
        result.update(
            {
                "import_id": body["id"],
                "status": status.get("status"),
                "counts": {
                    k: status.get(k)
                    for k in ("total_rows", "processed_rows", "created", "updated", "duplicates", "failed")
                },
                "rows_per_s": processed / result["seconds"] if result.get("seconds") else 0,
                "errors_sample": (status.get("errors") or [])[:5],
            }
        )
        if result.get("rows_per_s"):
            result["search_indexing"] = search_indexing(body["id"])
            ceiling = database_ceiling(body["id"])
            result["db_ceiling"] = ceiling
            result["ratio_to_db_ceiling"] = (
                result["rows_per_s"] / ceiling["rows_per_s"] if ceiling["rows_per_s"] else 0
            )
    if not args.keep:
        from leads.models import Company, Lead

        deleted, _ = Lead.objects.filter(email__endswith=f"-{nonce}.com").delete()
        result["cleaned_up_rows"] = deleted
        result["cleaned_up_accounts"] = Company.objects.filter(domain__endswith=f"-{nonce}.com").delete()[0]
    print("BENCH_JSON " + json.dumps(result, default=str), flush=True)
    return result


def _json(response) -> dict:
    try:
        return response.json()
    except ValueError:
        return {"raw": response.content[:300].decode(errors="replace")}


if __name__ == "__main__":
    main(sys.argv[1:])
