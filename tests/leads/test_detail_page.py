"""The lead page reads a fixed number of queries whatever the length of the lead's timeline, and
shows each timeline row with its kind, outcome, author and time."""

import datetime

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


def test_a_lead_with_an_account_a_list_a_cadence_and_handoffs_reads_one_query_more_than_a_bare_lead(
    actors, client
):
    """A bare lead's panels learn from one statement each that there is nothing to read; a lead in a cadence
    reads its enrollment and reminders (and no cadence choices), a handed-off one its handoffs; nothing is
    fetched lazily per related row."""
    from cadences.services import cadence_enroll, reminder_create
    from handoffs import services as handoffs
    from leads.models import ImportBatch
    from tests.cadences.factories import CadenceFactory, add_steps
    from tests.handoffs.factories import hand_off, make_lead
    from tests.leads.factories import CompanyFactory

    bare = make_lead(actors.team, owner=actors.sdr)
    batch = ImportBatch.objects.create(team=actors.team, created_by=actors.sdr, filename="webinar-leads.csv")
    enrolled = make_lead(actors.team, owner=actors.sdr, import_batch=batch,
                         account=CompanyFactory(team=actors.team, name="Acme Holding"))  # fmt: skip
    cadence = CadenceFactory(team=actors.team, name="Webinar follow-up", created_by=actors.manager)
    add_steps(cadence, ("call", 0))
    assert cadence_enroll(cadence=cadence, lead_ids=[enrolled.pk], by=actors.sdr)["enrolled"]
    tomorrow = enrolled.created_at + datetime.timedelta(days=1)
    reminder_create(lead=enrolled, owner=actors.sdr, due_at=tomorrow, note="Call after lunch", by=actors.sdr)
    converted = make_lead(actors.team, owner=actors.sdr)
    handoffs.handoff_reject(handoff=hand_off(converted, actors.sdr), by=actors.ae, reason="bad_timing")
    handoffs.handoff_accept(
        handoff=hand_off(converted, actors.sdr), by=actors.ae, amount=12000, name="Acme pilot"
    )

    # The SDR's page reads the enrollment and their reminder instead of the cadence choices; the manager
    # has no reminder on the lead, so theirs reads the enrollment only. The converted lead's page reads its
    # handoffs, and no cadence choices (a converted lead is not enrolled).
    for user, enrolled_extra in ((actors.sdr, 1), (actors.manager, 0)):
        client.force_login(user)
        bare_queries = _queries(client, f"/leads/{bare.pk}/")
        assert _queries(client, f"/leads/{enrolled.pk}/") == bare_queries + enrolled_extra
        assert _queries(client, f"/leads/{converted.pk}/") == bare_queries
    html = client.get(f"/leads/{enrolled.pk}/").content.decode()
    assert "webinar-leads.csv" in html and "Webinar follow-up" in html and "Call after lunch" in html
    html = client.get(f"/leads/{converted.pk}/").content.decode()
    assert "Acme pilot" in html and actors.ae.display_name in html and "Bad timing" in html
    assert "Enroll in" not in html and "the lead is disqualified or with an AE" in html
