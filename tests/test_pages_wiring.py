"""The apps' pages are wired together: panels and actions one app offers appear on another's page."""

import pytest

from cadences.models import Cadence
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_lead_page_offers_cadence_enrollment_and_handoff(client, actors):
    Cadence.objects.create(team=actors.team, name="Outbound — the seeds' cadence")
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    client.force_login(actors.sdr)
    html = client.get(f"/leads/{lead.pk}/").content.decode()
    assert 'id="lead-enroll"' in html
    assert "Hand off to an AE" in html


def test_lead_list_offers_bulk_enrollment(client, actors):
    Cadence.objects.create(team=actors.team, name="Inbound — same day")
    LeadFactory(team=actors.team, owner=actors.sdr)
    client.force_login(actors.sdr)
    html = client.get("/leads/").content.decode()
    assert 'id="bulk-enroll"' in html
    assert "Inbound — same day" in html


def test_today_page_loads_my_numbers(client, actors):
    client.force_login(actors.sdr)
    assert 'hx-get="/dashboard/me/"' in client.get("/today/").content.decode()
    card = client.get("/dashboard/me/", headers={"HX-Request": "true"}).content.decode()
    assert 'id="my-numbers"' in card
