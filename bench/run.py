"""The bench harness: every figure beside the ceiling measured in the same run.

    bench/run.sh                                  # 10k leads: ceiling + lead scenarios + import
    bench/run.sh --sizes 10k,1m                   # and the 1M reference set
    python -m bench.run --only ceiling --no-import

Per data-set size: create + migrate the bench database (BENCH=1, DEBUG=0), generate the data
(skipped when already there), probe every scenario in-process (status, SQL queries), start
gunicorn (2 workers) on a free port, sign the bench users in over HTTP, run wrk against the
ceiling, then each scenario followed by a short ceiling run (the machine is shared: each ratio is
to the ceilings on both sides of its scenario), stop gunicorn. Then the CSV import, its task in
its own process. Writes bench/out/<stamp>.json and the section of bench/RESULTS.md for this
command (replaced when the same command runs again).
"""

import argparse
import datetime
import http.cookiejar
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from bench.env import (
    BENCH_DIR,
    BENCH_PASSWORD,
    OUT_DIR,
    PG_SERVER_URL,
    REFERENCE_LEADS,
    REPO_DIR,
    bench_environ,
    database_name,
    prepare,
    size_label,
)
from bench.results import RESULTS_MD, write_section
from bench.results import machine as shared_machine
from bench.scenarios import CEILING, SCENARIOS, Scenario

LUA = BENCH_DIR / "wrk_report.lua"
IMPORT_TARGET_ROWS_PER_S = 20_000


def log(message: str) -> None:
    print(f"[bench {datetime.datetime.now(datetime.UTC):%H:%M:%S}] {message}", flush=True)


def run_json(args: list[str], env: dict, timeout: float | None = None) -> dict:
    """Runs a bench subprocess, echoes its output, returns its BENCH_JSON line."""
    completed = subprocess.run(args, env=env, cwd=REPO_DIR, capture_output=True, text=True, timeout=timeout)
    payload = None
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            payload = json.loads(line[len("BENCH_JSON ") :])
        else:
            print(f"    {line}", flush=True)
    if completed.returncode != 0 or payload is None:
        sys.stderr.write(completed.stderr[-4000:])
        raise RuntimeError(f"{' '.join(args[:4])} failed (exit {completed.returncode})")
    return payload


# --- machine, gunicorn, login, wrk ---------------------------------------------------------------


