"""Erasing a lead's data asks first: dismissing the question leaves the lead as it was."""

import pytest

from leads import services as lead_services
from leads.privacy import lead_is_erased
from tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_erase_button_asks_before_erasing(page, live_server, actors):
    lead = lead_services.lead_create(
        team=actors.team, by=actors.sdr, values={"first_name": "Zebulon", "email": "z@acme-privacy.example"}
    )
    sign_in(page, live_server, actors.manager)
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.fill("#privacy-actions input[name=reason]", "Request #48")
    page.click("#privacy-actions button[type=submit]")
    page.wait_for_timeout(300)
    assert questions and "Erase this person" in questions[0]
    assert not lead_is_erased(lead=lead)

    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    page.click("#privacy-actions button[type=submit]")
    page.wait_for_selector("text=This lead's personal data was erased.")
    assert lead_is_erased(lead=lead)
    assert page.js_errors == []
