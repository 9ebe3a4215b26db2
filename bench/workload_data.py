"""The load test's working data, added to a bench data set: cadences, a year of touches, handoffs,
opportunities, and today's work for every SDR and AE. Additive, seeded, idempotent, COPY-based.

    python -m bench.workload_data                  # the 1M reference set: ≈ 2,000,000 touches
    python -m bench.workload_data --leads 10000    # a small set: touches scale with the leads

Two parts:
- history (once per data set, seed and version; recorded like the generator's parts): four cadences,
  enrollments that ran their course over the year with their touches (done, a few skipped or
  canceled), handoffs for the handed-off and converted leads (accepted with an opportunity in every
  stage, or rejected with a reason) and rejected handoffs of some disqualified leads. One transaction.
- today (topped up on every run, because the load test uses it up and today moves): each SDR but
  bench-sdr-01 (whose queue is bench/queue_touches.py's) gets up to 100 touches due in the last
  hours across channels, each on its own active enrollment; each AE gets 20–50 pending handoffs,
  some past the SLA.

Leads, activities and users are never changed. Prints a JSON summary (BENCH_JSON).
"""

import argparse
import datetime
import json
import os
import random
import sys
import time
from array import array

from bench.env import PG_SERVER_URL, REFERENCE_LEADS, bench_environ, database_name
from bench.generate import (
    BENCH_TEAM,
    END,
    NOTES,
    NULL,
    Loader,
    already_loaded,
    load_ceiling,
    load_leads,
    mark_loaded,
    ts,
)

PART = "workload"
VERSION = 1
DAY = 86400
HOUR = 3600
TOUCHES_PER_LEAD = 2  # 2,000,000 touches on the 1M reference set
QUEUE_PER_SDR = 100
PENDING_PER_AE = (20, 50)
QUEUE_KEEP = "bench-sdr-01"  # bench/queue_touches.py's queue, measured as it is

# name, weight, steps (channel, wait days)
CADENCES = [
    ("Outbound: mid-market", 5, [("email", 0), ("call", 2), ("linkedin", 1), ("manual_email", 3),
                                 ("call", 2), ("task", 2), ("email", 4), ("call", 3)]),
    ("Outbound: enterprise", 3, [("linkedin", 0), ("call", 1), ("manual_email", 2), ("call", 3),
                                 ("email", 4), ("call", 5)]),
    ("Inbound follow-up", 2, [("call", 0), ("email", 0), ("call", 1), ("manual_email", 2), ("call", 3)]),
    ("Event follow-up", 1, [("email", 0), ("linkedin", 2), ("call", 2), ("task", 5)]),
]  # fmt: skip
INSTRUCTIONS = {
    "call": "Call: ask how they book meetings today.",
    "linkedin": "Connect on LinkedIn with a short note.",
    "task": "Research the account: recent news and hiring.",
    "manual_email": "",
    "email": "",
}
SUBJECTS = {"email": "Idea for {{company}}", "manual_email": "Following up, {{first_name}}"}
BODIES = {
    "email": "Hi {{first_name}},\n\nTeams like {{company}} book more meetings with one daily queue.\n",
    "manual_email": "Hi {{first_name}},\n\nWorth 15 minutes next week?\n",
}
CALL_OUTCOMES = (["no_answer", "voicemail", "connected", "wrong_number"], [55, 25, 15, 5])
# Today's queue: which channel a due touch is on.
QUEUE_CHANNELS = (["call", "manual_email", "linkedin", "task"], [50, 20, 20, 10])
EXIT_REASONS = (["replied", "nurture", "manual", "disqualified", "bounced"], [35, 25, 20, 15, 5])
REJECT_REASONS = (
    ["not_icp", "no_budget", "no_authority", "no_need", "bad_timing", "duplicate", "insufficient_info"],
    [25, 20, 15, 15, 15, 3, 7],
)
OPEN_STAGES = (["discovery", "demo", "proposal", "negotiation", "lost"], [30, 25, 15, 10, 20])
NEXT_STEPS = ["demo", "strategy_call", "fit_assessment", "consultation", "technical_call"]
QUALIFICATION = {
    "budget": ["Approved for Q1", "€20–50k this year", "Needs CFO sign-off"],
    "authority": ["Decision maker", "Champion, reports to the VP", "Economic buyer"],
    "need": ["Reps lose leads between tools.", "Wants one queue for calls and emails.", "Slow handoffs."],
    "timeline": ["This quarter", "Next quarter", "After the budget cycle"],
}
LOST_REASONS = ["Went with a competitor", "No decision", "Budget cut", "Timing"]


