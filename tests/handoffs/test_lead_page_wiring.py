"""The lead page carries the handoff panel: the owner can hand off from it."""

import pytest

from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_owner_sees_the_hand_off_button_on_the_lead_page(client, actors):
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    client.force_login(actors.sdr)
    html = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "Hand off to an AE" in html
    assert f"/handoffs/new/?lead={lead.pk}" in html


def test_a_rep_who_does_not_own_the_lead_gets_no_hand_off_button(client, actors):
    lead = LeadFactory(team=actors.team, owner=None)
    client.force_login(actors.bdr)
    html = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "Hand off to an AE" not in html
