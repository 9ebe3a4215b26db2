"""The dashboard funnel at scale: the product's `metrics.selectors.funnel` against the same aggregates
written by hand in SQL, in the same process, on the same connection, in the same run.

    python -m bench.funnel                 # 1M reference set (sdrcrm_bench), quarter + week
    python -m bench.funnel --reps 7 --no-results

Issue 6 item 5: the funnel for a quarter answers within 2x of hand-written SQL. For the team's manager
(`bench-manager`), the period is the calendar quarter (in the team's days) with the most leads created,
and one full Monday-Sunday week, the last one inside that quarter. Each side gets 1 warm-up and then
`--reps` timed repetitions, product and hand SQL alternating so a busy shared machine weighs on both.
Timed: the `funnel(scope=, period=)` call only (the scope and period are built once beforehand), and
the hand SQL queries plus fetching their rows. Both must give the same numbers for every key both
compute; a mismatch is printed and recorded, never hidden. Ratio = product / hand SQL, for the median
and the p95; the target is met when both are <= 2. Writes bench/out/funnel-<stamp>.json and the
section of bench/RESULTS.md for this command.
"""

import argparse
import datetime
import json
import os
import shlex
import statistics
import sys
import time
from decimal import ROUND_HALF_UP, Decimal

from bench.env import OUT_DIR, REFERENCE_LEADS, apply_environ, database_name, size_label
from bench.results import RESULTS_MD, machine, write_section
from bench.scenarios import MANAGER

TARGET = 2.0
CENT = Decimal("0.01")

# The same aggregates, written by hand: one statement per table, the period bounds as parameters.
HAND_LEADS = """
SELECT
  count(*) FILTER (WHERE created_at >= %(s)s AND created_at < %(e)s) AS leads,
  count(*) FILTER (WHERE mql_at >= %(s)s AND mql_at < %(e)s) AS mqls,
  count(*) FILTER (WHERE first_touch_at >= %(s)s AND first_touch_at < %(e)s) AS contacted,
  count(*) FILTER (WHERE created_at >= %(s)s AND created_at < %(e)s AND first_touch_at IS NOT NULL)
    AS followed_up,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_touch_at - created_at))
    FILTER (WHERE created_at >= %(s)s AND created_at < %(e)s AND first_touch_at IS NOT NULL)
    AS median_seconds
FROM leads_lead
WHERE team_id = %(team)s
  AND ((created_at >= %(s)s AND created_at < %(e)s)
    OR (mql_at >= %(s)s AND mql_at < %(e)s)
    OR (first_touch_at >= %(s)s AND first_touch_at < %(e)s))
"""
HAND_HANDOFFS = """
SELECT
  count(*) FILTER (WHERE created_at >= %(s)s AND created_at < %(e)s) AS sqls,
  count(*) FILTER (WHERE decided_at >= %(s)s AND decided_at < %(e)s AND status = 'accepted') AS accepted,
  count(*) FILTER (WHERE decided_at >= %(s)s AND decided_at < %(e)s AND status = 'rejected') AS rejected
FROM handoffs_handoff
WHERE team_id = %(team)s
  AND ((created_at >= %(s)s AND created_at < %(e)s) OR (decided_at >= %(s)s AND decided_at < %(e)s))
"""
HAND_OPPORTUNITIES = """
SELECT
  count(*) FILTER (WHERE o.created_at >= %(s)s AND o.created_at < %(e)s) AS opportunities,
  sum(o.amount) FILTER (WHERE o.created_at >= %(s)s AND o.created_at < %(e)s) AS pipeline,
  count(*) FILTER (WHERE o.created_at >= %(s)s AND o.created_at < %(e)s
    AND (o.reached_stage2_at IS NOT NULL OR o.stage IN ('demo', 'proposal', 'negotiation', 'won')))
    AS stage2,
  count(*) FILTER (WHERE o.closed_at >= %(s)s AND o.closed_at < %(e)s AND o.stage = 'won') AS won,
  sum(o.amount) FILTER (WHERE o.closed_at >= %(s)s AND o.closed_at < %(e)s AND o.stage = 'won')
    AS won_revenue,
  count(*) FILTER (WHERE o.closed_at >= %(s)s AND o.closed_at < %(e)s AND o.stage = 'lost') AS lost,
  sum(o.amount) FILTER (WHERE o.closed_at >= %(s)s AND o.closed_at < %(e)s AND o.stage = 'won'
    AND u.role IN ('sdr', 'bdr')) AS sdr_sourced_revenue
FROM handoffs_opportunity o
LEFT JOIN accounts_user u ON u.id = o.sourced_by_id
WHERE o.team_id = %(team)s
  AND ((o.created_at >= %(s)s AND o.created_at < %(e)s) OR (o.closed_at >= %(s)s AND o.closed_at < %(e)s))
"""
HAND_HEADS = """
SELECT count(*) FILTER (WHERE role IN ('sdr', 'bdr')) AS sdrs, count(*) FILTER (WHERE role = 'ae') AS aes
FROM accounts_user WHERE is_active AND team_id = %(team)s
"""
HAND_QUERIES = [HAND_LEADS, HAND_HANDOFFS, HAND_OPPORTUNITIES, HAND_HEADS]


