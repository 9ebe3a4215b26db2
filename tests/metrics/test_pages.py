"""The dashboard page: whole page, the htmx partial, each role's view, and the personal numbers."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from tests.metrics.factories import cadence_world, march_world

pytestmark = pytest.mark.django_db

MARCH = {"period": "custom", "from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
def world(actors):
    w = march_world(actors)
    cadence_world(actors.team, actors.sdr, [w.l1, w.l2, w.l3])
    return w


def test_full_page_has_the_layout_filters_charts_and_scheduler(client, actors, world):
    client.force_login(actors.manager)
    response = client.get("/dashboard/", MARCH)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and 'id="scheduler-status"' in html and 'id="dashboard-body"' in html
    assert 'class="chart funnel-chart"' in html and 'class="chart trend-chart"' in html
    assert "style=" not in html.split("<body", 1)[1]  # the CSP forbids inline style
    context = response.context
    assert context["funnel"]["won_revenue"] == "21000.00"
    tiles = {tile["label"]: tile["value"] for tile in context["headline"]}
    assert tiles["Leads"] == 6 and tiles["MQL per lead"] == "50%" and tiles["Win rate"] == "75%"
    assert tiles["Speed to lead"] == "25m" and tiles["SDR : AE"] == "1.5 : 1"
    assert tiles["Won revenue"] == "21,000" and tiles["Average selling price"] == "7,000"
    assert [bar["conversion"] for bar in context["funnel_chart"]["bars"]] == [
        None,
        "50%",
        "167%",
        "100%",
        "60%",
    ]
    assert "Kadri Kask" in html and "Outbound EE" in html and "No budget" in html


def test_htmx_request_gets_only_the_body_partial(client, actors, world):
    client.force_login(actors.manager)
    response = client.get("/dashboard/", MARCH, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="dashboard-body"')
    assert "<html" not in html and "scheduler-status" not in html


def test_the_rep_filter_narrows_the_numbers(client, actors, world):
    client.force_login(actors.manager)
    response = client.get("/dashboard/", {**MARCH, "rep": actors.bdr.pk})
    assert response.context["funnel"]["leads"] == 2
    assert response.context["scope"].owner == actors.bdr


def test_bad_dates_show_an_error_and_fall_back_to_this_month(client, actors, world):
    client.force_login(actors.manager)
    response = client.get("/dashboard/", {"period": "custom", "from": "2026-03-31", "to": "2026-03-01"})
    assert response.status_code == 200
    assert response.context["errors"] == {"from": "The start date is after the end date."}
    assert response.context["period_name"] == "month"


def test_another_teams_rep_or_team_is_a_404(client, actors, world):
    client.force_login(actors.manager)
    assert client.get("/dashboard/", {"rep": actors.other_sdr.pk}).status_code == 404
    assert client.get("/dashboard/", {"team": actors.other_team.pk}).status_code == 404


def test_an_admin_picks_a_team(client, actors, world):
    client.force_login(actors.admin)
    everyone = client.get("/dashboard/", MARCH)
    assert everyone.context["scope"].team is None and everyone.context["reps"] == []
    one = client.get("/dashboard/", {**MARCH, "team": actors.team.pk})
    assert one.context["funnel"]["leads"] == 6
    assert actors.bdr in one.context["reps"]


def test_an_ae_sees_only_their_own_numbers(client, actors, world):
    client.force_login(actors.ae)
    response = client.get("/dashboard/", MARCH)
    assert response.status_code == 200
    assert response.context["scope"].owner == actors.ae
    assert response.context["funnel"]["won_revenue"] == "18000.00"
    assert response.context["me"]["open_pipeline"] == "6500.00"  # o2 5000 (demo) + o5 1500 (discovery)
    html = response.content.decode()
    assert 'name="rep"' not in html and "ICP back-test" not in html


def test_an_sdr_sees_their_numbers_against_the_daily_goal(client, actors, world):
    client.force_login(actors.sdr)
    response = client.get("/dashboard/me/")
    assert response.status_code == 200
    me = response.context["me"]
    assert (me["daily_goal"], me["weekly_goal"]) == (60, 300)
    assert 'id="my-numbers"' in response.content.decode()


def test_my_numbers_count_today_and_this_week(actors, world, time_machine):
    from metrics.personal import my_numbers
    from tests.metrics.factories import at, make_activity

    # Wednesday 4 March 2026, 10:00 in Tallinn (08:00 UTC); the week began on Monday 2 March.
    time_machine.move_to(at("2026-03-04 08:00"))
    make_activity(world.l1, actors.sdr, "call", "2026-03-04 07:00", "connected")
    make_activity(world.l1, actors.sdr, "email", "2026-03-03 21:59", "sent")  # 23:59 on Tuesday in Tallinn
    me = my_numbers(user=actors.sdr)
    # Today: the 07:00 UTC call only. This week (2–8 March): the two calls of 2 March, the email of 5
    # March, the LinkedIn touch of 6 March and the two above; the prospect's reply is not a touch.
    assert (me["touches_today"], me["touches_week"], me["calls_today"], me["connects_today"]) == (1, 6, 1, 1)
    # Created: h1 h2 h3; accepted: h1 (3 March) h3 (7 March); booked: h1 h2; h1 was held on 10 March.
    assert (me["sqls"], me["accepted"], me["meetings_booked"], me["meetings"]) == (3, 2, 2, 0)
    html = Template("{% include 'metrics/partials/my-numbers.html' %}").render(Context({"me": me}))
    assert "1 call, 1 connect" in html


def test_the_inclusion_tag_renders_the_partial(actors, world):
    request = RequestFactory().get("/today/")
    request.user = actors.bdr
    html = Template("{% load metrics_tags %}{% my_numbers %}").render(Context({"request": request}))
    assert 'id="my-numbers"' in html and "touches today" in html


def test_backtest_partial_grades_closed_deals_with_a_draft_profile(client, actors, world):
    world.l1.industry, world.l1.employee_count, world.l1.country, world.l1.title = (
        "Software",
        120,
        "EE",
        "Head of Sales",
    )
    world.l1.save()
    world.l6.industry = "Retail"
    world.l6.save()
    client.force_login(actors.manager)
    draft = {"industries": "software", "countries": "ee", "title_keywords": "sales", "employee_min": "50",
             "employee_max": "500"}  # fmt: skip
    partial = client.get(
        "/dashboard/", {**MARCH, **draft, "part": "icp-backtest"}, headers={"HX-Request": "true"}
    )
    html = partial.content.decode()
    assert html.lstrip().startswith('<section id="icp-backtest"') and "A draft profile" in html
    response = client.get("/dashboard/", {**MARCH, **draft})
    result = response.context["backtest"]
    # Closed deals: o1 (won, l1: all four match → A), o3 (lost, l6: nothing matches → D),
    # o4 (won, no lead), o7 (won, no lead), and the January loss (no lead).
    assert (result["closed"], result["unscored"]) == (5, 3)
    grades = {row["grade"]: (row["won"], row["lost"]) for row in result["grades"]}
    assert grades == {"A": (1, 0), "B": (0, 0), "C": (0, 0), "D": (0, 1)}
    assert result["separation"] == 1.0


def test_the_page_query_count_does_not_grow_with_data(client, actors, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.metrics.factories import make_activity, make_lead

    client.force_login(actors.manager)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/dashboard/", MARCH, headers={"HX-Request": "true"}).status_code == 200
        return len(captured.captured_queries)

    before = count()
    for day in range(1, 20):
        lead = make_lead(
            actors.team,
            actors.bdr,
            created=f"2026-03-{day:02d} 10:00",
            first_touch=f"2026-03-{day:02d} 10:30",
        )
        make_activity(lead, actors.bdr, "email", f"2026-03-{day:02d} 10:30", "sent")
    assert count() == before
    assert before <= 32


def test_managers_asking_for_the_same_numbers_share_one_computation(client, actors, world, settings):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    client.force_login(actors.manager)
    first = client.get("/dashboard/", MARCH)
    with CaptureQueriesContext(connection) as again:
        second = client.get("/dashboard/", MARCH)
    with CaptureQueriesContext(connection) as other_period:
        client.get("/dashboard/", {**MARCH, "from": "2026-03-02"})
    assert second.context["numbers"] == first.context["numbers"]
    assert len(other_period) - len(again) >= 8  # the aggregates ran again only for the new period
    cache.clear()
