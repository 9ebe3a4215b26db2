"""Stored XSS: whatever a lead, a handoff or a cadence carries is escaped on every page that shows it."""

import datetime

import pytest

from cadences.models import Cadence
from cadences.services import cadence_enroll
from sdrcrm.accounts.services import notification_create
from tests.cadences.factories import add_steps
from tests.handoffs.factories import hand_off, make_lead

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"

pytestmark = pytest.mark.django_db


@pytest.fixture
def hostile_world(actors):
    lead = make_lead(
        actors.team,
        owner=actors.sdr,
        first_name=PAYLOAD,
        last_name=PAYLOAD,
        company=PAYLOAD,
        title=PAYLOAD,
        industry=PAYLOAD,
        research_notes=PAYLOAD,
        budget=PAYLOAD,
    )
    # Open all day, every day: the call is due now whatever the hour the suite runs at (on Today).
    cadence = Cadence.objects.create(
        team=actors.team, name=PAYLOAD, business_days_only=False,
        window_start=datetime.time(0, 0), window_end=datetime.time(23, 59),
    )  # fmt: skip
    add_steps(cadence, ("call", 0))
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=actors.sdr)
    handed = make_lead(actors.team, owner=actors.sdr, first_name=PAYLOAD, company=PAYLOAD)
    hand_off(handed, actors.sdr, ae=actors.ae, need=PAYLOAD, notes=PAYLOAD, authority=PAYLOAD)
    for user in (actors.sdr, actors.ae, actors.manager):
        notification_create(user=user, kind="system", title=PAYLOAD, body=PAYLOAD)
    return {"lead": lead, "handed": handed, "cadence": cadence}


@pytest.mark.parametrize(
    ("role", "path", "shows_it"),
    [
        ("sdr", "/today/", True),
        ("sdr", "/leads/", True),
        ("sdr", "/leads/{lead}/", True),
        ("sdr", "/leads/{handed}/", True),
        ("sdr", "/cadences/", True),
        ("sdr", "/cadences/{cadence}/", True),
        ("sdr", "/handoffs/", True),
        ("sdr", "/notifications/", True),
        ("ae", "/handoffs/", True),
        ("ae", "/leads/{handed}/", True),
        ("manager", "/leads/", True),
        ("manager", "/dashboard/", False),
        ("manager", "/team/", False),
    ],
)
def test_hostile_text_is_escaped_on_every_page(client, actors, hostile_world, role, path, shows_it):
    client.force_login(getattr(actors, role))
    url = path.format(**{key: obj.pk for key, obj in hostile_world.items()})
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert PAYLOAD not in html
    assert "<script>alert" not in html
    assert "<img src=x onerror" not in html
    if shows_it:
        assert ESCAPED in html, f"{url} should show the text, escaped"
