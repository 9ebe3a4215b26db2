"""The unsubscribe link in every cadence email: signed, a question on GET, done on POST (the page's button or a
mail provider's RFC 8058 one-click), never a 500 for a bad link."""

import pytest

from cadences import unsubscribe_links
from cadences.models import Enrollment, Suppression, Touch
from cadences.services import cadence_enroll
from cadences.services.common import email_hash
from leads.models import Activity
from tests.cadences.factories import CadenceFactory, LeadFactory, add_steps

pytestmark = pytest.mark.django_db


@pytest.fixture
def touch(actors):
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("email", 0), ("call", 2))
    lead = LeadFactory(team=actors.team, owner=actors.sdr, email="liis.mets@pipedrive.example")
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=actors.sdr)
    touch = Touch.objects.get(lead=lead)
    touch.message_id = "<1.t1@sdrcrm.test>"
    return touch


def test_the_headers_carry_the_page_and_the_mailto_address_and_one_click_only_over_https(touch, settings):
    settings.SITE_URL = ""
    assert unsubscribe_links.headers_for(touch, domain="sdrcrm.test") == {
        "List-Unsubscribe": "<mailto:unsubscribe@sdrcrm.test?subject=unsubscribe%201.t1@sdrcrm.test>"
    }
    settings.SITE_URL = "http://127.0.0.1:8000"
    plain = unsubscribe_links.headers_for(touch, domain="sdrcrm.test")
    assert plain["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/unsubscribe/")
    assert "List-Unsubscribe-Post" not in plain
    settings.SITE_URL = "https://crm.example.com"
    secure = unsubscribe_links.headers_for(touch, domain="sdrcrm.test")
    link = secure["List-Unsubscribe"].split(">")[0].lstrip("<")
    assert link == f"https://crm.example.com/unsubscribe/{unsubscribe_links.token_for(touch.pk)}/"
    assert secure["List-Unsubscribe"].endswith(
        "<mailto:unsubscribe@sdrcrm.test?subject=unsubscribe%201.t1@sdrcrm.test>"
    )
    assert secure["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_get_asks_and_post_unsubscribes_once(client, touch):
    url = f"/unsubscribe/{unsubscribe_links.token_for(touch.pk)}/"
    page = client.get(url)
    assert page.status_code == 200 and "l•••@pipedrive.example" in page.content.decode()
    touch.lead.refresh_from_db()
    assert not touch.lead.opted_out  # a link scanner's GET changes nothing

    one_click = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200 and "You are unsubscribed" in one_click.content.decode()
    touch.lead.refresh_from_db()
    assert touch.lead.opted_out
    assert Suppression.objects.filter(team=touch.team, email_hash=email_hash(touch.lead.email)).exists()
    assert Enrollment.objects.get(lead=touch.lead).state == "exited"
    assert client.post(url).status_code == 200  # again: still unsubscribed, one timeline row
    assert Activity.objects.filter(lead=touch.lead, data__event="email_unsubscribed").count() == 1


@pytest.mark.parametrize("token", ["1:forged", "not-a-token", "999999:"])
def test_a_bad_or_forged_link_says_so_with_a_404_and_changes_nothing(client, touch, token):
    for method in (client.get, client.post):
        response = method(f"/unsubscribe/{token}/")
        assert response.status_code == 404 and "This link does not work" in response.content.decode()
    touch.lead.refresh_from_db()
    assert not touch.lead.opted_out


def test_the_link_unsubscribes_the_lead_even_after_its_address_changed(client, touch):
    type(touch.lead).objects.filter(pk=touch.lead_id).update(email="liis@pipedrive.example")
    response = client.post(f"/unsubscribe/{unsubscribe_links.token_for(touch.pk)}/")
    assert response.status_code == 200
    touch.lead.refresh_from_db()
    assert touch.lead.opted_out


def test_a_link_to_an_erased_lead_says_it_does_not_work(client, touch):
    type(touch.lead).objects.filter(pk=touch.lead_id).update(email="")
    response = client.post(f"/unsubscribe/{unsubscribe_links.token_for(touch.pk)}/")
    assert response.status_code == 404 and "This link does not work" in response.content.decode()