def cents(amount) -> str:
    return str((amount or Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP))


def hand_sql(params: dict) -> dict:
    """The hand-written queries; returns the raw rows by column name."""
    from django.db import connection

    row: dict = {}
    with connection.cursor() as cursor:
        for sql in HAND_QUERIES:
            cursor.execute(sql, params)
            names = [column[0] for column in cursor.description]
            row.update(zip(names, cursor.fetchone(), strict=True))
    return row


def hand_figures(raw: dict) -> dict:
    """The hand SQL's rows under the funnel's key names (formatting only, no recomputation)."""
    seconds = raw["median_seconds"]
    return {
        "leads": raw["leads"],
        "mqls": raw["mqls"],
        "contacted": raw["contacted"],
        "followed_up": raw["followed_up"],
        "speed_to_lead_median_minutes": None if seconds is None else round(float(seconds) / 60, 2),
        "sqls": raw["sqls"],
        "handoffs_accepted": raw["accepted"],
        "handoffs_rejected": raw["rejected"],
        "opportunities": raw["opportunities"],
        "pipeline": cents(raw["pipeline"]),
        "stage2_opportunities": raw["stage2"],
        "won_deals": raw["won"],
        "won_revenue": cents(raw["won_revenue"]),
        "lost_deals": raw["lost"],
        "sdr_sourced_revenue": cents(raw["sdr_sourced_revenue"]),
        "sdr_headcount": raw["sdrs"],
        "ae_headcount": raw["aes"],
    }


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (with 7 values the p95 is the slowest one)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def busiest_quarter(zone) -> tuple[datetime.date, datetime.date, int]:
    """The calendar quarter, in the team's days, with the most leads created."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT date_trunc('quarter', created_at AT TIME ZONE %s)::date AS q, count(*) "
            "FROM leads_lead GROUP BY 1 ORDER BY 2 DESC, 1 DESC LIMIT 1",
            [str(zone)],
        )
        start, count = cursor.fetchone()
    end = datetime.date(
        start.year + (start.month + 3 > 12), (start.month + 2) % 12 + 1, 1
    ) - datetime.timedelta(days=1)
    return start, end, count


def measure(label: str, scope, period, reps: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from metrics.selectors import funnel

    params = {"s": period.start_at, "e": period.end_at, "team": scope.team_id}
    # Warm-up, and the numbers both sides give (with the product's query count).
    with CaptureQueriesContext(connection) as captured:
        product = funnel(scope=scope, period=period)
    hand = hand_figures(hand_sql(params))
    mismatches = [
        {"key": key, "product": product.get(key, "<missing>"), "hand_sql": value}
        for key, value in hand.items()
        if product.get(key, "<missing>") != value
    ]
    times: dict[str, list[float]] = {"product": [], "hand_sql": []}
    for _ in range(reps):
        started = time.perf_counter()
        funnel(scope=scope, period=period)
        times["product"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        hand_sql(params)
        times["hand_sql"].append((time.perf_counter() - started) * 1000)
    stats = {
        side: {"median_ms": statistics.median(values), "p95_ms": percentile(values, 95), "runs_ms": values}
        for side, values in times.items()
    }
    median_ratio = stats["product"]["median_ms"] / stats["hand_sql"]["median_ms"]
    p95_ratio = stats["product"]["p95_ms"] / stats["hand_sql"]["p95_ms"]
    passed = median_ratio <= TARGET and p95_ratio <= TARGET
    return {
        "label": label,
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "zone": str(period.zone),
        "bounds_utc": [period.start_at.isoformat(), period.end_at.isoformat()],
        "product_queries": len(captured.captured_queries),
        "product_sql": [query["sql"] for query in captured.captured_queries],
        "hand_sql": HAND_QUERIES,
        "figures": {key: product.get(key) for key in hand},
        "hand_figures": hand,
        "mismatches": mismatches,
        **stats,
        "median_ratio": median_ratio,
        "p95_ratio": p95_ratio,
        "result": "pass" if passed else f"miss: {max(median_ratio, p95_ratio):.2f}x > {TARGET:g}x",
    }


def markdown(report: dict) -> str:
    m = report["machine"]
    cpu = f" ({m['cpu'].split()[0]} {m['cpu'].split()[1]})" if len(m["cpu"].split()) > 1 else ""
    code = report["code_start"]
    dirty = f" + {len(code['uncommitted'])} uncommitted files" if code["uncommitted"] else ""
    changed = ""
    if report["code_end"] != code:
        changed = f" **The code changed during this run** (now `{report['code_end']['commit']}`)."
    lines = [
        f"## {report['started']} · `{report['command']}`",
        "",
        f"Machine: {m['nproc']} CPUs{cpu}, {m['memory_gib']} GiB RAM, load average "
        f"{m['loadavg_start'][0]} at start / {m['loadavg_end'][0]} at end (shared with other work); "
        f"PostgreSQL on 127.0.0.1, database `{report['database']}` ({report['leads_in_db']:,} leads, "
        f"{report['activities_in_db']:,} activities, {report['handoffs_in_db']:,} handoffs, "
        f"{report['opportunities_in_db']:,} opportunities); DEBUG=0; in-process, one connection. "
        f"Caller: `{report['user']}` (manager, whole team, {report['zone']} days). Each side: 1 warm-up, "
        f"then {report['reps']} timed repetitions, product and hand SQL alternating. Product = the "
        "`metrics.selectors.funnel(scope=, period=)` call (what `/api/metrics/funnel/` computes); hand "
        f"SQL = {len(HAND_QUERIES)} statements (leads, handoffs, opportunities, users) with the same "
        "keys and period bounds. Ratio = product / hand SQL; target ≤ 2× on both median and p95.",
        "",
        f"Code: `{code['commit']}`{dirty}.{changed}",
        "",
        "| period | from – to | product median ms | product p95 ms | hand SQL median ms | hand SQL p95 ms "
        "| median ratio | p95 ratio | target | product SQL queries | same numbers | result |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---|---|",
    ]
    for run in report["periods"]:
        same = "yes" if not run["mismatches"] else f"**no: {len(run['mismatches'])} keys differ**"
        lines.append(
            f"| {run['label']} | {run['from']} – {run['to']} | {run['product']['median_ms']:.1f} | "
            f"{run['product']['p95_ms']:.1f} | {run['hand_sql']['median_ms']:.1f} | "
            f"{run['hand_sql']['p95_ms']:.1f} | {run['median_ratio']:.2f} | {run['p95_ratio']:.2f} | ≤ 2× | "
            f"{run['product_queries']} | {same} | {run['result']} |"
        )
    lines.append("")
    for run in report["periods"]:
        figures = run["figures"]
        shown = ", ".join(
            f"{key} {figures[key]}"
            for key in ("leads", "mqls", "contacted", "followed_up", "speed_to_lead_median_minutes", "sqls")
        )
        lines.append(
            f"- {run['label']}: {shown}; handoffs/opportunities/won all 0 (none in this data set)"
            if not figures["sqls"] and not figures["opportunities"]
            else f"- {run['label']}: {shown}"
        )
        for miss in run["mismatches"]:
            lines.append(
                f"  - MISMATCH `{miss['key']}`: product {miss['product']!r}, hand SQL {miss['hand_sql']!r}"
            )
    lines += ["", f"Raw figures (every run, both sides' SQL): `bench/out/{report['json']}`.", ""]
    return "\n".join(lines)


def update_results(report: dict) -> None:
    write_section(report["command"], markdown(report))


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.funnel", description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=7, help="timed repetitions per side (after 1 warm-up)")
    parser.add_argument("--user", default=MANAGER, help="the manager whose team is measured")
    parser.add_argument("--no-results", action="store_true", help="do not touch bench/RESULTS.md")
    args = parser.parse_args(argv)
    command = " ".join(
        ["python -m bench.funnel", *map(shlex.quote, argv if argv is not None else sys.argv[1:])]
    )

    apply_environ(REFERENCE_LEADS)
    from django.db import connection

    from bench.run import code_state
    from metrics.periods import Period
    from metrics.scope import scope_for_user
    from sdrcrm.accounts.models import User

    started = datetime.datetime.now(datetime.UTC)
    report = {
        "command": command.strip(),
        "started": started.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "code_start": code_state(),
        "database": database_name(REFERENCE_LEADS),
        "size": size_label(REFERENCE_LEADS),
        "user": args.user,
        "reps": args.reps,
    }
    with connection.cursor() as cursor:
        for table, name in (
            ("leads_lead", "leads"),
            ("leads_activity", "activities"),
            ("handoffs_handoff", "handoffs"),
            ("handoffs_opportunity", "opportunities"),
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")  # fixed table names
            report[f"{name}_in_db"] = cursor.fetchone()[0]

    manager = User.objects.get(username=args.user)
    scope = scope_for_user(user=manager)
    report["zone"] = str(scope.zone)
    q_start, q_end, q_leads = busiest_quarter(scope.zone)
    week_end = q_end - datetime.timedelta(days=(q_end.weekday() + 1) % 7)  # the last Sunday in the quarter
    week_start = week_end - datetime.timedelta(days=6)
    periods = [
        (f"quarter ({q_start.year} Q{(q_start.month - 1) // 3 + 1})", Period(q_start, q_end, scope.zone)),
        ("week", Period(week_start, week_end, scope.zone)),
    ]
    print(
        f"{report['database']}: {report['leads_in_db']:,} leads, {report['activities_in_db']:,} activities; "
        f"busiest quarter {q_start}–{q_end} ({q_leads:,} leads); zone {scope.zone}",
        flush=True,
    )
    report["periods"] = []
    for label, period in periods:
        run = measure(label, scope, period, args.reps)
        report["periods"].append(run)
        print(
            f"{label} {run['from']}–{run['to']}: product median {run['product']['median_ms']:.1f} ms, "
            f"p95 {run['product']['p95_ms']:.1f} ms ({run['product_queries']} queries) | hand SQL median "
            f"{run['hand_sql']['median_ms']:.1f} ms, p95 {run['hand_sql']['p95_ms']:.1f} ms | ratio "
            f"median {run['median_ratio']:.2f}, p95 {run['p95_ratio']:.2f} -> {run['result']}",
            flush=True,
        )
        if run["mismatches"]:
            print(
                f"  MISMATCH ({len(run['mismatches'])} keys) between the product and the hand SQL:",
                flush=True,
            )
            for miss in run["mismatches"]:
                print(
                    f"    {miss['key']}: product {miss['product']!r} != hand SQL {miss['hand_sql']!r}",
                    flush=True,
                )
        else:
            print(f"  same numbers on all {len(run['hand_figures'])} keys: {run['figures']}", flush=True)
    report["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    report["code_end"] = code_state()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    report["json"] = f"funnel-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    (OUT_DIR / report["json"]).write_text(json.dumps(report, indent=2, default=str))
    if not args.no_results:
        update_results(report)
        print(f"updated {RESULTS_MD}", flush=True)
    return report


if __name__ == "__main__":
    main()
