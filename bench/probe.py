"""In-process look at each scenario: does its route exist, what status, how many SQL queries.

    python -m bench.probe --leads 10000

Runs Django's test client against the bench database (same settings as gunicorn) and prints one
`BENCH_JSON` line: per scenario the resolved URL, status, query count, the queries that COUNT,
and the response size. Query counts come from CaptureQueriesContext on the second request (the
first one warms caches and templates).
"""

import argparse
import json
import re
import sys
import time

from bench.env import apply_environ
from bench.scenarios import CEILING, SCENARIOS

COUNT_RE = re.compile(r"\bCOUNT\s*\(", re.IGNORECASE)
# A COUNT over these without a LIMIT inside is an exact count over a big table (ARCHITECTURE.md: none).
BIG_TABLES = ("leads_lead", "leads_activity", "leads_company", "cadences_", "handoffs_", "ceiling_ceilingrow")


def pick_lead_id(user) -> int | None:
    """A lead the user may see, with a typical timeline: the middle one of the visible set by id."""
    from django.db.models import Max, Min

    from leads.models import Lead

    bounds = Lead.objects.filter(team_id=user.team_id).aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return None
    middle = (bounds["low"] + bounds["high"]) // 2
    visible = Lead.objects.visible_to(user) if hasattr(Lead.objects, "visible_to") else Lead.objects
    lead = visible.filter(id__gte=middle).order_by("id").only("id").first()
    return lead.id if lead else None


def probe_one(client, scenario, user, lead_id) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import Resolver404, resolve

    url = scenario.url
    if "{lead_id}" in url:
        if lead_id is None:
            return {"status": None, "skip": "no lead to show"}
        url = url.format(lead_id=lead_id)
    result = {"url": url}
    try:
        resolve(url.split("?")[0])
    except Resolver404:
        return {**result, "status": 404, "skip": "route not built yet (no URL match)"}
    client.force_login(user)
    client.get(url)  # warm: templates, caches, connection
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    queries = [q["sql"] for q in captured.captured_queries]
    timed = sorted(captured.captured_queries, key=lambda q: float(q["time"]), reverse=True)
    result.update(
        {
            "status": response.status_code,
            "queries": len(queries),
            # The API's estimated count (sdrcrm.core.pagination) asks the planner once past 10,001 rows.
            "explain_queries": sum(1 for q in queries if q.lstrip().upper().startswith("EXPLAIN")),
            "count_queries": [q[:300] for q in queries if COUNT_RE.search(q)],
            "unbounded_counts": [
                q[:300]
                for q in queries
                if COUNT_RE.search(q) and "LIMIT" not in q.upper() and any(t in q for t in BIG_TABLES)
            ],
            "slowest_sql": {"ms": round(float(timed[0]["time"]) * 1000, 1), "sql": timed[0]["sql"][:4000]}
            if timed
            else None,
            "bytes": len(response.content),
            "in_process_ms": round(elapsed * 1000, 2),
            "sql_ms": round(sum(float(q["time"]) for q in captured.captured_queries) * 1000, 1),
            "sql": [
                {"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"][:4000]}
                for q in captured.captured_queries
            ],
        }
    )
    if response.status_code == 404:
        result["skip"] = "404: not built yet"
    elif response.status_code != 200:
        result["skip"] = f"status {response.status_code}"
    return result


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.probe")
    parser.add_argument("--leads", type=int, required=True)
    args = parser.parse_args(argv)
    apply_environ(args.leads)
    from django.contrib.auth import get_user_model
    from django.test import Client

    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="bench-")}
    client = Client(HTTP_HOST="localhost")
    out = {}
    lead_ids: dict[str, int | None] = {}
    for scenario in [CEILING, *SCENARIOS]:
        user = users.get(scenario.user)
        if user is None:
            out[scenario.name] = {"status": None, "skip": f"no user {scenario.user}: run bench.generate"}
            continue
        if user.username not in lead_ids:
            try:
                lead_ids[user.username] = pick_lead_id(user)
            except Exception as error:  # the leads schema is moving; say why and go on
                lead_ids[user.username] = None
                print(f"no lead id for {user.username}: {error!r}", file=sys.stderr)
        try:
            out[scenario.name] = probe_one(client, scenario, user, lead_ids[user.username])
        except Exception as error:
            out[scenario.name] = {"status": "error", "skip": f"error in-process: {error!r}"[:300]}
    print("BENCH_JSON " + json.dumps(out), flush=True)
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
