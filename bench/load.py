"""The load test: 50 SDRs, 15 AEs and 5 managers at once on gunicorn, beside the ceiling.

    bench/load.sh                                  # the 1M reference set: 70 users, 5 minutes
    bench/load.sh --small --duration 10 --ceiling-duration 5 --sdrs 1 --aes 1 --managers 1   # a quick check
    python -m bench.load --workers 4 --threads 2   # another gunicorn shape

One run: the database migrated (BENCH=1, DEBUG=0); the working data topped up (bench/workload_data.py:
a year of touches, handoffs and opportunities once, today's queue and pending handoffs every run);
gunicorn started on a free port of 127.0.0.1; locust headless three times with the same number of
users at the same pace: the ceiling page only, then the mixed load (bench/locustfile.py), then the
ceiling again; gunicorn stopped. From every recorded response: per page and per kind of user the
count, p50/p95/p99, requests/s, errors (any status outside 2xx/3xx but 409) and races (409), and the
p95 ratio to the mean p95 of the two ceiling runs. Writes bench/out/load-<stamp>.json (with locust's
CSV files beside it) and this command's section of bench/RESULTS.md.
"""

import argparse
import datetime
import json
import math
import os
import shlex
import subprocess
import sys
import time
from collections import defaultdict

from bench.env import (
    OUT_DIR,
    PG_SERVER_URL,
    REFERENCE_LEADS,
    REPO_DIR,
    bench_environ,
    database_name,
    ensure_database_named,
)
from bench.results import RESULTS_MD, write_section
from bench.run import Gunicorn, code_state, login, machine, shorten_sql

LOCUSTFILE = REPO_DIR / "bench" / "locustfile.py"
SMALL_DATABASE = "sdrcrm_bench_load"
KINDS = ("sdr", "ae", "manager")
# Pages looked at in-process when slow under load: (kind, locust name) → (user, a concrete URL).
PROBES = {
    ("sdr", "GET /today/"): ("bench-sdr-02", "/today/"),
    ("sdr", "GET /api/queue/"): ("bench-sdr-02", "/api/queue/"),
    ("sdr", "GET /dashboard/me/"): ("bench-sdr-02", "/dashboard/me/"),
    ("ae", "GET /handoffs/"): ("bench-ae-01", "/handoffs/"),
    ("ae", "GET /api/handoffs/?status=pending"): ("bench-ae-01", "/api/handoffs/?status=pending"),
    ("manager", "GET /dashboard/"): ("bench-manager", "/dashboard/"),
    ("manager", "GET /api/metrics/funnel/"): ("bench-manager", "/api/metrics/funnel/?from={start}&to={end}"),
    ("manager", "GET /api/metrics/leaderboard/"): (
        "bench-manager",
        "/api/metrics/leaderboard/?from={start}&to={end}",
    ),
}
SLOW_RATIO = 3  # p95 over this many ceilings: say where the page spends its time


def log(message: str) -> None:
    print(f"[load {datetime.datetime.now(datetime.UTC):%H:%M:%S}] {message}", flush=True)


def environ(database: str) -> dict[str, str]:
    env = bench_environ(REFERENCE_LEADS)
    env["DATABASE_URL"] = f"{PG_SERVER_URL}/{database}"
    return env


def prepare(database: str, *, leads: int, seed: int, small: bool) -> dict:
    """Schema, static manifest and the working data (for a small set of its own: the leads first)."""
    env = environ(database)
    if small:
        ensure_database_named(database)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env=env, cwd=REPO_DIR, check=True
    )
    if static_is_stale():  # minutes on a busy machine: only when a static file changed
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            env=env,
            cwd=REPO_DIR,
            check=True,
        )
    args = [sys.executable, "-m", "bench.workload_data", "--leads", str(leads), "--seed", str(seed)]
    args += ["--database", database] + (["--generate"] if small else [])
    completed = subprocess.run(args, env=env, cwd=REPO_DIR, capture_output=True, text=True, timeout=1800)
    payload = None
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            payload = json.loads(line[len("BENCH_JSON ") :])
        else:
            print(f"    {line}", flush=True)
    if completed.returncode != 0 or payload is None:
        sys.stderr.write(completed.stderr[-4000:])
        raise SystemExit(f"bench.workload_data failed (exit {completed.returncode})")
    return payload


