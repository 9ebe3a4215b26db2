"""The funnel against the hand-built March 2026 data set (tests/metrics/factories.py).

Every expected figure below was counted by hand from that data set; none is recomputed here.
March in the team's days (its manager lives in Europe/Tallinn) is [28 Feb 22:00 UTC, 31 Mar 21:00 UTC).
"""

import pytest

from metrics.periods import Period, zone_named
from metrics.scope import scope_for_user
from metrics.selectors import funnel
from tests.metrics.factories import march_world

pytestmark = pytest.mark.django_db

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}
NO_REASONS = {
    "not_icp": 0, "no_budget": 0, "no_authority": 0, "no_need": 0, "bad_timing": 0, "duplicate": 0,
    "insufficient_info": 0, "other": 0,
}  # fmt: skip


@pytest.fixture
def world(actors):
    return march_world(actors)


def get_funnel(api_for, user, **params):
    response = api_for(user).get("/api/metrics/funnel/", {**MARCH, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_team_funnel_for_march_matches_the_hand_count(api_for, actors, world):
    assert get_funnel(api_for, actors.manager) == {
        "from": "2026-03-01",
        "to": "2026-03-31",
        "time_zone": "Europe/Tallinn",
        "team": actors.team.pk,
        "owner": None,
        "leads": 6,  # l1 l2 l3 l4 l5 l7
        "mqls": 3,  # l1 l2 l6
        "mql_rate": 0.5,
        "contacted": 5,  # l1 l2 l3 l5 l6
        "followed_up": 4,  # l1 l2 l3 l5
        "follow_up_rate": pytest.approx(4 / 6),
        "speed_to_lead_median_minutes": 25.0,  # 10, 20 | 30, 60
        "sqls": 5,  # h1..h5 (h2 and h3: the same lead, rejected then handed off again)
        "handoffs_accepted": 3,  # h1 h3 h6 (h6 created in February)
        "handoffs_rejected": 2,  # h2 h4
        "acceptance_rate": 0.6,
        "rejection_reasons": {**NO_REASONS, "no_budget": 1, "not_icp": 1},
        "opportunities": 5,  # o1 o2 o3 o5 o7
        "opportunities_per_mql": pytest.approx(5 / 3),
        "pipeline": "21500.00",
        "pipeline_per_opportunity": "4300.00",
        "stage2_opportunities": 3,  # o1 o2 o7
        "stage2_rate": 0.6,
        "won_deals": 3,  # o1 o4 o7
        "lost_deals": 1,  # o3
        "won_revenue": "21000.00",
        "average_selling_price": "7000.00",
        "win_rate": 0.75,
        "sdr_sourced_deals": 2,  # o1 (SDR) o7 (BDR); o4 has no source
        "sdr_sourced_revenue": "13000.00",
        "sdr_sourced_share": pytest.approx(13000 / 21000),
        "sdr_headcount": 3,  # Kadri, 민준, Tiina (an inactive SDR does not count)
        "ae_headcount": 2,
        "sdr_to_ae_ratio": 1.5,
    }


def test_an_sdr_gets_their_own_numbers_whatever_owner_they_ask_for(api_for, actors, world):
    numbers = get_funnel(api_for, actors.sdr, owner=actors.bdr.pk)
    assert numbers["owner"] == actors.sdr.pk
    assert (numbers["leads"], numbers["mqls"], numbers["contacted"], numbers["followed_up"]) == (3, 3, 4, 3)
    assert numbers["speed_to_lead_median_minutes"] == 20.0  # 10, 20, 30
    assert (numbers["sqls"], numbers["handoffs_accepted"], numbers["handoffs_rejected"]) == (4, 3, 1)
    assert numbers["acceptance_rate"] == 0.75
    assert (numbers["opportunities"], numbers["pipeline"]) == (3, "17000.00")
    assert (numbers["won_deals"], numbers["won_revenue"], numbers["win_rate"]) == (1, "10000.00", 0.5)
    assert (numbers["sdr_sourced_revenue"], numbers["sdr_sourced_share"]) == ("10000.00", 1.0)
    assert (numbers["sdr_headcount"], numbers["ae_headcount"]) == (3, 2)


def test_an_ae_gets_the_leads_handoffs_and_deals_that_are_theirs(api_for, actors, world):
    numbers = get_funnel(api_for, actors.ae)
    assert numbers["owner"] == actors.ae.pk
    assert numbers["leads"] == 2  # l1 l2 were handed to Dmitri and created in March
    assert (numbers["sqls"], numbers["handoffs_accepted"], numbers["handoffs_rejected"]) == (4, 3, 1)
    assert (numbers["opportunities"], numbers["pipeline"]) == (4, "18500.00")
    assert (numbers["won_deals"], numbers["won_revenue"]) == (2, "18000.00")  # o1, o4 (AE-sourced)
    assert numbers["sdr_sourced_revenue"] == "10000.00"
    assert numbers["sdr_sourced_share"] == pytest.approx(10000 / 18000)
    assert numbers["win_rate"] == pytest.approx(2 / 3)


def test_a_manager_may_look_at_one_rep(api_for, actors, world):
    numbers = get_funnel(api_for, actors.manager, owner=actors.bdr.pk)
    assert (numbers["leads"], numbers["sqls"], numbers["handoffs_rejected"]) == (2, 1, 1)  # l3 l4; h4
    assert (numbers["won_deals"], numbers["sdr_sourced_revenue"]) == (1, "3000.00")  # o7


def test_an_empty_period_has_null_rates_and_no_division_error(api_for, actors, world):
    numbers = get_funnel(api_for, actors.manager, **{"from": "2025-06-01", "to": "2025-06-30"})
    counts = ("leads", "mqls", "contacted", "followed_up", "sqls", "handoffs_accepted", "handoffs_rejected",
              "opportunities", "stage2_opportunities", "won_deals", "lost_deals", "sdr_sourced_deals")  # fmt: skip
    assert {key: numbers[key] for key in counts} == dict.fromkeys(counts, 0)
    undefined = ("mql_rate", "follow_up_rate", "speed_to_lead_median_minutes", "acceptance_rate",
                 "opportunities_per_mql", "pipeline_per_opportunity", "stage2_rate", "average_selling_price",
                 "win_rate", "sdr_sourced_share")  # fmt: skip
    assert {key: numbers[key] for key in undefined} == dict.fromkeys(undefined)
    assert (numbers["pipeline"], numbers["won_revenue"], numbers["sdr_sourced_revenue"]) == ("0.00",) * 3
    assert numbers["rejection_reasons"] == NO_REASONS
    assert numbers["sdr_to_ae_ratio"] == 1.5


def test_an_empty_team_has_no_ratio(api_for, actors):
    numbers = get_funnel(api_for, actors.other_manager)
    assert (numbers["sdr_headcount"], numbers["ae_headcount"], numbers["sdr_to_ae_ratio"]) == (1, 1, 1.0)
    actors.other_ae.is_active = False
    actors.other_ae.save()
    assert get_funnel(api_for, actors.other_manager)["sdr_to_ae_ratio"] is None


def test_period_bounds_follow_the_managers_time_zone(actors, world):
    actors.manager.timezone = "UTC"
    actors.manager.save()
    scope = scope_for_user(user=actors.manager)
    assert str(scope.zone) == "UTC"
    import datetime

    numbers = funnel(
        scope=scope, period=Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31), scope.zone)
    )
    # In UTC, l5 and l6 fall in February and l8 (31 Mar 21:00 UTC) in March.
    assert (numbers["leads"], numbers["mqls"], numbers["contacted"]) == (6, 4, 5)
    assert numbers["won_deals"] == 3