def machine() -> dict:
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    here = shared_machine()
    return {
        **here,
        "cpu": here["cpu"] or platform.processor(),
        "python": platform.python_version(),
        "wrk": " ".join(wrk_version.split()[:2]).rstrip(",") or "wrk",
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn on 127.0.0.1:<free port>, production settings on the bench database."""

    def __init__(self, env: dict, *, workers: int, threads: int = 1, log_name: str = "gunicorn.log"):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = OUT_DIR / log_name
        command = [
            sys.executable, "-m", "gunicorn", "sdrcrm.wsgi:application",
            "--workers", str(workers), "--threads", str(threads), "--bind", f"127.0.0.1:{self.port}",
            "--access-logfile", "/dev/null", "--error-logfile", str(self.log_path),
            "--log-level", "warning", "--timeout", "60",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, env=env, cwd=REPO_DIR, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.base}/accounts/login/", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        log(
                            f"gunicorn ({workers} workers × {threads} threads) ready on {self.base}, pid {self.process.pid}"
                        )
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the master stops its own workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        log("gunicorn stopped")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def login(base: str, username: str) -> str:
    """Signs in through the real login page (CSRF and all); returns the session cookie value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    with opener.open(f"{base}/accounts/login/", timeout=10) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        raise RuntimeError("no CSRF token on the login page")
    data = urllib.parse.urlencode(
        {"username": username, "password": BENCH_PASSWORD, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    request = urllib.request.Request(f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/"})  # noqa: S310
    try:
        opener.open(request, timeout=10)
    except urllib.error.HTTPError as error:
        if error.code != 302:
            raise RuntimeError(f"login as {username}: HTTP {error.code}") from error
    session = next((c.value for c in jar if c.name == "sessionid"), None)
    if session is None:
        raise RuntimeError(f"login as {username} gave no session cookie")
    return session


def wrk(url: str, session: str, *, seconds: int, connections: int, threads: int) -> dict:
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
        "-s", str(LUA), "-H", f"Cookie: sessionid={session}", url,
    ]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON ") :])
    raise RuntimeError(f"wrk printed no result: {completed.stdout[-500:]} {completed.stderr[-500:]}")


def load(
    base: str, path: str, session: str, args, *, seconds: int | None = None, warmup: int | None = None
) -> dict:
    url = base + path
    wrk(url, session, seconds=warmup or args.warmup, connections=args.connections, threads=args.threads)
    result = wrk(
        url, session, seconds=seconds or args.duration, connections=args.connections, threads=args.threads
    )
    log(
        f"  {path}: p50 {result['p50_us'] / 1000:.1f} ms, p95 {result['p95_us'] / 1000:.1f} ms, "
        f"{result['rps']:.0f} req/s, non-200 {result['non200']}"
    )
    return result


# --- one data-set size ------------------------------------------------------------------------


def vacuum_analyze(leads: int) -> float:
    """What autovacuum would have done by now in production: this machine's PostgreSQL runs with
    autovacuum off, and the rows earlier imports and load runs updated or deleted stay as dead tuples
    (they slow the planner's look at index ends, e.g. 5 ms to plan the lead page's join). Seconds."""
    import psycopg2

    started = time.perf_counter()
    connection = psycopg2.connect(f"{PG_SERVER_URL}/{database_name(leads)}")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    finally:
        connection.close()
    seconds = time.perf_counter() - started
    log(f"  VACUUM (ANALYZE) of {database_name(leads)}: {seconds:.1f} s")
    return seconds


def prepare_size(leads: int, args) -> dict:
    """Database, data and the in-process probe of one size; done for every size before any load."""
    label = size_label(leads)
    log(f"data set {label}: database {database_name(leads)}")
    prepare(leads)
    env = bench_environ(leads)
    generate = [
        sys.executable,
        "-m",
        "bench.generate",
        "--no-prepare",
        "--leads",
        str(leads),
        "--seed",
        str(args.seed),
    ]
    generated = run_json(generate, env)
    generated["queue_touches"] = run_json(
        [sys.executable, "-m", "bench.queue_touches", "--leads", str(leads)], env
    )
    generated["vacuum_seconds"] = vacuum_analyze(leads)
    probe = run_json([sys.executable, "-m", "bench.probe", "--leads", str(leads)], env)
    return {
        "leads": leads,
        "label": label,
        "database": database_name(leads),
        "generate": generated,
        "probe": probe,
    }


def run_size(result: dict, args) -> dict:
    """wrk under gunicorn for one prepared size."""
    leads, probe = result["leads"], result.pop("probe")
    log(f"load on data set {result['label']}")
    selected = [s for s in SCENARIOS if not args.only or any(o in s.name for o in args.only)]
    server = Gunicorn(bench_environ(leads), workers=args.workers)
    try:
        sessions: dict[str, str] = {}

        def session_for(scenario: Scenario) -> str:
            if scenario.user not in sessions:
                sessions[scenario.user] = login(server.base, scenario.user)
            return sessions[scenario.user]

        log("ceiling")
        result["ceiling"] = {
            "probe": probe.get(CEILING.name, {}),
            "wrk": load(server.base, CEILING.url, session_for(CEILING), args),
        }
        ceilings = [result["ceiling"]["wrk"]]
        rows = []
        for scenario in selected:
            found = probe.get(scenario.name, {})
            row = {
                "name": scenario.name,
                "url": found.get("url", scenario.url),
                "user": scenario.user,
                "probe": found,
            }
            if found.get("skip"):
                row["skipped"] = found["skip"]
                log(f"skip {scenario.name}: {found['skip']}")
            else:
                log(scenario.name)
                row["wrk"] = load(server.base, row["url"], session_for(scenario), args)
                if args.bracket:
                    # The machine is shared: the ceiling again right after, and the ratio taken against
                    # the ceilings on both sides of this scenario, not only the first one of the run.
                    row["ceiling_before"] = ceilings[-1]
                    log("  ceiling (bracket)")
                    ceilings.append(
                        load(
                            server.base,
                            CEILING.url,
                            session_for(CEILING),
                            args,
                            seconds=args.bracket,
                            warmup=2,
                        )
                    )
                    row["ceiling_after"] = ceilings[-1]
            rows.append(row)
        result["scenarios"] = rows
        if any("wrk" in r for r in rows) and not args.bracket:
            log("ceiling again (drift)")
            ceilings.append(load(server.base, CEILING.url, session_for(CEILING), args))
        if len(ceilings) > 1:
            result["ceiling_end"] = {"wrk": ceilings[-1]}
        result["ceiling_p95_all_ms"] = [round(c["p95_us"] / 1000, 1) for c in ceilings]
    finally:
        server.stop()
    return result


def judge(results: list[dict]) -> None:
    """Ratios to the ceiling of the same size and run; query counts compared across sizes."""
    queries_by_name: dict[str, set[int]] = {}
    for size in results:
        for row in size["scenarios"]:
            if "queries" in row["probe"]:
                data_queries = row["probe"]["queries"] - row["probe"].get("explain_queries", 0)
                queries_by_name.setdefault(row["name"], set()).add(data_queries)
    for size in results:
        ceiling = size["ceiling"]["wrk"]
        for row in size["scenarios"]:
            if "wrk" not in row:
                row["result"] = "skipped"
                continue
            figure = row["wrk"]
            scenario = next(s for s in SCENARIOS if s.name == row["name"])
            sides = [row[k] for k in ("ceiling_before", "ceiling_after") if k in row] or [ceiling]
            row["ceiling_p50_us"] = sum(c["p50_us"] for c in sides) / len(sides)
            row["ceiling_p95_us"] = sum(c["p95_us"] for c in sides) / len(sides)
            row["ceiling_rps"] = sum(c["rps"] for c in sides) / len(sides)
            row["ratio_p50"] = figure["p50_us"] / row["ceiling_p50_us"]
            row["ratio_p95"] = figure["p95_us"] / row["ceiling_p95_us"]
            row["ratio_rps"] = figure["rps"] / row["ceiling_rps"] if row["ceiling_rps"] else 0
            misses = []
            if row["ratio_p95"] > scenario.max_ratio:
                misses.append(f"p95 {row['ratio_p95']:.2f}× > {scenario.max_ratio:g}×")
            if figure["non200"] or figure["connect_errors"] or figure["timeouts"]:
                misses.append(f"{figure['non200']} non-200, {figure['timeouts']} timeouts")
            counts = queries_by_name.get(row["name"], set())
            if len(counts) > 1:
                misses.append(f"queries vary with size ({', '.join(map(str, sorted(counts)))})")
            exact = row["probe"].get("unbounded_counts", [])
            if exact:
                row["exact_counts"] = len(exact)
            row["result"] = "miss: " + "; ".join(misses) if misses else "pass"


# --- the CSV import ---------------------------------------------------------------------------


def run_import(leads: int, rows_list: list[int], args) -> dict:
    """Each file size in a fresh process, so peak RSS belongs to that import alone."""
    env = bench_environ(leads)
    runs = []
    for rows in rows_list:
        log(f"CSV import of {rows:,} rows into the {size_label(leads)} data set")
        command = [
            sys.executable,
            "-m",
            "bench.csv_import",
            "--leads",
            str(leads),
            "--rows",
            str(rows),
            "--seed",
            str(args.seed),
        ]
        found = run_json(command, env, timeout=1800)
        runs.append(found)
        if found.get("skip"):
            log(f"skip import: {found['skip']}")
            break
        log(f"  {found.get('rows_per_s', 0):,.0f} rows/s, peak RSS +{found.get('peak_rss_growth_mib')} MiB")
    outcome = {"leads": leads, "runs": runs}
    done = [r for r in runs if not r.get("skip")]
    if done:
        big = max(done, key=lambda r: r["rows"])
        small = min(done, key=lambda r: r["rows"])
        misses = []
        if big.get("status") != "done":
            misses.append(f"status {big.get('status')}")
        if big.get("rows_per_s", 0) < IMPORT_TARGET_ROWS_PER_S:
            misses.append(f"{big.get('rows_per_s', 0):,.0f} rows/s < {IMPORT_TARGET_ROWS_PER_S:,}")
        if big is not small:
            allowed = max(1.5 * small["peak_rss_growth_mib"], small["peak_rss_growth_mib"] + 16)
            outcome["memory_flat"] = big["peak_rss_growth_mib"] <= allowed
            if not outcome["memory_flat"]:
                misses.append("memory grows with the file")
        outcome["result"] = "miss: " + "; ".join(misses) if misses else "pass"
    else:
        outcome["result"] = "skipped"
    return outcome


# --- reporting --------------------------------------------------------------------------------


def ms(us: float) -> str:
    return f"{us / 1000:.1f}"


def generator_summary(size: dict) -> str:
    parts = []
    for part in ("ceiling", "leads"):
        g = size["generate"][part]
        if g.get("skipped"):
            rate = g.get("rows_per_s_when_loaded")
            rate_text = f" at {rate:,.0f} rows/s" if rate else ""
            loaded = (g.get("loaded_at") or "?")[:16]
            parts.append(
                f"{part} {g.get('rows_loaded', 0):,} rows already there (loaded {loaded}{rate_text})"
            )
        elif part == "ceiling":
            parts.append(f"ceiling {g['rows']:,} rows at {g['rows_per_s']:,.0f} rows/s")
        else:
            tables = ", ".join(
                f"{name} {t['rows']:,} at {t['rows_per_s']:,.0f} rows/s" for name, t in g["tables"].items()
            )
            parts.append(f"{tables}; {g['rows_per_s']:,.0f} rows/s overall with index rebuild")
    if size["generate"].get("vacuum_seconds") is not None:
        parts.append(
            f"VACUUM (ANALYZE) before the runs ({size['generate']['vacuum_seconds']:.0f} s; autovacuum is off here)"
        )
    queue = size["generate"].get("queue_touches")
    if queue:
        parts.append(
            f"{queue['user']} has {queue['touches']} due call touches for the queue ({queue['created']} created now)"
        )
    return f"{size['label']}: " + "; ".join(parts)


def shorten_sql(sql: str) -> str:
    """SELECT <columns> FROM … with the column list elided, so the WHERE and ORDER BY show."""
    sql = re.sub(
        r"^SELECT (.*?) FROM ",
        lambda m: m.group(0) if len(m.group(1)) < 80 else "SELECT … FROM ",
        sql,
        count=1,
        flags=re.DOTALL,
    )
    sql = sql.replace("`", "'")
    return sql if len(sql) <= 400 else sql[:400] + " …"


def ratio_rule(report: dict) -> str:
    if not any("wrk" in row for size in report["sizes"] for row in size["scenarios"]):
        return ""
    if report["settings"].get("bracket"):
        return (
            f"Each scenario is followed by {report['settings']['bracket']} s of ceiling; its ratio is to the "
            "mean p95 of the ceiling runs just before and after it."
        )
    return "Ratios are to the ceiling measured first."


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [
        f"## {report['date']} · `{report['command']}`",
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gib']} GiB RAM, load average "
        f"{m['loadavg_start'][0]} at start / {m.get('loadavg_end', ['?'])[0]} at end (shared with other work); "
        f"PostgreSQL on 127.0.0.1; gunicorn {report['settings']['workers']} sync workers, DEBUG=0; "
        f"{m['wrk']}, {report['settings']['connections']} connections, {report['settings']['threads']} threads, "
        f"{report['settings']['duration']} s after a {report['settings']['warmup']} s warm-up; logged in. "
        + ratio_rule(report),
        "",
        code_line(report),
        "",
        "| data set | scenario | p50 ms | p95 ms | p99 ms | req/s | ceiling p95 ms | p95 ratio | target | SQL queries | result |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for size in report["sizes"]:
        c = size["ceiling"]["wrk"]
        spread = size.get("ceiling_p95_all_ms", [])
        drift_note = (
            f" (p95 over its {len(spread)} runs: {min(spread)}–{max(spread)})" if len(spread) > 1 else ""
        )
        lines.append(
            f"| {size['label']} | **ceiling** `{CEILING.url}` | {ms(c['p50_us'])} | {ms(c['p95_us'])} | {ms(c['p99_us'])} "
            f"| {c['rps']:.0f} | — | 1.00 | ref{drift_note} | {size['ceiling']['probe'].get('queries', '?')} | ceiling |"
        )
        for row in size["scenarios"]:
            url = f"`{row['url']}`" + (" (SDR)" if row["user"] != "bench-manager" else "")
            if "wrk" not in row:
                lines.append(
                    f"| {size['label']} | {row['name']} {url} | | | | | | | ≤ 2× | | skipped: {row['skipped']} |"
                )
                continue
            w = row["wrk"]
            queries = row["probe"].get("queries", "?")
            if row["probe"].get("explain_queries"):
                queries = f"{queries} ({row['probe']['explain_queries']} EXPLAIN)"
            if row.get("exact_counts"):
                queries = f"{queries} ({row['exact_counts']} unbounded COUNT)"
            lines.append(
                f"| {size['label']} | {row['name']} {url} | {ms(w['p50_us'])} | {ms(w['p95_us'])} | {ms(w['p99_us'])} "
                f"| {w['rps']:.0f} | {ms(row['ceiling_p95_us'])} | {row['ratio_p95']:.2f} | ≤ 2× | {queries} | {row['result']} |"
            )
    slow = [
        f"- {size['label']} · {row['name']}: one request {row['probe'].get('in_process_ms', '?')} ms, of which "
        f"SQL {row['probe'].get('sql_ms', '?')} ms; slowest query {row['probe']['slowest_sql']['ms']} ms: "
        f"`{shorten_sql(row['probe']['slowest_sql']['sql'])}`"
        for size in report["sizes"]
        for row in size["scenarios"]
        if row.get("result", "").startswith("miss") and row["probe"].get("slowest_sql")
    ]
    if slow:
        lines += [
            "",
            "Where a missed scenario spends its time (one in-process request, test client; all SQL in the JSON):",
            *slow,
        ]
    lines += [
        "",
        "Generator (seeded, COPY): " + "; ".join(generator_summary(s) for s in report["sizes"]) + ".",
    ]
    imp = report.get("import")
    if imp:
        lines += [
            "",
            "| CSV import (task in its own process) | rows | file MiB | seconds | rows/s | target | database's own insert, rows/s | then search indexing, s | peak RSS growth MiB | result |",
            "|---|---:|---:|---:|---:|---|---:|---:|---:|---|",
        ]
        for run in imp["runs"]:
            if run.get("skip"):
                lines.append(
                    f"| into {size_label(imp['leads'])} | {run['rows']:,} | | | | ≥ 20,000 | | | | skipped: {run['skip']} |"
                )
                continue
            lines.append(
                f"| into {size_label(imp['leads'])} | {run['rows']:,} | {run['file_bytes'] / 2**20:.1f} | {run.get('seconds', 0):.1f} "
                f"| {run.get('rows_per_s', 0):,.0f} | ≥ 20,000 | {run.get('db_ceiling', {}).get('rows_per_s', 0):,.0f} "
                f"| {run.get('search_indexing', {}).get('seconds', 0):.1f} | {run['peak_rss_growth_mib']} | {run.get('status')} |"
            )
        lines.append(
            "\nThe database's own insert: the same leads inserted again by one hand-written INSERT … SELECT "
            "(indexes and foreign-key checks included, search deferred like the import's, rolled back). Search "
            "indexing: the import's leads indexed for `q=` afterwards, by the task a worker runs when it is done."
        )
        lines.append(f"\nImport verdict: {imp['result']}.")
    lines += ["", f"Raw figures: `bench/out/{report['stamp']}.json`.", ""]
    return "\n".join(lines)


RESULTS_HEADER = """# Bench results

Every figure is measured beside the **ceiling** (a bare Django view rendering one indexed 50-row
SELECT from a 1M-row table, `/bench/ceiling/`) in the same run on the same machine; the ratio is
what to compare across machines and runs. Targets (design/ARCHITECTURE.md): lead list, lead
detail and queue p95 within 2× of the ceiling with a constant number of SQL queries; CSV import
≥ 20,000 rows/s with flat memory. One section per command, newest first; re-running a command
replaces its section. How to run and read it: `bench/README.md`.
"""


def update_results(report: dict) -> None:
    write_section(report["command"], markdown(report), header=RESULTS_HEADER)


# --- main ---------------------------------------------------------------------------------------


def code_state() -> dict:
    """The commit and the uncommitted files outside bench/: the tree is shared and may move mid-run."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO_DIR, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    dirty = [
        line[3:] for line in git("status", "--porcelain").splitlines() if not line[3:].startswith("bench/")
    ]
    return {"commit": git("rev-parse", "--short", "HEAD"), "uncommitted": sorted(dirty)}


def code_line(report: dict) -> str:
    start, end = report.get("code_start"), report.get("code_end")
    if not start:
        return ""
    dirty = f" + {len(start['uncommitted'])} uncommitted files" if start["uncommitted"] else ""
    line = f"Code: `{start['commit']}`{dirty}."
    if end and end != start:
        line += (
            f" **The code changed during this run** (now `{end['commit']}`): other work landed between "
            "sizes or scenarios, so a query count that differs between sizes may be a code change."
        )
    return line


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for part in text.split(","):
        part = part.strip().lower()
        factor = 1_000_000 if part.endswith("m") else 1_000 if part.endswith("k") else 1
        sizes.append(int(float(part.rstrip("mk")) * factor))
    return sizes


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10k", help="lead counts, e.g. 10k,1m (default 10k)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--duration", type=int, default=20, help="seconds of measured load per scenario")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--bracket",
        type=int,
        default=10,
        help="seconds of ceiling after each scenario; ratios use the ceilings on both sides (0: off)",
    )
    parser.add_argument(
        "--only", action="append", help="scenario name contains (repeatable); 'ceiling' = none"
    )
    parser.add_argument(
        "--import-rows", default="10000,100000", help="CSV import file sizes; the biggest is judged"
    )
    parser.add_argument("--no-import", action="store_true")
    parser.add_argument("--no-results", action="store_true", help="do not touch bench/RESULTS.md")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: run bench/run.sh (installs it) or apt-get install -y wrk")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    command = os.environ.get("BENCH_COMMAND") or "python -m bench.run " + shlex.join(
        argv if argv is not None else sys.argv[1:]
    )
    now = datetime.datetime.now(datetime.UTC)
    report = {
        "command": command.strip(),
        "date": now.strftime("%Y-%m-%d %H:%M UTC"),
        "stamp": now.strftime("%Y%m%dT%H%M%SZ"),
        "machine": machine(),
        "settings": {
            k: getattr(args, k)
            for k in ("duration", "warmup", "connections", "threads", "workers", "seed", "bracket")
        },
        "sizes": [],
    }
    sizes = parse_sizes(args.sizes)
    report["code_start"] = code_state()
    prepared = [prepare_size(leads, args) for leads in sizes]  # probes close together, same code
    for size in prepared:
        report["sizes"].append(run_size(size, args))
    judge(report["sizes"])
    if not args.no_import:
        target = REFERENCE_LEADS if REFERENCE_LEADS in sizes else max(sizes)
        report["import"] = run_import(target, sorted(parse_sizes(args.import_rows)), args)
    report["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    report["code_end"] = code_state()
    out = OUT_DIR / f"{report['stamp']}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    log(f"raw figures: {out}")
    if not args.no_results:
        update_results(report)
        log(f"updated {RESULTS_MD}")
    print(markdown(report))
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
