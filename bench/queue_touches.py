"""Due touches for the Today queue scenarios: one bench SDR gets ~100 touches due today, idempotently.

    python -m bench.queue_touches --leads 1000000      # what bench/run.py calls after the generator

The generator makes no cadences. This adds, for `bench-sdr-01` on the bench team, one cadence
("bench queue": a call step, then a LinkedIn step; 00:00-23:59, every day), enrolls 100 of the
SDR's own leads (those without an open enrollment, lowest ids) and gives each one call touch due
today (spread over the last 100 minutes). Manual channels only, so no dispatcher would ever send
them. Run again, it finds the cadence with its touches and changes nothing. Prints a JSON summary.
"""

import argparse
import datetime
import json

from bench.env import apply_environ
from bench.scenarios import SDR

CADENCE = "bench queue"
TOUCHES = 100


def ensure(count: int = TOUCHES) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from cadences.models import Cadence, Channel, Enrollment, EnrollmentState, Step, Touch, TouchStatus
    from leads.models import Lead
    from sdrcrm.accounts.models import User

    sdr = User.objects.get(username=SDR)
    existing = Touch.objects.filter(owner=sdr, step__cadence__name=CADENCE, status=TouchStatus.SCHEDULED)
    have = existing.count()
    if have >= count:
        return {"user": SDR, "touches": have, "created": 0}
    now = timezone.now()
    with transaction.atomic():
        cadence, _created = Cadence.objects.get_or_create(
            team_id=sdr.team_id, name=CADENCE,
            defaults={"business_days_only": False, "window_start": datetime.time(0, 0),
                      "window_end": datetime.time(23, 59), "created_by": sdr},
        )  # fmt: skip
        call, _created = Step.objects.get_or_create(
            cadence=cadence, position=1,
            defaults={"channel": Channel.CALL, "instructions": "Call: ask about their outbound process."},
        )  # fmt: skip
        Step.objects.get_or_create(
            cadence=cadence, position=2,
            defaults={"channel": Channel.LINKEDIN, "wait_days": 2, "instructions": "Connect on LinkedIn."},
        )  # fmt: skip
        busy = Enrollment.objects.filter(state__in=[EnrollmentState.ACTIVE, EnrollmentState.PAUSED])
        leads = list(
            Lead.objects.filter(team_id=sdr.team_id, owner=sdr)
            .exclude(pk__in=busy.values("lead_id"))
            .order_by("id")
            .values_list("id", flat=True)[: count - have]
        )
        enrollments = Enrollment.objects.bulk_create(
            [
                Enrollment(team_id=sdr.team_id, lead_id=lead_id, cadence=cadence, state=EnrollmentState.ACTIVE,
                           enrolled_by=sdr, created_at=now)
                for lead_id in leads
            ]
        )  # fmt: skip
        Touch.objects.bulk_create(
            [
                Touch(team_id=sdr.team_id, enrollment=enrollment, lead_id=enrollment.lead_id, step=call,
                      owner=sdr, channel=Channel.CALL, status=TouchStatus.SCHEDULED,
                      due_at=now - datetime.timedelta(minutes=i + 1), created_at=now)
                for i, enrollment in enumerate(enrollments)
            ]
        )  # fmt: skip
    return {"user": SDR, "touches": existing.count(), "created": len(enrollments)}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.queue_touches", description=__doc__.split("\n")[0])
    parser.add_argument("--leads", type=int, default=1_000_000, help="which bench data set")
    args = parser.parse_args(argv)
    apply_environ(args.leads)
    summary = ensure()
    print("BENCH_JSON " + json.dumps(summary), flush=True)
    return summary


if __name__ == "__main__":
    main()
