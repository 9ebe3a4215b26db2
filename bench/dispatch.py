"""The email dispatcher at scale: N due email touches sent to a local SMTP sink by 2 Celery workers.

    python -m bench.dispatch                  # 100,000 touches (issue 4 item 10: < 120 s, none twice)
    python -m bench.dispatch --touches 2000 --no-results
    python -m bench.dispatch --sink aiosmtpd  # the test suite's SMTP server as the sink

A database of its own (`sdrcrm_bench_dispatch`, dropped, created and migrated each run) so the 1M
reference set is untouched. Seeds one team, one SDR, N leads with distinct addresses, one cadence with
a single automatic email step (window 00:00-23:59 UTC, every day), N active enrollments and N email
touches due now; the team's caps are off (daily cap 2,000,000,000, no company cap). Starts an SMTP
sink in its own process (`bench/smtp_sink.py`, or aiosmtpd with `--sink aiosmtpd`; it appends one line
per message: time, Message-ID, recipient) and 2 Celery
worker processes (`celery -A sdrcrm worker -c 1` each) on Redis db 14, on a queue of their own. Then
it does what beat does, every second: the reaper, then `dispatch_due()`, until no touch is scheduled
or sending (or `--timeout`). Reports the seconds from the first dispatch to the last message at the
sink, messages/s, the sink's count, distinct Message-IDs and recipients, touches per status. Target:
all sent in < 120 s, no address twice. Every process it starts is stopped before it exits.
"""

import argparse
import collections
import contextlib
import datetime
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

from bench.env import OUT_DIR, PG_SERVER_URL, REFERENCE_LEADS, REPO_DIR, bench_environ
from bench.results import RESULTS_MD, machine, write_section

DATABASE = "sdrcrm_bench_dispatch"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
TARGET_SECONDS = 120.0
SINKS = {
    "lean": "the bench's lean SMTP sink (`bench/smtp_sink.py`, asyncio)",
    "aiosmtpd": "an aiosmtpd sink",
}
WORKERS = 2


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"SMTP sink not listening on {port}")