def reserve_ids(cursor, table: str, count: int) -> list[int]:
    """Ids from the table's own sequence, so rows added here never collide with the product's."""
    if count == 0:
        return []
    cursor.execute(
        f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [count]
    )
    return [row[0] for row in cursor.fetchall()]


class IdPool:
    """Hands out reserved ids one by one, reserving them from the sequence a block at a time."""

    def __init__(self, cursor, table: str, block: int = 20_000):
        self.cursor, self.table, self.block, self.free = cursor, table, block, []

    def take(self, count: int = 1) -> list[int]:
        while len(self.free) < count:
            self.free.extend(reserve_ids(self.cursor, self.table, max(self.block, count)))
        taken, self.free = self.free[:count], self.free[count:]
        return taken


def copy_rows(cursor, model, rows: list[dict[str, str]]) -> None:
    """COPYs rows (column → COPY text); columns not given get their defaults."""
    if not rows:
        return
    generated = {column: [row[column] for row in rows] for column in rows[0]}
    loader = Loader(cursor, model)
    loader.load(iter([generated]), len(rows), model._meta.db_table)


class Rows:
    """Batches rows per model and COPYs a batch once it is big."""

    def __init__(self, cursor, model, batch: int = 50_000):
        self.cursor, self.model, self.batch, self.rows, self.total = cursor, model, batch, [], 0

    def add(self, row: dict[str, str]) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        copy_rows(self.cursor, self.model, self.rows)
        self.total += len(self.rows)
        self.rows = []


def team_people(cursor) -> tuple[int, dict[str, int], list[int], list[int]]:
    cursor.execute("SELECT id FROM accounts_team WHERE name = %s", [BENCH_TEAM])
    found = cursor.fetchone()
    if found is None:
        raise SystemExit("no bench team: run python -m bench.generate first")
    team_id = found[0]
    cursor.execute("SELECT id, username, role FROM accounts_user WHERE team_id = %s ORDER BY id", [team_id])
    users = cursor.fetchall()
    ids = {username: pk for pk, username, _role in users}
    sdrs = [pk for pk, _username, role in users if role == "sdr"]
    aes = [pk for pk, _username, role in users if role == "ae"]
    return team_id, ids, sdrs, aes


def ensure_cadences(team_id: int, creator_id: int) -> list[tuple[int, list[tuple[int, int, str, int]]]]:
    """The four cadences and their steps (found by name when already there): [(id, [(step id, position,
    channel, wait days)])]."""
    from cadences.models import Cadence, Step

    result = []
    for name, _weight, steps in CADENCES:
        cadence, _created = Cadence.objects.get_or_create(
            team_id=team_id, name=name,
            defaults={"description": "Bench workload cadence.", "created_by_id": creator_id},
        )  # fmt: skip
        rows = []
        for position, (channel, wait) in enumerate(steps, start=1):
            step, _created = Step.objects.get_or_create(
                cadence=cadence, position=position,
                defaults={"channel": channel, "wait_days": wait, "instructions": INSTRUCTIONS[channel],
                          "subject": SUBJECTS.get(channel, ""), "body": BODIES.get(channel, "")},
            )  # fmt: skip
            rows.append((step.id, position, step.channel, step.wait_days))
        result.append((cadence.id, rows))
    return result


def touch_row(*, pk, team, enrollment, lead, step, owner, channel, due, status, rng) -> dict[str, str]:
    done = status == "done"
    if not done:
        outcome = ""
    elif channel == "call":
        outcome = rng.choices(*CALL_OUTCOMES)[0]
    elif channel in ("email", "manual_email"):
        outcome = "sent"
    else:
        outcome = "done"
    completed = ts(due + rng.uniform(60, 4 * HOUR)) if status in ("done", "skipped") else NULL
    return {
        "id": str(pk), "team_id": team, "enrollment_id": str(enrollment), "lead_id": str(lead),
        "step_id": str(step), "owner_id": str(owner), "channel": channel, "due_at": ts(due),
        "status": status, "outcome": outcome, "completed_at": completed,
        "completed_by_id": str(owner) if status in ("done", "skipped") else NULL,
        "send_started_at": ts(due) if done and channel == "email" else NULL,
        "created_at": ts(due - DAY),
    }  # fmt: skip


# --- history: once ---------------------------------------------------------------------------------


