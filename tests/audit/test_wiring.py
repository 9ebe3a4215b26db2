"""The audit log as a manager meets it: linked from the team page, and changes made on the pages and
through the API are attributed to the person who made them."""

import pytest
from django.test import Client

from sdrcrm.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_team_page_links_to_the_audit_log(actors):
    client = Client()
    client.force_login(actors.manager)
    html = client.get("/team/").content.decode()
    assert 'href="/audit/"' in html


def test_a_key_rotated_on_the_team_page_is_attributed_to_the_manager(actors):
    client = Client()
    client.force_login(actors.manager)
    assert client.post("/team/rotate-key/").status_code == 200
    event = AuditEvent.objects.get(action="team.api_key_rotated")
    assert event.actor == actors.manager and event.ip_address == "127.0.0.1" and event.request_id


def test_a_role_changed_through_the_api_is_attributed_to_the_admin(actors, api_for):
    response = api_for(actors.admin).patch(f"/api/users/{actors.bdr.pk}/", {"role": "sdr"}, format="json")
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action__startswith="user.").latest("id")
    assert event.actor == actors.admin
    assert event.changes["role"] == ["bdr", "sdr"]