def static_is_stale() -> bool:
    """The DEBUG=0 pages need the static manifest; it is stale when a file under static/ is newer."""
    manifest = OUT_DIR / "var" / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    return any(path.stat().st_mtime > built for path in (REPO_DIR / "static").rglob("*") if path.is_file())


def sign_in_everyone(base: str, mix: list[int]) -> dict[str, str]:
    """Each bench user the runs need, signed in once through the login page: username → session."""
    sdrs, aes, managers = mix
    names = [f"bench-sdr-{n:02d}" for n in range(1, 51)][: max(sdrs, sum(mix))]
    names += [f"bench-ae-{n:02d}" for n in range(1, min(aes, 15) + 1)]
    names += ["bench-manager"] if managers else []
    log(f"signing in {len(names)} users")
    return {name: login(base, name) for name in names}


def locust(
    base: str, *, kinds: str, mix: list[int], spawn_rate: int, seconds: int, stem: str, sessions: str
) -> dict:
    """One headless locust run; returns its recorded samples and wall-clock seconds."""
    samples_path = OUT_DIR / f"{stem}.samples.json"
    users = sum(mix)
    env = dict(os.environ, LOAD_KINDS=kinds, LOAD_SAMPLES=str(samples_path), LOAD_MIX=",".join(map(str, mix)))
    env["LOAD_SESSIONS"] = sessions
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", base,
        "-u", str(users), "-r", str(spawn_rate), "-t", f"{seconds}s", "--stop-timeout", "10",
        "--csv", str(OUT_DIR / stem), "--only-summary", "--loglevel", "WARNING",
    ]  # fmt: skip
    log(f"locust {kinds}: {users} users, {seconds} s")
    started = time.monotonic()
    completed = subprocess.run(
        command, env=env, cwd=REPO_DIR, capture_output=True, text=True, timeout=seconds + 300
    )
    elapsed = time.monotonic() - started
    if not samples_path.exists():
        sys.stderr.write(completed.stdout[-3000:] + completed.stderr[-3000:])
        raise SystemExit(f"locust wrote no samples (exit {completed.returncode})")
    samples = json.loads(samples_path.read_text())["samples"]
    samples_path.unlink()
    return {"samples": samples, "seconds": seconds, "wall_seconds": elapsed, "exit": completed.returncode}


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, max(0, math.ceil(fraction * len(sorted_values)) - 1))]


def figures(samples: list, seconds: float) -> dict:
    times = sorted(s[2] for s in samples)
    statuses = [s[3] for s in samples]
    errors = [s for s in statuses if not (200 <= s < 400) and s != 409]
    return {
        "requests": len(samples),
        "rps": len(samples) / seconds if seconds else 0,
        "p50_ms": percentile(times, 0.50),
        "p95_ms": percentile(times, 0.95),
        "p99_ms": percentile(times, 0.99),
        "max_ms": times[-1] if times else 0,
        "errors": len(errors),
        "error_statuses": sorted(set(errors)),
        "races_409": statuses.count(409),
    }


def summarise(run: dict, *, skip_sign_in: bool = True) -> dict:
    """Per page, per kind of user and overall; the sign-ins are reported apart."""
    samples = run["samples"]
    work = [s for s in samples if not (skip_sign_in and "/accounts/login/" in s[1])]
    pages: dict[tuple[str, str], list] = defaultdict(list)
    kinds: dict[str, list] = defaultdict(list)
    for sample in work:
        pages[(sample[0], sample[1])].append(sample)
        kinds[sample[0]].append(sample)
    return {
        "all": figures(work, run["seconds"]),
        "sign_in": figures([s for s in samples if "/accounts/login/" in s[1]], run["seconds"]),
        "kinds": {kind: figures(rows, run["seconds"]) for kind, rows in sorted(kinds.items())},
        "pages": [
            {"kind": kind, "page": page, **figures(rows, run["seconds"])}
            for (kind, page), rows in sorted(pages.items(), key=lambda item: (KINDS.index(item[0][0]) if item[0][0] in KINDS else 9, item[0][1]))
        ],
    }  # fmt: skip