def environ(email_url: str = "") -> dict[str, str]:
    env = bench_environ(REFERENCE_LEADS)
    env.update(
        {
            "DATABASE_URL": f"{PG_SERVER_URL}/{DATABASE}",
            "REDIS_URL": REDIS_URL,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    if email_url:
        env["EMAIL_URL"] = email_url
    return env


def recreate_database() -> None:
    import psycopg2

    connection = psycopg2.connect(f"{PG_SERVER_URL}/postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        connection.close()
    subprocess.run(
        [sys.executable, str(REPO_DIR / "manage.py"), "migrate", "--noinput", "-v", "0"],
        env=environ(),
        cwd=REPO_DIR,
        check=True,
    )


def seed(n: int) -> dict:
    from django.utils import timezone

    from cadences.models import (
        Cadence,
        Channel,
        Enrollment,
        EnrollmentState,
        Step,
        TeamSendingPolicy,
        Touch,
        TouchStatus,
    )
    from leads.models import Lead
    from sdrcrm.accounts.models import Role, Team, User

    started = time.monotonic()
    now = timezone.now()
    team = Team.objects.create(name="bench-dispatch")
    sdr = User.objects.create(
        username="bench-dispatch-sdr", email="sdr@bench.test", first_name="Bench", last_name="Sdr",
        role=Role.SDR, team=team, timezone="UTC",
    )  # fmt: skip
    TeamSendingPolicy.objects.create(team=team, daily_send_cap=2_000_000_000, account_touch_cap=None)
    cadence = Cadence.objects.create(
        team=team, name="bench dispatch", business_days_only=False,
        window_start=datetime.time(0, 0), window_end=datetime.time(23, 59), created_by=sdr,
    )  # fmt: skip
    step = Step.objects.create(
        cadence=cadence, position=1, wait_days=0, channel=Channel.EMAIL,
        subject="Quick question", body="Hi there,\n\na short note from the dispatcher bench.\n",
    )  # fmt: skip
    batch = 5000
    leads = Lead.objects.bulk_create(
        [
            Lead(team=team, owner=sdr, first_name="Lead", last_name=str(i), email=f"lead{i}@bench.test",
                 timezone="UTC", company="Bench", created_at=now)
            for i in range(n)
        ],
        batch_size=batch,
    )  # fmt: skip
    enrollments = Enrollment.objects.bulk_create(
        [
            Enrollment(team=team, lead=lead, cadence=cadence, state=EnrollmentState.ACTIVE, enrolled_by=sdr,
                       created_at=now)
            for lead in leads
        ],
        batch_size=batch,
    )  # fmt: skip
    due = now - datetime.timedelta(minutes=1)
    Touch.objects.bulk_create(
        [
            Touch(team=team, enrollment=enrollment, lead_id=enrollment.lead_id, step=step, owner=sdr,
                  channel=Channel.EMAIL, due_at=due, status=TouchStatus.SCHEDULED, created_at=now)
            for enrollment in enrollments
        ],
        batch_size=batch,
    )  # fmt: skip
    from django.db import connection

    with connection.cursor() as cursor:  # statistics, as a database that grew by use has them
        cursor.execute("ANALYZE")
    return {"seconds": round(time.monotonic() - started, 1), "team": team.pk}


def start_worker(index: int, queue: str, env: dict, log_dir: Path) -> tuple[subprocess.Popen, Path]:
    log_path = log_dir / f"dispatch-worker{index}.log"
    log_path.write_bytes(b"")
    log = open(log_path, "ab")  # noqa: SIM115 (the worker owns it while it runs)
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "sdrcrm", "worker", "-Q", queue, "-c", "1", "--pool", "prefork",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "WARNING", "-n",
         f"bench{index}-{queue}@%h"],
        cwd=REPO_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    return process, log_path


def wait_ready(process: subprocess.Popen, log_path: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"worker exited: see {log_path}")
        if b"[queues]" in log_path.read_bytes():  # the banner (-l WARNING hides "ready.")
            return
        time.sleep(0.2)
    raise RuntimeError(f"worker not ready after {timeout}s: see {log_path}")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def drop_queue(queue: str) -> None:
    """The tasks left in the bench's own queue (a run that timed out) go with it."""
    import redis

    with contextlib.suppress(redis.RedisError):
        redis.Redis.from_url(REDIS_URL).delete(
            queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
        )


def read_sink(path: Path) -> list[tuple[float, str, str]]:
    rows = []
    for line in path.read_text().splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            rows.append((float(parts[0]), parts[1], parts[2]))
    return rows


def statuses() -> dict[str, int]:
    from django.db.models import Count

    from cadences.models import Touch

    return dict(Touch.objects.values_list("status").annotate(n=Count("id")).order_by())


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of one live process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid:
                pids.append(int(entry.name))
    return pids


def cpu_snapshot(workers: list, sink) -> dict[str, dict]:
    """CPU seconds so far, per role: the worker processes, the sink, the dispatcher (this process); and
    PostgreSQL's busy time in the bench database (`pg_stat_database.active_time`: statements running,
    wall clock, every session; the workers' sessions end with each task, so /proc cannot see them)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT active_time / 1000.0, xact_commit FROM pg_stat_database WHERE datname = current_database()"
        )
        active, commits = cursor.fetchone()
    return {
        "workers": {pid: _process_cpu(pid) for worker in workers for pid in _group_pids(worker.pid)},
        "sink": {pid: _process_cpu(pid) for pid in _group_pids(sink.pid)},
        "dispatcher": {os.getpid(): time.process_time()},
        "postgres_busy": {0: float(active)},
        "postgres_commits": {0: float(commits)},
    }


def cpu_used(before: dict, after: dict) -> dict[str, float]:
    return {
        role: round(sum(seconds - before[role].get(pid, 0.0) for pid, seconds in pids.items()), 1)
        for role, pids in after.items()
    }


def commit() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_DIR, capture_output=True, text=True, check=False
    )
    return result.stdout.strip()


def measure(args) -> dict:
    n = args.touches
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    report = {
        "started": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": args.command,
        "touches": n,
        "workers": WORKERS,
        "machine": machine(),
        "code": commit(),
        "database": DATABASE,
        "sink": args.sink,
    }
    print(f"recreating database {DATABASE} and migrating …", flush=True)
    recreate_database()
    port = free_port()
    email_url = f"smtp://127.0.0.1:{port}"
    env = environ(email_url)
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    print(f"seeding {n:,} leads, enrollments and due email touches …", flush=True)
    report["seed"] = seed(n)
    print(f"seeded in {report['seed']['seconds']} s", flush=True)
    connection.close()

    sink_path = OUT_DIR / f"dispatch-sink-{stamp}.tsv"
    sink_path.write_text("")
    queue = f"bench-dispatch-{uuid.uuid4().hex[:8]}"
    sink = None
    workers: list[subprocess.Popen] = []
    try:
        sink = subprocess.Popen(
            [sys.executable, "-m", "bench.smtp_sink", f"--{args.sink}", str(port), str(sink_path)],
            cwd=REPO_DIR, env=env, start_new_session=True,
        )  # fmt: skip
        wait_for_port(port)
        logs = []
        for index in range(1, WORKERS + 1):
            process, log_path = start_worker(index, queue, env, OUT_DIR)
            workers.append(process)
            logs.append(log_path)
        for process, log_path in zip(workers, logs, strict=True):
            wait_ready(process, log_path)
        time.sleep(3.0)  # the banner comes before the broker connection
        print(f"sink on {port}, {WORKERS} workers ready on queue {queue}; dispatching …", flush=True)

        from cadences import services
        from sdrcrm.celery import app

        report["send_chunk"] = services.sending.SEND_CHUNK
        app.conf.task_always_eager = False
        app.conf.task_default_queue = queue
        report["durable_commit_ms"] = durable_commit_ms()
        cpu_before = cpu_snapshot(workers, sink)
        t0 = time.time()
        deadline = time.monotonic() + args.timeout
        passes = []
        while True:
            tick = time.monotonic()
            reaped = services.touches_reap_expired()
            claimed = services.dispatch_due()
            passes.append(
                {"at": round(time.time() - t0, 2), "claimed": claimed, "pass_seconds": round(time.monotonic() - tick, 2),
                 **reaped}
            )  # fmt: skip
            counts = statuses()
            open_ = counts.get("scheduled", 0) + counts.get("sending", 0)
            sunk = sum(1 for _ in sink_path.open())
            print(
                f"  t+{time.time() - t0:6.1f}s claimed {claimed:>6}  at sink {sunk:>6}  open {open_:>6}  {counts}",
                flush=True,
            )
            if open_ == 0 or time.monotonic() > deadline:
                break
            time.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
        time.sleep(1.0)  # a message finalised just now is at the sink already; let the file settle
        time.sleep(1.0)  # PostgreSQL publishes its session statistics about once a second
        report["cpu_seconds"] = cpu_used(cpu_before, cpu_snapshot(workers, sink))
        report["timed_out"] = open_ != 0
        report["statuses"] = statuses()
        report["passes"] = passes
    finally:
        for process in workers:
            stop(process)
        stop(sink)
        drop_queue(queue)
    report["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]

    rows = read_sink(sink_path)
    recipients = collections.Counter(rcpt for _, _, rcpt in rows)
    message_ids = {mid for _, mid, _ in rows}
    last = max((at for at, _, _ in rows), default=t0)
    seconds = last - t0
    twice = {rcpt: count for rcpt, count in recipients.items() if count > 1}
    done = report["statuses"].get("done", 0)
    report.update(
        {
            "seconds": round(seconds, 1),
            "first_message_after": round(min((at for at, _, _ in rows), default=t0) - t0, 2),
            "at_sink": len(rows),
            "distinct_message_ids": len(message_ids),
            "distinct_recipients": len(recipients),
            "addresses_twice": len(twice),
            "messages_per_second": round(len(rows) / seconds, 1) if seconds > 0 else 0.0,
            "sink_file": str(sink_path.relative_to(REPO_DIR)),
        }
    )
    problems = []
    if seconds >= TARGET_SECONDS or report["timed_out"]:
        problems.append(f"{seconds:.1f} s ≥ {TARGET_SECONDS:g} s" if not report["timed_out"] else "timed out")
    if twice:
        problems.append(f"{len(twice)} addresses got 2+ messages")
    if len(rows) != n or done != n:
        problems.append(f"{len(rows):,} at sink / {done:,} done of {n:,}")
    report["result"] = "pass" if not problems else "miss: " + "; ".join(problems)
    json_path = OUT_DIR / f"dispatch-{stamp}.json"
    report["json"] = json_path.name
    json_path.write_text(json.dumps(report, indent=2, default=str))
    return report


def markdown(report: dict) -> str:
    m = report["machine"]
    cpu = f" ({' '.join(m['cpu'].split()[:2])})" if m["cpu"] else ""
    s = report["statuses"]
    lines = [
        f"## {report['started']} · `{report['command']}`",
        "",
        f"Machine: {m['nproc']} CPUs{cpu}, {m['memory_gib']} GiB RAM, load average {m['loadavg_start'][0]} at "
        f"start / {m['loadavg_end'][0]} at end (shared with other work); PostgreSQL on 127.0.0.1, database "
        f"`{report['database']}` (recreated and migrated for the run; seeding took {report['seed']['seconds']} s, "
        f"not timed); Redis db 14; DEBUG=0. {report['workers']} Celery worker processes "
        "(`celery -A sdrcrm worker -c 1` each, prefork, on a queue of their own); "
        f"{SINKS[report['sink']]} on 127.0.0.1 in its own process, logging time, Message-ID and "
        "recipient of every message. One team, "
        f"one SDR (the sender of every email; daily cap off, company cap off), {report['touches']:,} leads with "
        "distinct addresses, one cadence with one automatic email step (00:00–23:59 UTC, every day), one "
        "active enrollment and one email touch due now per lead. The bench process does what beat does, "
        "every second: `touches_reap_expired()` then `dispatch_due()` (claims in batches of 500 with a lease, "
        f"one `cadences.touches_send` task per {report['send_chunk']} claimed touches, each over one SMTP "
        "connection), until no touch "
        "is scheduled or sending. Time = first dispatch → "
        "last message at the sink. Target: < 120 s, no address twice.",
        "",
        f"Code: `{report['code']}`.",
        "",
        "| touches | seconds | messages/s | at sink | distinct Message-IDs | distinct recipients | addresses "
        "twice | done | unknown | failed | still open | target | result |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
        f"| {report['touches']:,} | {report['seconds']:.1f} | {report['messages_per_second']:,.1f} | "
        f"{report['at_sink']:,} | {report['distinct_message_ids']:,} | {report['distinct_recipients']:,} | "
        f"{report['addresses_twice']:,} | {s.get('done', 0):,} | {s.get('unknown', 0):,} | {s.get('failed', 0):,} | "
        f"{s.get('scheduled', 0) + s.get('sending', 0):,} | < 120 s, none twice | {report['result']} |",
        "",
        f"First message at the sink {report['first_message_after']} s after the first dispatch; dispatcher "
        f"passes: {len(report['passes'])} (the first claimed {report['passes'][0]['claimed']:,} in "
        f"{report['passes'][0]['pass_seconds']} s, enqueueing included). Raw figures: "
        f"`bench/out/{report['json']}`; every message: `{report['sink_file']}` (not committed).",
        "",
        cpu_line(report),
        "",
    ]
    return "\n".join(lines)


def cpu_line(report: dict) -> str:
    """Where the time went: CPU per process and PostgreSQL's busy time, per message sent."""
    cpu, sent = report["cpu_seconds"], max(report["at_sink"], 1)
    per_message = {role: 1000 * seconds / sent for role, seconds in cpu.items()}
    processes = per_message["workers"] + per_message["sink"] + per_message["dispatcher"]
    flush = report.get("durable_commit_ms")
    flush_text = (
        f"; one durable commit (a one-row UPDATE) took {flush} ms at the start of the run" if flush else ""
    )
    return (
        f"Where the time went (/proc, pg_stat_database): CPU per message sent — Celery workers "
        f"{per_message['workers']:.2f} ms, SMTP sink {per_message['sink']:.2f} ms, dispatcher "
        f"{per_message['dispatcher']:.2f} ms ({processes:.2f} ms in all, ~{1000 * report['machine']['nproc'] / processes:,.0f} "
        f"msg/s if they had the {report['machine']['nproc']} cores to themselves); PostgreSQL had statements running "
        f"{cpu['postgres_busy']:,.1f} s ({per_message['postgres_busy']:.2f} ms per message, wall clock over all sessions, "
        f"waits for the disk included) for {cpu['postgres_commits'] / sent:.1f} commits per message{flush_text}."
    )


def durable_commit_ms() -> float:
    """The median time of one synchronous commit (a one-row UPDATE) in the bench database: the floor
    under each message, whose started marker must reach the disk before it is sent."""
    from django.db import connection

    timings = []
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_commit_probe (id int PRIMARY KEY, n int NOT NULL)")
        cursor.execute("INSERT INTO bench_commit_probe VALUES (1, 0) ON CONFLICT DO NOTHING")
        for _ in range(50):
            started = time.perf_counter()
            cursor.execute("UPDATE bench_commit_probe SET n = n + 1 WHERE id = 1")
            timings.append(time.perf_counter() - started)
    return round(1000 * sorted(timings)[len(timings) // 2], 2)


def update_results(report: dict) -> None:
    write_section(report["command"], markdown(report))


def main(argv: list[str] | None = None) -> dict | None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m bench.dispatch", description=__doc__.split("\n")[0])
    parser.add_argument("--touches", type=int, default=100_000, help="due email touches to send")
    parser.add_argument("--timeout", type=float, default=300.0, help="give up after this many seconds")
    parser.add_argument(
        "--sink", choices=("lean", "aiosmtpd"), default="lean",
        help="the SMTP sink: bench/smtp_sink.py (default) or aiosmtpd, the test suite's",
    )  # fmt: skip
    parser.add_argument("--no-results", action="store_true", help="do not touch bench/RESULTS.md")
    args = parser.parse_args(argv)
    # The options that differ from the defaults name the run (and its section of RESULTS.md).
    shown = [f"--touches {args.touches}"] if args.touches != parser.get_default("touches") else []
    shown += [f"--timeout {args.timeout:g}"] if args.timeout != parser.get_default("timeout") else []
    shown += [f"--sink {args.sink}"] if args.sink != parser.get_default("sink") else []
    args.command = " ".join(["python -m bench.dispatch", *shown])
    report = measure(args)
    print(
        f"{report['touches']:,} touches: {report['seconds']} s, {report['messages_per_second']} msg/s, "
        f"{report['at_sink']:,} at sink, {report['distinct_message_ids']:,} distinct Message-IDs, "
        f"{report['addresses_twice']} addresses twice, statuses {report['statuses']} → {report['result']}",
        flush=True,
    )
    if not args.no_results:
        update_results(report)
        print(f"updated {RESULTS_MD}", flush=True)
    return report


if __name__ == "__main__":
    main()