def load_history(*, seed: int, leads: int) -> dict:
    from django.db import connection, transaction

    from bench.ceiling.models import DataSet
    from cadences.models import Enrollment, Touch
    from handoffs.models import Handoff, Opportunity

    touches_target = leads * TOUCHES_PER_LEAD
    generated = DataSet.objects.filter(part="leads").first()
    if generated is None:
        raise SystemExit("no generated leads in this database: run python -m bench.generate first")
    # Tied to the generator's load: regenerated leads (which wipe all of this) get a new history.
    params = {"seed": seed, "touches": touches_target, "version": VERSION,
              "leads_loaded_at": generated.finished_at.isoformat()}  # fmt: skip
    if earlier := already_loaded(PART, params):
        print(f"workload history (seed {seed}) already loaded, skipped", flush=True)
        return earlier
    if DataSet.objects.filter(part=PART).exists():
        raise SystemExit("another workload history is loaded on these leads: regenerate the leads first")
    started = time.perf_counter()
    rng = random.Random(f"workload-{seed}")
    with transaction.atomic(), connection.cursor() as cursor:
        team_id, users, sdrs, aes = team_people(cursor)
        team = str(team_id)
        cadences = ensure_cadences(team_id, users["bench-manager"])
        cadence_weights = [c[1] for c in CADENCES]
        # Leads that someone worked: an owner and a first touch.
        cursor.execute(
            "SELECT id, owner_id, extract(epoch FROM created_at)::bigint FROM leads_lead "
            "WHERE team_id = %s AND owner_id IS NOT NULL AND first_touch_at IS NOT NULL ORDER BY id",
            [team_id],
        )
        lead_ids, lead_owners, lead_created = array("q"), array("q"), array("q")
        for pk, owner, created in cursor.fetchall():
            lead_ids.append(pk)
            lead_owners.append(owner)
            lead_created.append(created)
        if not lead_ids:
            raise SystemExit("no worked leads in the bench data set")
        cursor.execute("SET LOCAL session_replication_role = replica")  # rows are consistent by build
        enrollments = Rows(cursor, Enrollment, batch=20_000)
        touches = Rows(cursor, Touch)
        enrollment_ids, touch_ids = IdPool(cursor, "cadences_enrollment"), IdPool(cursor, "cadences_touch")
        made = 0
        while made < touches_target:
            index = rng.randrange(len(lead_ids))
            lead, owner = lead_ids[index], lead_owners[index]
            cadence_id, steps = rng.choices(cadences, cadence_weights)[0]
            ran = min(len(steps), max(1, int(rng.triangular(1, len(steps) + 1, len(steps)))))
            span = sum(wait for *_rest, wait in steps[:ran]) * DAY + DAY
            start = min(lead_created[index] + rng.uniform(HOUR, 30 * DAY), END - span - DAY)
            completed = ran == len(steps)
            [enrollment_id] = enrollment_ids.take()
            step_ids = touch_ids.take(ran)
            due = start
            for number, (step_id, _position, channel, wait) in enumerate(steps[:ran]):
                due += wait * DAY + rng.uniform(-HOUR, HOUR)
                last = number == ran - 1
                roll = rng.random()
                status = "canceled" if last and not completed else "skipped" if roll < 0.05 else "done"
                touches.add(
                    touch_row(pk=step_ids[number], team=team, enrollment=enrollment_id, lead=lead,
                              step=step_id, owner=owner, channel=channel, due=due, status=status, rng=rng)
                )  # fmt: skip
            enrollments.add(
                {
                    "id": str(enrollment_id),
                    "team_id": team,
                    "lead_id": str(lead),
                    "cadence_id": str(cadence_id),
                    "state": "completed" if completed else "exited",
                    "exit_reason": "" if completed else rng.choices(*EXIT_REASONS)[0],
                    "enrolled_by_id": str(owner),
                    "created_at": ts(start - HOUR),
                    "ended_at": ts(due + HOUR),
                }
            )
            made += ran
            if made % 200_000 < ran:
                print(f"  history touches: {made:,}/{touches_target:,}", flush=True)
        enrollments.flush()
        touches.flush()
        handoffs, opportunities = load_handoff_history(cursor, team_id=team_id, sdrs=sdrs, aes=aes, rng=rng)
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        seconds = time.perf_counter() - started
        rows = enrollments.total + touches.total + handoffs + opportunities
        mark_loaded(PART, params, rows, seconds)
    with connection.cursor() as cursor:
        for model in (Enrollment, Touch, Handoff, Opportunity):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    print(
        f"workload history: {touches.total:,} touches, {enrollments.total:,} enrollments, {handoffs:,} handoffs, "
        f"{opportunities:,} opportunities in {seconds:.1f} s = {rows / seconds:,.0f} rows/s",
        flush=True,
    )
    return {
        "part": PART, "skipped": False, **params, "enrollments": enrollments.total,
        "touches_done_history": touches.total, "handoffs": handoffs, "opportunities": opportunities,
        "rows": rows, "seconds": seconds, "rows_per_s": rows / seconds,
    }  # fmt: skip


