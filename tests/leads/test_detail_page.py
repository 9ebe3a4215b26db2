"""The lead page reads a fixed number of queries whatever the length of the lead's timeline, and
shows each timeline row with its kind, outcome, author and time."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.leads.factories import ActivityFactory, LeadFactory

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_the_query_count_does_not_grow_with_the_timeline(actors, client):
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    ActivityFactory(lead=lead, actor=actors.sdr)
    client.force_login(actors.sdr)
    short = _queries(client, f"/leads/{lead.pk}/")
    for author in (actors.sdr, actors.manager, None) * 10:
        ActivityFactory(lead=lead, actor=author, kind="call", outcome="connected")
    assert _queries(client, f"/leads/{lead.pk}/") == short


def test_timeline_rows_show_kind_outcome_author_and_body(actors, client):
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    ActivityFactory(lead=lead, actor=actors.sdr, kind="call", outcome="connected", body="Talked budget")
    ActivityFactory(lead=lead, actor=None, kind="note", body="Line one\nLine two")
    client.force_login(actors.sdr)
    html = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "Talked budget" in html and actors.sdr.display_name in html
    assert "Line one<br>Line two" in html and "System" in html
    assert ">Call<" in html


def test_the_score_explanation_shows_points_won_and_points_missed_apart(actors, client):
    lead = LeadFactory(team=actors.team, owner=actors.sdr, score=30, grade="C")
    type(lead).objects.filter(pk=lead.pk).update(
        score_explanation=[
            {"criterion": "industry", "matched": True, "weight": 30, "detail": "Software is in the ICP"},
            {"criterion": "country", "matched": False, "weight": 25, "detail": "RU is not a target country"},
        ]
    )
    client.force_login(actors.sdr)
    html = client.get(f"/leads/{lead.pk}/").content.decode()
    assert '<span class="criterion-weight">+30</span>' in html
    assert '<span class="criterion-weight">0 of 25</span>' in html
