"""The lead list pages through any number of leads without counting them all: a page is read with
one row more than it shows, the last page knows its count for free, past a few hundred leads the
page says "about N" (the planner's estimate on PostgreSQL)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads.web import views
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def _leads(team, count, owner=None, **fields):
    return LeadFactory.create_batch(count, team=team, owner=owner, **fields)


def _rows(html: str) -> int:
    return html.count("data-lead-row")


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **HX)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in queries.captured_queries]


def _counts(sql: list[str]) -> list[str]:
    """The statements that only count leads (on PostgreSQL a capped count rides in the rows' statement)."""
    return [q for q in sql if re.match(r"\s*SELECT\s+COUNT\s*\(", q, re.IGNORECASE) and "leads_lead" in q]


def test_a_list_on_one_page_is_counted_from_its_rows_without_a_count_query(actors, client):
    _leads(actors.team, 7)
    client.force_login(actors.manager)
    html, sql = _get(client, "/leads/")
    assert _rows(html) == 7
    assert "7 leads" in html
    assert _counts(sql) == []
    assert 'rel="next"' not in html and 'rel="prev"' not in html


def test_next_and_previous_pages_and_the_last_page_needs_no_count(actors, client):
    _leads(actors.team, 120)
    client.force_login(actors.manager)

    first, first_sql = _get(client, "/leads/")
    assert _rows(first) == 50
    assert "120 leads" in first and "Page 1 of 3" in first
    assert 'page=2" rel="next"' in first and 'rel="prev"' not in first
    assert len(_counts(first_sql)) <= 1  # capped: exact up to the page's limit
    assert any("LIMIT 501" in q for q in first_sql)

    last, last_sql = _get(client, "/leads/?page=3")
    assert _rows(last) == 20
    assert "120 leads" in last and "Page 3 of 3" in last
    assert 'page=2" rel="prev"' in last and 'rel="next"' not in last
    assert _counts(last_sql) == []


def test_pages_keep_the_filters_in_their_links(actors, client):
    _leads(actors.team, 60, grade="A")
    _leads(actors.team, 3, grade="C")
    client.force_login(actors.manager)
    html, _ = _get(client, "/leads/?grade=A")
    assert "60 leads" in html
    assert 'href="?grade=A&amp;page=2" rel="next"' in html


def test_the_query_count_does_not_grow_with_the_list(actors, client):
    _leads(actors.team, 60)
    client.force_login(actors.manager)
    _, small = _get(client, "/leads/")
    _leads(actors.team, 140, owner=actors.sdr)
    _, big = _get(client, "/leads/")
    assert len(big) == len(small)


def test_a_page_past_the_end_says_so_and_links_back_to_the_first(actors, client):
    _leads(actors.team, 3)
    client.force_login(actors.manager)
    html, _ = _get(client, "/leads/?status=new&page=9")
    assert _rows(html) == 0
    assert "No leads on this page" in html
    assert 'href="?status=new&amp;page=1"' in html


@pytest.mark.parametrize("page", ["abc", "0", "-1", "2.5", ""])
def test_a_page_number_that_is_not_one_shows_the_first_page(actors, client, page):
    _leads(actors.team, 55)
    client.force_login(actors.manager)
    html, _ = _get(client, f"/leads/?page={page}")
    assert _rows(html) == 50 and "Page 1 of 2" in html


def test_past_the_exact_limit_the_page_shows_the_count_without_counting_every_lead(
    actors, client, monkeypatch
):
    monkeypatch.setattr(views, "EXACT_COUNT_LIMIT_ON_PAGES", 60)
    _leads(actors.team, 130)
    client.force_login(actors.manager)
    html, sql = _get(client, "/leads/")
    assert _rows(html) == 50
    if connection.vendor == "postgresql":
        assert _counts(sql) == [] and any("LIMIT 61" in q for q in sql)
        assert "(about)" in html and "Page 1 of" not in html and "Page 1" in html
    else:  # SQLite has no planner estimate: the small databases it serves are counted
        assert "130 leads" in html


@pytest.mark.services
def test_on_postgresql_a_big_list_is_an_estimate_shown_as_such(actors, client, monkeypatch):
    monkeypatch.setattr(views, "EXACT_COUNT_LIMIT_ON_PAGES", 60)
    _leads(actors.team, 130)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE leads_lead")
    client.force_login(actors.manager)
    html, sql = _get(client, "/leads/")
    assert "(about)" in html and "Page 1" in html and 'page=2" rel="next"' in html
    assert any(q.lstrip().upper().startswith("EXPLAIN") for q in sql)


def test_bulk_selection_posts_the_leads_of_the_page(actors, client):
    leads = _leads(actors.team, 3)
    client.force_login(actors.sdr)
    html, _ = _get(client, "/leads/")
    for lead in leads:
        assert f'name="lead" value="{lead.pk}" data-select-row' in html
