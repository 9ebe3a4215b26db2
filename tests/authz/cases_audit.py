"""The audit log × actors: a team's managers read their team's events, admins every team's; reps and AEs
are refused (403), whatever team they are in."""

from sdrcrm.audit import services as audit
from tests.authz.matrix import Case, by_role


def build(world):
    audit.record(action="team.updated", target=world.team, actor=world.manager)


MANAGERS_AND_ADMINS = by_role(sdr=403, ae=403, manager=200, admin=200)

CASES = [
    Case("audit log", "get", lambda w: "/api/audit/", MANAGERS_AND_ADMINS),
    Case(
        "audit log of a lead",
        "get",
        lambda w: "/api/audit/?target_type=lead&target_id=1",
        MANAGERS_AND_ADMINS,
    ),
    Case(
        "audit log bad filter",
        "get",
        lambda w: "/api/audit/?since=never",
        by_role(sdr=403, ae=403, manager=400, admin=400),
    ),
]
