"""CSV exports: each table downloads, with the caller's scope, and no cell can run as a formula."""

import csv
import io

import pytest

from sdrcrm.accounts.models import Role
from tests.factories import UserFactory
from tests.metrics.factories import cadence_world, make_activity, make_lead, march_world

pytestmark = pytest.mark.django_db

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_leaderboard_csv_neutralises_formulas_in_names(api_for, actors):
    rep = UserFactory(
        username="evil", first_name='=HYPERLINK("http://x")', last_name="", role=Role.SDR, team=actors.team
    )
    lead = make_lead(actors.team, rep, created="2026-03-02 10:00")
    make_activity(lead, rep, "call", "2026-03-02 11:00", "connected")
    rows = rows_of(api_for(actors.manager).get("/api/metrics/leaderboard/export/", MARCH))
    assert rows[0][:6] == ["user", "name", "role", "touches", "calls", "emails"]
    evil = next(row for row in rows if row[0] == str(rep.pk))
    assert evil[1] == '\'=HYPERLINK("http://x")'
    assert evil[3:6] == ["1", "1", "0"]


def test_funnel_csv_has_a_row_per_key(api_for, actors):
    march_world(actors)
    response = api_for(actors.manager).get("/api/metrics/funnel/export/", MARCH)
    assert (
        f'filename="funnel_team{actors.team.pk}_2026-03-01_2026-03-31.csv"' in response["Content-Disposition"]
    )
    rows = dict(rows_of(response)[1:])
    assert (rows["leads"], rows["won_revenue"], rows["sdr_to_ae_ratio"]) == ("6", "21000.00", "1.5")
    assert rows["rejection_reasons.no_budget"] == "1"
    assert rows["average_selling_price"] == "7000.00"


def test_an_sdrs_export_holds_only_their_row(api_for, actors):
    march_world(actors)
    rows = rows_of(api_for(actors.bdr).get("/api/metrics/leaderboard/export/", MARCH))
    assert [row[0] for row in rows[1:]] == [str(actors.bdr.pk)]


def test_steps_csv_lists_steps_and_variants(api_for, actors):
    world = march_world(actors)
    steps = cadence_world(actors.team, actors.sdr, [world.l1, world.l2, world.l3])
    rows = rows_of(api_for(actors.manager).get("/api/metrics/steps/export/", {"cadence": steps.cadence.pk}))
    assert [row[2:] for row in rows[1:]] == [
        ["1", "email", "Quick question", "", "3", "1", str(1 / 3)],
        ["1", "email", "Quick question", "0", "2", "0", "0.0"],
        ["1", "email", "Idea", "1", "1", "1", "1.0"],
        ["2", "call", "", "", "2", "1", "0.5"],
    ]


@pytest.mark.parametrize("table", ["trends", "decisions", "coverage", "icp-fit"])
def test_every_other_table_downloads(api_for, actors, table):
    march_world(actors)
    rows = rows_of(api_for(actors.manager).get(f"/api/metrics/{table}/export/", MARCH))
    assert len(rows) > 1


def test_an_export_with_bad_dates_is_a_400(api_for, actors):
    response = api_for(actors.manager).get("/api/metrics/leaderboard/export/", {"from": "yesterday"})
    assert response.status_code == 400
    assert response.json() == {"from": ["Enter a date as YYYY-MM-DD."]}