def handoff_row(*, pk, team, lead, sdr, ae, created, status, rng, decided=None, reason="") -> dict[str, str]:
    pick = {field: rng.choice(values) for field, values in QUALIFICATION.items()}
    return {
        "id": str(pk), "team_id": team, "lead_id": str(lead["id"]), "sdr_id": str(sdr), "ae_id": str(ae),
        "routed": "t" if rng.random() < 0.5 else "f", "status": status,
        "next_step": rng.choice(NEXT_STEPS), "meeting_at": NULL, **pick,
        "users": "", "decision_process": "", "notes": rng.choice(NOTES),
        "icp_score": str(lead["score"]), "icp_grade": lead["grade"],
        "icp_snapshot": lead["explanation"], "created_at": ts(created), "sla_due_at": ts(created + DAY),
        "sla_breached_at": NULL if decided is None or decided <= created + DAY else ts(created + DAY),
        "decided_at": ts(decided) if decided else NULL, "decided_by_id": str(ae) if decided else NULL,
        "reject_reason": reason, "reject_note": "",
    }  # fmt: skip


def lead_rows(cursor, where: str, params: list, order: str = "id") -> list[dict]:
    cursor.execute(
        "SELECT id, owner_id, company, first_name, last_name, score, grade, score_explanation::text, "
        "extract(epoch FROM created_at)::bigint, extract(epoch FROM sql_at)::bigint, "
        f"extract(epoch FROM customer_at)::bigint, stage FROM leads_lead WHERE {where} ORDER BY {order}",
        params,
    )
    keys = ("id", "owner", "company", "first", "last", "score", "grade", "explanation", "created", "sql_at",
            "customer_at", "stage")  # fmt: skip
    return [
        {**dict(zip(keys, row, strict=True)), "explanation": (row[7] or "[]").replace("\\", "\\\\")}
        for row in cursor.fetchall()
    ]


def load_handoff_history(cursor, *, team_id: int, sdrs: list[int], aes: list[int], rng) -> tuple[int, int]:
    """Handed-off and converted leads: accepted with an opportunity (every stage) or rejected; some
    disqualified leads: rejected. Decided within hours, a few past the SLA."""
    from handoffs.models import Handoff, Opportunity

    team = str(team_id)
    handed = lead_rows(cursor, "team_id = %s AND status IN ('handed_off', 'converted')", [team_id])
    disqualified = [
        {**lead, "disqualified": True}
        for lead in lead_rows(cursor, "team_id = %s AND status = 'disqualified'", [team_id])
        if rng.random() < 0.08
    ]
    handoff_ids = reserve_ids(cursor, "handoffs_handoff", len(handed) + len(disqualified))
    handoffs, opportunities = Rows(cursor, Handoff), Rows(cursor, Opportunity)
    for lead, pk in zip(handed + disqualified, handoff_ids, strict=True):
        sdr, ae = lead["owner"] or rng.choice(sdrs), rng.choice(aes)
        created = min(lead["sql_at"] or lead["created"] + rng.uniform(DAY, 20 * DAY), END - 2 * DAY)
        decided = created + rng.expovariate(1 / (10 * HOUR))
        converted = lead["customer_at"] is not None
        rejected = lead.get("disqualified") or (
            not converted and lead["stage"] == "sql" and rng.random() < 0.3
        )
        if rejected:
            handoffs.add(handoff_row(pk=pk, team=team, lead=lead, sdr=sdr, ae=ae, created=created,
                                     status="rejected", decided=decided, rng=rng,
                                     reason=rng.choices(*REJECT_REASONS)[0]))  # fmt: skip
            continue
        handoffs.add(handoff_row(pk=pk, team=team, lead=lead, sdr=sdr, ae=ae, created=created,
                                 status="accepted", decided=decided, rng=rng))  # fmt: skip
        stage = (
            "won" if converted else "discovery" if lead["stage"] == "sql" else rng.choices(*OPEN_STAGES)[0]
        )
        closed = (
            (lead["customer_at"] or decided + rng.uniform(7 * DAY, 60 * DAY))
            if stage in ("won", "lost")
            else None
        )
        closed = min(closed, END) if closed else None
        stage_two = stage in ("demo", "proposal", "negotiation", "won")
        opportunities.add(
            {
                "team_id": team,
                "lead_id": str(lead["id"]),
                "handoff_id": str(pk),
                "name": f"{lead['company'] or lead['first']} · {lead['first']} {lead['last']}"[:200],
                "amount": f"{rng.choice([5, 8, 12, 20, 35, 50, 80]) * 1000}.00",
                "stage": stage,
                "sourced_by_id": str(sdr),
                "owner_id": str(ae),
                "expected_close": (
                    datetime.datetime.fromtimestamp(decided, datetime.UTC).date()
                    + datetime.timedelta(days=rng.randrange(30, 120))
                ).isoformat(),
                "lost_reason": rng.choice(LOST_REASONS) if stage == "lost" else "",
                "created_at": ts(decided),
                "updated_at": ts(closed or decided),
                "closed_at": ts(closed) if closed else NULL,
                "reached_stage2_at": ts(min(decided + rng.uniform(DAY, 14 * DAY), closed or END))
                if stage_two
                else NULL,
            }
        )
    handoffs.flush()
    opportunities.flush()
    return handoffs.total, opportunities.total


