"""The CSV import, measured in-process on PostgreSQL: rows/s and peak memory for one file.

    python -m bench.csv_import --leads 10000 --rows 100000

Goes through the contract of API.md (`POST /api/imports/`, then `GET /api/imports/{id}/`) with
Celery eager, so the import task runs synchronously in this process. Peak memory is this
process's peak RSS (getrusage) above the baseline before the upload; run it for two file sizes in
two processes to see whether memory is flat. The leads it created are deleted afterwards so the
data set keeps its size. Skipped (and said so) while the import route does not exist.
"""

import argparse
import csv
import json
import random
import resource
import sys
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


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.csv_import")
    parser.add_argument("--leads", type=int, required=True, help="which bench database (by its size)")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the imported leads")
    args = parser.parse_args(argv)
    import os

    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    apply_environ(args.leads)
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
    client.get(IMPORT_URL)  # warm: the API stack imported before the baseline
    baseline = peak_rss_mib()
    started = time.perf_counter()
    with path.open("rb") as handle:
        response = client.post(IMPORT_URL, {"file": handle, "source": "list"})
    posted = time.perf_counter()
    body = _json(response)
    result.update({"post_status": response.status_code, "post_seconds": posted - started})
    if response.status_code not in (200, 201, 202) or "id" not in body:
        result["skip"] = f"POST {IMPORT_URL} → {response.status_code}: {str(body)[:300]}"
    else:
        status = body
        deadline = time.monotonic() + 900
        while status.get("status") not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(0.2)
            status = _json(client.get(f"{IMPORT_URL}{body['id']}/"))
        seconds = time.perf_counter() - started
        processed = status.get("processed_rows") or status.get("total_rows") or 0
        result.update(
            {
                "import_id": body["id"],
                "status": status.get("status"),
                "counts": {
                    k: status.get(k)
                    for k in ("total_rows", "processed_rows", "created", "updated", "duplicates", "failed")
                },
                "seconds": seconds,
                "rows_per_s": processed / seconds if seconds else 0,
                "errors_sample": (status.get("errors") or [])[:5],
            }
        )
    result.update(
        {
            "baseline_rss_mib": round(baseline, 1),
            "peak_rss_mib": round(peak_rss_mib(), 1),
            "peak_rss_growth_mib": round(peak_rss_mib() - baseline, 1),
        }
    )
    if not args.keep:
        from leads.models import Lead

        deleted, _ = Lead.objects.filter(email__endswith=f"-{nonce}.com").delete()
        result["cleaned_up_rows"] = deleted
    print("BENCH_JSON " + json.dumps(result, default=str), flush=True)
    return result


def _json(response) -> dict:
    try:
        return response.json()
    except ValueError:
        return {"raw": response.content[:300].decode(errors="replace")}


if __name__ == "__main__":
    main(sys.argv[1:])