def test_a_team_without_a_manager_counts_in_utc(actors):
    actors.manager.role = "sdr"
    actors.manager.save()
    assert str(scope_for_user(user=actors.admin, team_id=actors.team.pk).zone) == "UTC"
    assert zone_named("Not/AZone").key == "UTC"


def test_an_admin_picks_the_team_or_sees_every_team(api_for, actors, world):
    assert get_funnel(api_for, actors.admin, team=actors.team.pk)["leads"] == 6
    everything = get_funnel(api_for, actors.admin)
    assert everything["team"] is None
    assert everything["time_zone"] == "UTC"
    assert everything["won_deals"] == 4  # the other team's deal too


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-03-31", "to": "2026-03-01"}, "from"),
        ({"from": "01/03/2026", "to": "2026-03-31"}, "from"),
        ({"from": "2026-03-01", "to": "2026-02-30"}, "to"),
        ({"from": "2026-3-1", "to": "2026-03-31"}, "from"),
        ({"from": "0001-01-01", "to": "2026-03-31"}, "from"),
        ({"period": "decade"}, "period"),
        ({"team": "abc"}, "team"),
        ({"owner": "-1"}, "owner"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_for, actors, params, field):
    response = api_for(actors.manager).get("/api/metrics/funnel/", params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_another_teams_rep_or_team_is_not_found(api_for, actors):
    client = api_for(actors.manager)
    assert client.get("/api/metrics/funnel/", {"owner": actors.other_sdr.pk}).status_code == 404
    assert client.get("/api/metrics/funnel/", {"team": actors.other_team.pk}).status_code == 404
    assert api_for(actors.sdr).get("/api/metrics/funnel/", {"team": actors.other_team.pk}).status_code == 404