# --- today: topped up on every run -----------------------------------------------------------------


def top_up_today(*, seed: int) -> dict:
    """Each SDR (but bench-sdr-01) back to ~100 due touches, each AE back to 20–50 pending handoffs."""
    from django.db import connection, transaction
    from django.utils import timezone

    from cadences.models import Enrollment, Touch
    from handoffs.models import Handoff

    now = timezone.now().timestamp()
    rng = random.Random(f"workload-today-{seed}-{int(now)}")
    with transaction.atomic(), connection.cursor() as cursor:
        team_id, users, sdrs, aes = team_people(cursor)
        team = str(team_id)
        cadences = ensure_cadences(team_id, users["bench-manager"])
        # A due touch only shows on a cadence step of its channel: channel → [(cadence, steps, index)].
        by_channel: dict[str, list] = {}
        for cadence_id, steps in cadences:
            for index, (_step_id, _position, channel, _wait) in enumerate(steps):
                by_channel.setdefault(channel, []).append((cadence_id, steps, index))
        cursor.execute(
            "SELECT owner_id, count(*) FROM cadences_touch t JOIN cadences_enrollment e ON e.id = t.enrollment_id "
            "WHERE t.team_id = %s AND t.status = 'scheduled' AND e.state = 'active' AND t.due_at < now() + interval '1 day' "
            "GROUP BY owner_id",
            [team_id],
        )
        queued = dict(cursor.fetchall())
        enrollments, touches = Rows(cursor, Enrollment), Rows(cursor, Touch)
        enrollment_ids = IdPool(cursor, "cadences_enrollment", block=1_000)
        touch_ids = IdPool(cursor, "cadences_touch", block=2_000)
        added_touches = 0
        for sdr in sdrs:
            if sdr == users.get(QUEUE_KEEP):
                continue
            missing = QUEUE_PER_SDR - queued.get(sdr, 0)
            if missing <= 0:
                continue
            cursor.execute(
                "SELECT l.id FROM leads_lead l WHERE l.team_id = %s AND l.owner_id = %s AND l.status IN ('working', 'new') "
                "AND NOT EXISTS (SELECT 1 FROM cadences_enrollment e WHERE e.lead_id = l.id AND e.state IN ('active', 'paused')) "
                "AND NOT EXISTS (SELECT 1 FROM handoffs_handoff h WHERE h.lead_id = l.id AND h.status = 'pending') "
                "ORDER BY md5(l.id::text || %s) LIMIT %s",
                [team_id, sdr, str(now), missing],
            )
            leads = [row[0] for row in cursor.fetchall()]
            for lead, enrollment_id in zip(leads, enrollment_ids.take(len(leads)), strict=True):
                channel = rng.choices(*QUEUE_CHANNELS)[0]
                cadence_id, steps, index = rng.choice(by_channel[channel])
                due = now - rng.uniform(60, 6 * HOUR)
                ids = touch_ids.take(index + 1)
                for number in range(index + 1):
                    step_id, _position, step_channel, _wait = steps[number]
                    current = number == index
                    when = due if current else due - (index - number) * 2 * DAY
                    touches.add(
                        touch_row(pk=ids[number], team=team, enrollment=enrollment_id, lead=lead, step=step_id,
                                  owner=sdr, channel=step_channel, due=when, rng=rng,
                                  status="scheduled" if current else "done")
                    )  # fmt: skip
                enrollments.add(
                    {
                        "id": str(enrollment_id),
                        "team_id": team,
                        "lead_id": str(lead),
                        "cadence_id": str(cadence_id),
                        "state": "active",
                        "exit_reason": "",
                        "enrolled_by_id": str(sdr),
                        "created_at": ts(due - (index + 1) * 2 * DAY),
                        "ended_at": NULL,
                    }
                )
                added_touches += 1
        enrollments.flush()
        touches.flush()
        cursor.execute(
            "SELECT ae_id, count(*) FROM handoffs_handoff WHERE team_id = %s AND status = 'pending' GROUP BY ae_id",
            [team_id],
        )
        pending = dict(cursor.fetchall())
        wanted = {ae: random.Random(f"pending-{seed}-{ae}").randint(*PENDING_PER_AE) for ae in aes}
        missing_total = sum(max(0, wanted[ae] - pending.get(ae, 0)) for ae in aes)
        candidates = lead_rows(
            cursor,
            "team_id = %s AND status = 'working' AND owner_id IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM handoffs_handoff h WHERE h.lead_id = leads_lead.id AND h.status = 'pending') "
            "AND NOT EXISTS (SELECT 1 FROM cadences_enrollment e WHERE e.lead_id = leads_lead.id "
            "AND e.state IN ('active', 'paused'))",
            [team_id],
            order=f"md5(id::text || '{int(now)}') LIMIT {int(missing_total)}",
        )
        rng.shuffle(candidates)
        handoffs = Rows(cursor, Handoff)
        for ae in aes:
            for _ in range(max(0, wanted[ae] - pending.get(ae, 0))):
                if not candidates:
                    break
                lead = candidates.pop()
                [pk] = reserve_ids(cursor, "handoffs_handoff", 1)  # a few hundred at most
                handoffs.add(handoff_row(pk=pk, team=team, lead=lead, sdr=lead["owner"], ae=ae,
                                         created=now - rng.uniform(10 * 60, 40 * HOUR), status="pending", rng=rng))  # fmt: skip
        handoffs.flush()
    with connection.cursor() as cursor:
        for model in (Enrollment, Touch, Handoff):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    summary = {"queue_touches_added": added_touches, "pending_handoffs_added": handoffs.total,
               "sdrs": len(sdrs) - 1, "aes": len(aes)}  # fmt: skip
    print(f"today: {added_touches:,} due touches and {handoffs.total:,} pending handoffs added", flush=True)
    return summary


