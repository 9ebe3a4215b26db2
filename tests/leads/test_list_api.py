"""`GET /api/leads/`: the page, its count (exact up to 10,000) and links, in a fixed number of
queries; each lead as API.md describes it."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _get(api, url):
    """The response, and the statements that only count (on PostgreSQL a capped count rides in
    the rows' statement), and all statements."""
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    sql = [q["sql"] for q in queries.captured_queries]
    counts = [q for q in sql if re.match(r"\s*SELECT\s+COUNT\s*\(", q, re.IGNORECASE) and "leads_lead" in q]
    return response, counts, sql


def test_a_list_that_fits_on_its_page_is_counted_from_its_rows(actors, api_for):
    LeadFactory.create_batch(7, team=actors.team)
    response, counts, _ = _get(api_for(actors.manager), "/api/leads/")
    body = response.json()
    assert (body["count"], body["next"], body["previous"], len(body["results"])) == (7, None, None, 7)
    assert "count_is_estimate" not in body
    assert counts == []


def test_pages_count_exactly_and_link_to_each_other(actors, api_for):
    LeadFactory.create_batch(23, team=actors.team)
    api = api_for(actors.manager)

    first, counts, sql = _get(api, "/api/leads/?page_size=10")
    body = first.json()
    assert body["count"] == 23 and len(body["results"]) == 10
    assert body["next"].endswith("/api/leads/?page=2&page_size=10") and body["previous"] is None
    assert len(counts) <= 1 and any("LIMIT 10001" in q for q in sql)

    last, counts, _ = _get(api, "/api/leads/?page=3&page_size=10")
    body = last.json()
    assert body["count"] == 23 and len(body["results"]) == 3
    assert body["next"] is None and body["previous"].endswith("/api/leads/?page=2&page_size=10")
    assert counts == []

    assert api.get("/api/leads/?page=last&page_size=10").json()["results"] == body["results"]


@pytest.mark.parametrize("page", ["4", "0", "abc", "-1"])
def test_a_page_that_does_not_exist_is_404(actors, api_for, page):
    LeadFactory.create_batch(23, team=actors.team)
    response = api_for(actors.manager).get(f"/api/leads/?page={page}&page_size=10")
    assert response.status_code == 404


def test_an_empty_list_is_a_first_page_with_nothing(actors, api_for):
    body = api_for(actors.manager).get("/api/leads/").json()
    assert body == {"count": 0, "next": None, "previous": None, "results": []}


def test_the_query_count_does_not_grow_with_the_list(actors, api_for):
    LeadFactory.create_batch(60, team=actors.team, owner=actors.sdr)
    api = api_for(actors.manager)
    with CaptureQueriesContext(connection) as small:
        api.get("/api/leads/")
    LeadFactory.create_batch(150, team=actors.team, owner=None)
    with CaptureQueriesContext(connection) as big:
        api.get("/api/leads/")
    assert len(big.captured_queries) == len(small.captured_queries)


def test_each_lead_reads_as_the_api_describes_it(actors, api_for):
    seen = timezone.now().replace(microsecond=0)
    lead = LeadFactory(
        team=actors.team,
        owner=actors.sdr,
        first_name="Anna",
        score=70,
        grade="B",
        first_touch_at=seen,
        score_explanation=[
            {"criterion": "industry", "matched": True, "weight": 30, "detail": "SaaS is a target industry."},
            {"criterion": "country", "matched": False, "weight": 20, "detail": "US is not a target country."},
        ],
    )
    row = api_for(actors.manager).get("/api/leads/").json()["results"][0]
    detail = api_for(actors.manager).get(f"/api/leads/{lead.pk}/").json()
    assert row == detail
    assert row["id"] == lead.pk and row["first_name"] == "Anna"
    assert (row["owner"], row["team"], row["account"], row["import_batch"]) == (
        actors.sdr.pk,
        actors.team.pk,
        None,
        None,
    )
    assert (row["score"], row["grade"], row["status"], row["opted_out"]) == (70, "B", "new", False)
    assert row["score_explanation"] == lead.score_explanation
    assert row["first_touch_at"] == seen.isoformat().replace("+00:00", "Z")
    assert row["mql_at"] is None and row["employee_count"] is None
