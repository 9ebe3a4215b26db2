"""Leaderboard, cadence steps and the dashboard's other tables against the hand-built data set."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics import selectors
from metrics.periods import Period
from metrics.scope import scope_for_user
from tests.metrics.factories import at, cadence_world, make_activity, make_lead, march_world

pytestmark = pytest.mark.django_db

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
def world(actors):
    return march_world(actors)


def march(scope):
    return Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31), scope.zone)


ZEROS = {
    "touches": 0, "calls": 0, "emails": 0, "linkedin": 0, "connects": 0, "sqls": 0, "accepted": 0,
    "rejected": 0, "meetings": 0, "meetings_booked": 0, "no_shows": 0,
}  # fmt: skip


def test_leaderboard_counts_each_reps_touches_handoffs_and_meetings(api_for, actors, world):
    response = api_for(actors.manager).get("/api/metrics/leaderboard/", MARCH)
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["from"], body["to"]) == (3, "2026-03-01", "2026-03-31")
    rows = {row["name"]: row for row in body["results"]}
    assert [row["name"] for row in body["results"]] == ["Kadri Kask", "민준 김", "Tiina Tamm"]
    kadri = rows["Kadri Kask"]
    assert {key: kadri[key] for key in ZEROS} == {
        "touches": 4, "calls": 2, "emails": 1, "linkedin": 1, "connects": 1,  # the reply, the note, February: no
        "sqls": 4, "accepted": 3, "rejected": 1,
        "meetings": 1, "meetings_booked": 3, "no_shows": 1,  # held: h1; booked: h1 h2 h5; no-show: h6
    }  # fmt: skip
    assert (kadri["user"], kadri["role"], kadri["connect_rate"], kadri["acceptance_rate"]) == (
        actors.sdr.pk, "sdr", 0.5, 0.75,
    )  # fmt: skip
    assert (kadri["meetings_held"], kadri["meetings_held_rate"]) == (1, 0.5)
    minjun = rows["민준 김"]
    assert {key: minjun[key] for key in ZEROS} == {
        **ZEROS, "touches": 3, "calls": 2, "emails": 1, "connects": 2, "sqls": 1, "rejected": 1,
    }  # fmt: skip
    tiina = rows["Tiina Tamm"]
    assert {key: tiina[key] for key in ZEROS} == ZEROS
    assert (tiina["connect_rate"], tiina["acceptance_rate"], tiina["meetings_held_rate"]) == (
        None,
        None,
        None,
    )


def test_an_sdr_sees_only_their_row_and_an_ae_none(api_for, actors, world):
    rows = api_for(actors.bdr).get("/api/metrics/leaderboard/", MARCH).json()["results"]
    assert [row["user"] for row in rows] == [actors.bdr.pk]
    assert api_for(actors.ae).get("/api/metrics/leaderboard/", MARCH).json()["results"] == []


def test_steps_count_done_touches_and_the_reply_each_got(api_for, actors, world):
    steps = cadence_world(actors.team, actors.sdr, [world.l1, world.l2, world.l3])
    response = api_for(actors.manager).get("/api/metrics/steps/", {"cadence": steps.cadence.pk})
    assert response.status_code == 200
    body = response.json()
    assert (body["cadence"], body["count"]) == (steps.cadence.pk, 2)
    first, second = body["results"]
    assert (first["position"], first["channel"], first["sent"], first["replies"]) == (1, "email", 3, 1)
    assert first["reply_rate"] == pytest.approx(1 / 3)
    assert [
        (v["variant"], v["subject"], v["sent"], v["replies"], v["reply_rate"]) for v in first["variants"]
    ] == [
        (0, "Quick question", 2, 0, 0.0),
        (1, "Idea", 1, 1, 1.0),
    ]
    # The call after the email that got the named reply gets none; the last call of the enrollment that
    # ended `replied` without an event gets it.
    assert (second["position"], second["sent"], second["replies"], second["reply_rate"]) == (2, 2, 1, 0.5)
    assert second["variants"] == []


def test_steps_in_a_period_and_for_one_rep(api_for, actors, world):
    steps = cadence_world(actors.team, actors.sdr, [world.l1, world.l2, world.l3])
    client = api_for(actors.manager)
    early = client.get(
        "/api/metrics/steps/", {"cadence": steps.cadence.pk, "from": "2026-03-01", "to": "2026-03-04"}
    )
    assert [(row["sent"], row["replies"]) for row in early.json()["results"]] == [(1, 0), (1, 1)]
    theirs = api_for(actors.bdr).get("/api/metrics/steps/", {"cadence": steps.cadence.pk}).json()["results"]
    assert [(row["sent"], row["reply_rate"]) for row in theirs] == [(0, None), (0, None)]


def test_steps_need_a_cadence_of_ones_own_team(api_for, actors, world):
    steps = cadence_world(actors.team, actors.sdr, [world.l1, world.l2, world.l3])
    assert api_for(actors.manager).get("/api/metrics/steps/").json() == {
        "cadence": ["This field is required."]
    }
    assert api_for(actors.manager).get("/api/metrics/steps/", {"cadence": "x"}).status_code == 400
    assert (
        api_for(actors.other_manager).get("/api/metrics/steps/", {"cadence": steps.cadence.pk}).status_code
        == 404
    )


def test_weekly_trends_in_the_teams_weeks(actors, world):
    scope = scope_for_user(user=actors.manager)
    weeks = selectors.weekly_trends(scope=scope, period=march(scope))
    assert [week["week"] for week in weeks] == [
        "2026-02-23", "2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23", "2026-03-30",
    ]  # fmt: skip
    assert [week["leads"] for week in weeks] == [1, 2, 2, 0, 0, 1]  # l5 | l1 l2 | l3 l4 | | | l7
    assert [week["mqls"] for week in weeks] == [1, 2, 0, 0, 0, 0]  # l6 | l1 l2
    assert [week["sqls"] for week in weeks] == [0, 3, 1, 1, 0, 0]  # | h1 h2 h3 | h4 | h5
    assert [week["opportunities"] for week in weeks] == [1, 2, 1, 1, 0, 0]  # o3 | o1 o2 | o7 | o5
    assert [week["won_revenue"] for week in weeks] == [
        "0.00",
        "0.00",
        "8000.00",
        "0.00",
        "10000.00",
        "3000.00",
    ]


def test_ae_decisions_time_and_acceptance(actors, world):
    scope = scope_for_user(user=actors.manager)
    rows = selectors.ae_decisions(scope=scope, period=march(scope))
    assert rows == [
        {"ae": world.ae2.pk, "name": "Aino Aas", "accepted": 0, "rejected": 1, "late": 0, "decided": 1,
         "acceptance_rate": 0.0, "median_hours_to_decision": 24.0},
        # h1 4 h, h2 2 h, h3 24 h, h6 216 h (created in February, decided 1 March, after its SLA)
        {"ae": actors.ae.pk, "name": "Дмитрий Иванов", "accepted": 3, "rejected": 1, "late": 1, "decided": 4,
         "acceptance_rate": 0.75, "median_hours_to_decision": 14.0},
    ]  # fmt: skip


def test_icp_fit_of_rejected_and_accepted_handoffs(actors, world):
    scope = scope_for_user(user=actors.manager)
    rows = {row["criterion"]: row for row in selectors.icp_fit_of_decisions(scope=scope, period=march(scope))}
    assert list(rows) == ["industry", "employees", "country", "title"]
    # Rejected: h2 (industry, title matched) and h4 (country matched). Accepted with a snapshot: h1.
    assert {name: (row["rejected_matched"], row["rejected_missed"]) for name, row in rows.items()} == {
        "industry": (1, 1), "employees": (0, 2), "country": (1, 1), "title": (1, 1),
    }  # fmt: skip
    assert {name: (row["accepted_matched"], row["accepted_missed"]) for name, row in rows.items()} == {
        "industry": (1, 0), "employees": (1, 0), "country": (0, 1), "title": (1, 0),
    }  # fmt: skip
    assert rows["employees"]["rejected_match_rate"] == 0.0
    assert rows["country"]["accepted_match_rate"] == 0.0


def test_open_sla_breaches(actors, world):
    scope = scope_for_user(user=actors.manager)
    breaches = selectors.open_sla_breaches(scope=scope, now=at("2026-03-22 10:00"))
    assert breaches["count"] == 1
    assert [(row["handoff"], row["overdue_hours"]) for row in breaches["rows"]] == [(world.h5.pk, 24.0)]
    assert selectors.open_sla_breaches(scope=scope, now=at("2026-03-21 09:00"))["count"] == 0


def test_follow_up_coverage_by_weekly_cohort(actors, world):
    scope = scope_for_user(user=actors.manager)
    make_activity(world.l3, actors.bdr, "email", "2026-03-20 09:00", "sent")  # day 10: outside 7 days
    weeks = selectors.follow_up_coverage(scope=scope, period=march(scope), touches=2, within_days=7)
    by_week = {row["week"]: row for row in weeks}
    # Week of 2 March: l1 (2 calls on day 1; the February call came before the lead existed), l2 (email + LinkedIn; the
    # reply is not a touch) → 2 of 2. Week of 9 March: l3 (2 calls) yes, l4 no → 1 of 2.
    assert (by_week["2026-03-02"]["leads"], by_week["2026-03-02"]["covered"]) == (2, 2)
    assert (
        by_week["2026-03-09"]["leads"],
        by_week["2026-03-09"]["covered"],
        by_week["2026-03-09"]["rate"],
    ) == (2, 1, 0.5)
    assert (by_week["2026-03-16"]["leads"], by_week["2026-03-16"]["rate"]) == (0, None)
    three = {
        row["week"]: row
        for row in selectors.follow_up_coverage(scope=scope, period=march(scope), touches=3, within_days=7)
    }
    assert three["2026-03-02"]["covered"] == 0


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "url", ["/api/metrics/funnel/", "/api/metrics/leaderboard/", "/api/metrics/dashboard/"]
)
def test_query_count_is_small_and_does_not_grow_with_data(api_for, actors, url):
    client = api_for(actors.manager)
    march_world(actors)
    before = _queries(client, url, MARCH)
    for number in range(15):
        lead = make_lead(
            actors.team,
            actors.sdr,
            created=f"2026-03-{number + 1:02d} 10:00",
            first_touch=f"2026-03-{number + 1:02d} 11:00",
        )
        make_activity(lead, actors.sdr, "call", f"2026-03-{number + 1:02d} 11:00", "connected")
    assert _queries(client, url, MARCH) == before
    assert (
        before
        <= {"/api/metrics/funnel/": 7, "/api/metrics/leaderboard/": 5, "/api/metrics/dashboard/": 22}[url]
    )


def test_dashboard_json_has_every_table(api_for, actors, world):
    body = api_for(actors.manager).get("/api/metrics/dashboard/", {**MARCH, "touches": 2, "within": 3}).json()
    assert set(body) == {
        "funnel", "trends", "leaderboard", "steps", "ae_decisions", "icp_fit", "sla_breaches", "follow_up_coverage",
    }  # fmt: skip
    assert body["funnel"]["won_revenue"] == "21000.00"
    assert (body["follow_up_coverage"]["touches"], body["follow_up_coverage"]["within"]) == (2, 3)
    bad = api_for(actors.manager).get("/api/metrics/dashboard/", {"touches": "0"})
    assert (bad.status_code, list(bad.json())) == (400, ["touches"])