def probe(database: str, pages: list[tuple[str, str]]) -> dict:
    """In-process, one request each (Django's test client, the load's settings and data): SQL count,
    SQL time and the slowest query, in a fresh process."""
    args = [sys.executable, "-m", "bench.load", "--probe", *(f"{user} {url}" for user, url in pages)]
    completed = subprocess.run(
        args, env=environ(database), cwd=REPO_DIR, capture_output=True, text=True, timeout=600
    )
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON ") :])
    sys.stderr.write(completed.stderr[-3000:])
    return {}


def probe_here(pages: list[str]) -> None:
    """`--probe "user url" …`: run inside the bench environment given by DATABASE_URL."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.probe import probe_one

    start, end = month_bounds()
    client, out = Client(HTTP_HOST="localhost"), {}
    for page in pages:
        username, url = page.split(" ", 1)
        url = url.format(start=start, end=end)
        user = get_user_model().objects.get(username=username)
        found = probe_one(client, argparse.Namespace(url=url), user, None)
        out[page] = {k: v for k, v in found.items() if k != "sql"} | {
            "slowest": sorted(found.get("sql", []), key=lambda q: q["ms"], reverse=True)[:3]
        }
    print("BENCH_JSON " + json.dumps(out), flush=True)


def month_bounds() -> tuple[str, str]:
    today = datetime.date.today()
    return (today - datetime.timedelta(days=30)).isoformat(), today.isoformat()


def explain_slow(report: dict) -> None:
    slow = [
        page for page in report["mixed"]["pages"]
        if page["ratio_p95"] > SLOW_RATIO and (page["kind"], page["page"]) in PROBES
    ]  # fmt: skip
    if not slow:
        return
    wanted = [PROBES[(page["kind"], page["page"])] for page in slow]
    found = probe(report["database"], wanted)
    for page, (user, url) in zip(slow, wanted, strict=True):
        page["probe"] = found.get(f"{user} {url}", {})


def judge(report: dict) -> None:
    ceilings = [report["ceiling_before"]["all"]["p95_ms"], report["ceiling_after"]["all"]["p95_ms"]]
    reference = sum(ceilings) / len(ceilings)
    report["ceiling_p95_ms"] = reference
    mixed = report["mixed"]
    for row in [mixed["all"], *mixed["kinds"].values(), *mixed["pages"]]:
        row["ratio_p95"] = row["p95_ms"] / reference if reference else 0
    errors = mixed["all"]["errors"] + mixed["sign_in"]["errors"]
    report["result"] = "pass: no errors" if errors == 0 else f"miss: {errors} errors"


def markdown(report: dict) -> str:
    s, m = report["settings"], report["mixed"]
    before, after = report["ceiling_before"]["all"], report["ceiling_after"]["all"]
    totals = report["data"].get("totals", {})
    lines = [
        f"## {report['date']} · `{report['command']}`",
        "",
        f"Load test (issue 7, item 4): locust {report['locust']} headless against gunicorn "
        f"({s['workers']} workers × {s['threads']} threads, DEBUG=0) on `{report['database']}` "
        f"({totals.get('leads', '?'):,} leads, {totals.get('touches', 0):,} touches, {totals.get('handoffs', 0):,} handoffs, "
        f"{totals.get('pending_handoffs', 0):,} pending, {totals.get('opportunities', 0):,} opportunities). "
        f"{s['users']} users ({s['sdrs']} SDRs, {s['aes']} AEs, {s['managers']} managers; think time 2–6 s, "
        f"AEs 4–10 s, managers 5–15 s), spawned at {s['spawn_rate']}/s, {s['duration']} s; the ceiling "
        f"(`/bench/ceiling/`, same users at the same pace) for {s['ceiling_duration']} s before and after. "
        f"Machine: {report['machine']['nproc']} CPUs shared with other work (load average "
        f"{report['machine']['loadavg_start'][0]} at start / {report['machine']['loadavg_end'][0]} at end); "
        "locust runs on the same cores. Code: " + f"`{report['code']['commit']}`"
        + (f" + {len(report['code']['uncommitted'])} uncommitted files." if report["code"]["uncommitted"] else "."),
        "",
        f"Ceiling p95 {before['p95_ms']:.0f} ms before / {after['p95_ms']:.0f} ms after "
        f"({before['rps']:.1f} / {after['rps']:.1f} req/s): ratios below are to their mean, "
        f"{report['ceiling_p95_ms']:.0f} ms. **Result: {report['result']}**; "
        f"{m['all']['races_409']} expected races (409), {m['sign_in']['requests']} sign-ins "
        f"({m['sign_in']['errors']} failed, not in the figures).",
        "",
        *saturation(report),
        "| who | page | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | p95 ratio | errors | 409 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]  # fmt: skip

    def row(who: str, page: str, f: dict) -> str:
        errors = f"{f['errors']}" + (f" ({', '.join(map(str, f['error_statuses']))})" if f["errors"] else "")
        return (
            f"| {who} | {page} | {f['requests']:,} | {f['rps']:.1f} | {f['p50_ms']:.0f} | {f['p95_ms']:.0f} "
            f"| {f['p99_ms']:.0f} | {f['max_ms']:.0f} | {f.get('ratio_p95', 0):.1f} | {errors} | {f['races_409']} |"
        )

    lines.append(row("**all**", "every request", m["all"]))
    for kind, f in m["kinds"].items():
        lines.append(row(f"**{kind}**", "all its requests", f))
    for page in m["pages"]:
        lines.append(row(page["kind"], f"`{page['page']}`", page))
    lines.append(row("ceiling", "`GET /bench/ceiling/` before", before))
    lines.append(row("ceiling", "`GET /bench/ceiling/` after", after))
    probed = [page for page in m["pages"] if page.get("probe", {}).get("queries") is not None]
    if probed:
        lines += ["", f"Where the pages over {SLOW_RATIO}× the ceiling spend their time (one request in-process, "
                  "Django's test client on the same data after the load; every query in the JSON):"]  # fmt: skip
        for page in probed:
            p = page["probe"]
            slowest = p["slowest"][0] if p.get("slowest") else {"ms": 0, "sql": ""}
            busy = (p.get("in_process_ms") or 0) * page["requests"] / 1000
            lines.append(
                f"- {page['kind']} `{page['page']}` ({p.get('url')}): {p.get('in_process_ms')} ms, "
                f"{p.get('queries')} queries taking {p.get('sql_ms')} ms (× {page['requests']} requests ≈ "
                f"{busy:.0f} worker-seconds of the run's {s['workers'] * s['threads'] * s['duration']}); "
                f"slowest {slowest['ms']} ms: `{shorten_sql(slowest['sql'])}`"
            )
    if report.get("notes"):
        lines += ["", *report["notes"]]
    lines += ["", f"Raw figures: `bench/out/{report['stem']}.json` (locust's CSV beside it).", ""]
    return "\n".join(lines)


def saturation(report: dict) -> list[str]:
    """Closed-loop users: when the app is slower, they ask less. Served vs what the ceiling got."""
    served = report["mixed"]["all"]["rps"]
    offered = (report["ceiling_before"]["all"]["rps"] + report["ceiling_after"]["all"]["rps"]) / 2
    if not offered or served >= 0.8 * offered:
        return []
    return [
        f"**Saturated**: the app served {served:.1f} req/s where the same users at the same pace got "
        f"{offered:.1f} req/s from the ceiling, so each user waited on the app instead of thinking: the "
        f"latencies below are mostly time queued for one of gunicorn's {report['settings']['workers']} workers "
        f"(p50 {report['mixed']['all']['p50_ms'] / 1000:.1f} s for every page alike).",
        "",
    ]


def update_results(report: dict) -> None:
    write_section(report["command"], markdown(report))


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help=f"10k leads in {SMALL_DATABASE} (generated)")
    parser.add_argument("--database", help="a bench database (default: the 1M reference set)")
    parser.add_argument("--sdrs", type=int, default=50)
    parser.add_argument("--aes", type=int, default=15)
    parser.add_argument("--managers", type=int, default=5)
    parser.add_argument("--spawn-rate", type=int, default=10)
    parser.add_argument("--duration", type=int, default=300, help="seconds of mixed load")
    parser.add_argument(
        "--ceiling-duration", type=int, default=60, help="seconds of ceiling before and after"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-results", action="store_true", help="do not touch bench/RESULTS.md")
    parser.add_argument("--probe", nargs="+", metavar="USER URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        probe_here(args.probe)
        return {}
    leads = 10_000 if args.small else REFERENCE_LEADS
    database = args.database or (SMALL_DATABASE if args.small else database_name(leads))
    if not database.startswith("sdrcrm_bench"):
        raise SystemExit("the load test changes its data: only a bench database (sdrcrm_bench…)")
    import locust as locust_package

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    stem = f"load-{now:%Y%m%dT%H%M%SZ}"
    command = os.environ.get("BENCH_COMMAND") or "python -m bench.load " + shlex.join(
        argv if argv is not None else sys.argv[1:]
    )
    args.users = args.sdrs + args.aes + args.managers
    report = {
        "command": command.strip(),
        "date": now.strftime("%Y-%m-%d %H:%M UTC"),
        "stem": stem,
        "database": database,
        "locust": locust_package.__version__,
        "machine": machine(),
        "code": code_state(),
        "settings": {
            "users": args.users, "sdrs": args.sdrs, "aes": args.aes, "managers": args.managers,
            "spawn_rate": args.spawn_rate, "duration": args.duration, "ceiling_duration": args.ceiling_duration,
            "workers": args.workers, "threads": args.threads, "seed": args.seed,
        },
    }  # fmt: skip
    log(f"data: {database}")
    report["data"] = prepare(database, leads=leads, seed=args.seed, small=args.small)
    server = Gunicorn(
        environ(database), workers=args.workers, threads=args.threads, log_name="gunicorn-load.log"
    )
    try:
        mix = [args.sdrs, args.aes, args.managers]
        sessions = OUT_DIR / f"{stem}.sessions.json"
        sessions.write_text(json.dumps(sign_in_everyone(server.base, mix)))
        runs = {}
        for name, kinds, seconds in (
            ("ceiling_before", "ceiling", args.ceiling_duration),
            ("mixed", ",".join(KINDS), args.duration),
            ("ceiling_after", "ceiling", args.ceiling_duration),
        ):
            runs[name] = locust(
                server.base, kinds=kinds, mix=mix, spawn_rate=args.spawn_rate, seconds=seconds,
                stem=f"{stem}-{name.replace('_', '-')}", sessions=str(sessions),
            )  # fmt: skip
            report[name] = summarise(runs[name])
            f = report[name]["all"]
            log(
                f"  {f['requests']:,} requests, {f['rps']:.1f} req/s, p95 {f['p95_ms']:.0f} ms, errors {f['errors']}"
            )
    finally:
        server.stop()
        sessions.unlink(missing_ok=True)
    report["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    judge(report)
    explain_slow(report)
    out = OUT_DIR / f"{stem}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    log(f"raw figures: {out}")
    if not args.no_results:
        update_results(report)
        log(f"updated {RESULTS_MD}")
    print(markdown(report))
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
