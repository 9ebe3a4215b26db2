"""Metrics endpoints × actors. Everyone signed in may read metrics (an SDR or AE gets their own numbers);
another team (by `team=` or a cadence of it) is 404; a non-admin's `team=` may only name their own."""

from cadences.models import Cadence
from tests.authz.matrix import Case, by_role

OWN_TEAM_ONLY = {"other_sdr": 404, "other_ae": 404, "other_manager": 404}
MARCH = "from=2026-03-01&to=2026-03-31"


def build(world):
    world.objects["cadence"] = Cadence.objects.create(team=world.team, name="Outbound")


def _readers(**overrides):
    return by_role(**{"sdr": 200, "ae": 200, "manager": 200, "admin": 200, **overrides})


CASES = [
    Case("funnel", "get", lambda w: f"/api/metrics/funnel/?{MARCH}", _readers()),
    Case(
        "funnel of a team",
        "get",
        lambda w: f"/api/metrics/funnel/?team={w.team.id}",
        _readers(**OWN_TEAM_ONLY),
    ),
    Case(
        "funnel of a rep",
        "get",
        lambda w: f"/api/metrics/funnel/?owner={w.sdr.id}",
        _readers(
            other_manager=404
        ),  # reps get their own numbers whatever they ask; another team's manager: 404
    ),
    Case(
        "funnel bad dates",
        "get",
        lambda w: "/api/metrics/funnel/?from=2026-03-31&to=2026-03-01",
        _readers(sdr=400, ae=400, manager=400, admin=400),
    ),
    Case("leaderboard", "get", lambda w: f"/api/metrics/leaderboard/?{MARCH}", _readers()),
    Case(
        "leaderboard of a team",
        "get",
        lambda w: f"/api/metrics/leaderboard/?team={w.team.id}",
        _readers(**OWN_TEAM_ONLY),
    ),
    Case("steps", "get", lambda w: f"/api/metrics/steps/?cadence={w.cadence.id}", _readers(**OWN_TEAM_ONLY)),
    Case(
        "steps without cadence",
        "get",
        lambda w: "/api/metrics/steps/",
        _readers(sdr=400, ae=400, manager=400, admin=400),
    ),
    Case("dashboard json", "get", lambda w: f"/api/metrics/dashboard/?{MARCH}", _readers()),
    Case(
        "dashboard json of a team",
        "get",
        lambda w: f"/api/metrics/dashboard/?team={w.team.id}",
        _readers(**OWN_TEAM_ONLY),
    ),
    *[
        Case(
            f"{table} csv",
            "get",
            lambda w, table=table: f"/api/metrics/{table}/export/?team={w.team.id}",
            _readers(**OWN_TEAM_ONLY),
        )
        for table in ("funnel", "leaderboard", "trends", "decisions", "coverage", "icp-fit")
    ],
    Case(
        "steps csv",
        "get",
        lambda w: f"/api/metrics/steps/export/?cadence={w.cadence.id}",
        _readers(**OWN_TEAM_ONLY),
    ),
]