def totals() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM cadences_touch), (SELECT count(*) FROM cadences_enrollment), "
            "(SELECT count(*) FROM handoffs_handoff), (SELECT count(*) FROM handoffs_handoff WHERE status = 'pending'), "
            "(SELECT count(*) FROM handoffs_opportunity), (SELECT count(*) FROM leads_lead)"
        )
        names = ("touches", "enrollments", "handoffs", "pending_handoffs", "opportunities", "leads")
        return dict(zip(names, cursor.fetchone(), strict=True))


def ensure(*, leads: int, seed: int, database: str) -> dict:
    history = load_history(seed=seed, leads=leads)
    today = top_up_today(seed=seed)
    return {"database": database, "history": history, "today": today, "totals": totals()}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.workload_data", description=__doc__.split("\n")[0])
    parser.add_argument("--leads", type=int, default=REFERENCE_LEADS, help="which bench data set")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database", help="a bench database of another name than the size's own")
    parser.add_argument(
        "--generate", action="store_true", help="first the generator's leads (a small set of one's own)"
    )
    args = parser.parse_args(argv)
    database = args.database or database_name(args.leads)
    if not database.startswith("sdrcrm_bench"):
        raise SystemExit(f"refusing {database}: not a bench database")
    os.environ.update(bench_environ(args.leads))
    os.environ["DATABASE_URL"] = f"{PG_SERVER_URL}/{database}"
    import django

    django.setup()
    if args.generate:
        load_ceiling(rows=1_000_000, seed=args.seed)
        load_leads(leads=args.leads, activities=args.leads * 5, seed=args.seed)
    summary = ensure(leads=args.leads, seed=args.seed, database=database)
    print("BENCH_JSON " + json.dumps(summary, default=str), flush=True)
    return summary


if __name__ == "__main__":
    main(sys.argv[1:])
