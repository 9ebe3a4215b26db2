"""The handoff flow as people meet it in Chromium: SDR hands off, AE rejects, SDR fixes and hands off
again, AE accepts, moves the deal to won. Decisions swap one card without a page reload."""

import datetime

import pytest
from django.utils import timezone

from handoffs import services
from handoffs.models import Handoff, Opportunity
from leads.models import Lead
from tests.browser import screenshot, sign_in
from tests.handoffs.factories import QUALIFICATION, make_lead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_handoff_form(page, **values):
    for name, value in values.items():
        page.fill(f"[name={name}]", value)


def test_handoff_reject_fix_accept_and_win_in_the_browser(page, live_server, actors, browser):
    lead = make_lead(
        actors.team, owner=actors.sdr, first_name="Liis", last_name="Tamm", company="Tartu Robotics"
    )

    # The SDR hands off from the lead's handoff form, leaving the budget vague.
    sign_in(page, live_server, actors.sdr)
    page.goto(f"{live_server.url}/handoffs/new/?lead={lead.pk}")
    page.select_option("[name=next_step]", "demo")
    fill_handoff_form(page, **{**QUALIFICATION, "budget": "Not discussed yet"})
    screenshot(page, "handoff-form")
    page.click("text=Hand off to the AE")
    page.wait_for_url(f"{live_server.url}/handoffs/*")
    assert "Handed off to Дмитрий Иванов" in page.locator(".flash--success").inner_text()
    first = Handoff.objects.get(lead=lead)
    assert first.status == "pending"
    screenshot(page, "handoffs-sdr")

    # The AE rejects it from the inbox: one step, the card swaps in place, no navigation.
    ae_page = browser.new_context(viewport={"width": 1360, "height": 860}).new_page()
    ae_errors = []
    ae_page.on("pageerror", lambda error: ae_errors.append(str(error)))
    sign_in(ae_page, live_server, actors.ae)
    assert ae_page.url.endswith("/handoffs/")
    card = ae_page.locator(f"#handoff-{first.pk}")
    assert "Not discussed yet" in card.inner_text()
    assert "left" in card.locator(".sla").inner_text()
    screenshot(ae_page, "handoff-inbox")
    ae_page.evaluate("window.__marker = 'same page'")
    card.locator("select[name$=reason]").select_option("no_budget")
    card.locator("textarea[name$=note]").fill("Ask who holds the budget")
    card.locator("text=Reject back to SDR").click()
    ae_page.wait_for_selector(f"#handoff-{first.pk}.is-decided")
    assert ae_page.evaluate("window.__marker") == "same page"
    assert "back with its SDR" in ae_page.locator(f"#handoff-{first.pk}").inner_text()
    screenshot(ae_page, "handoff-rejected-card")
    assert Lead.objects.get(pk=lead.pk).status == "working"

    # The SDR sees the reason, fixes the budget and hands off again.
    page.goto(f"{live_server.url}/handoffs/")
    assert "No budget" in page.locator(f"#history-{first.pk}").inner_text()
    page.goto(f"{live_server.url}/handoffs/new/?lead={lead.pk}")
    fill_handoff_form(page, **{**QUALIFICATION, "budget": "€40k approved by the CFO"})
    page.click("text=Hand off to the AE")
    page.wait_for_url(f"{live_server.url}/handoffs/*")
    second = Handoff.objects.filter(lead=lead, status="pending").get()

    # The AE accepts it with an amount and a close date.
    ae_page.goto(f"{live_server.url}/handoffs/")
    card = ae_page.locator(f"#handoff-{second.pk}")
    card.locator("input[name$=amount]").fill("40000")
    card.locator("input[name$=expected_close]").fill("2027-03-31")
    card.locator("text=Accept and open opportunity").click()
    ae_page.wait_for_selector(f"#handoff-{second.pk}.is-decided")
    assert "Accepted. Opportunity" in ae_page.locator(f"#handoff-{second.pk}").inner_text()
    opportunity = Opportunity.objects.get(handoff=second)

    # The AE moves the deal through the pipeline to won.
    ae_page.goto(f"{live_server.url}/opportunities/")
    for stage in ("demo", "proposal", "negotiation", "won"):
        ae_page.locator(f"#opportunity-{opportunity.pk} select[name=stage]").select_option(
            stage
        )  # moves at once
        ae_page.wait_for_selector(f".board__column--{stage} #opportunity-{opportunity.pk}")
    assert ae_page.locator('[data-stage-total="won"]').inner_text() == "40,000"
    screenshot(ae_page, "pipeline-board")

    # Another deal is lost: choosing "lost" asks why first; Enter sends it.
    other = services.opportunity_create(by=actors.ae, name="Pärnu Port", amount="9000")
    ae_page.reload()
    card = ae_page.locator(f"#opportunity-{other.pk}")
    card.locator("select[name=stage]").select_option("lost")
    card.locator("input[name=lost_reason]").fill("Chose a competitor")
    card.locator("input[name=lost_reason]").press("Enter")
    ae_page.wait_for_selector(f".board__column--lost #opportunity-{other.pk}")
    assert "Chose a competitor" in ae_page.locator(f"#opportunity-{other.pk}").inner_text()
    lead.refresh_from_db()
    assert (lead.status, lead.stage) == ("converted", "customer")
    assert page.js_errors == [] and ae_errors == []


def test_a_second_decision_in_the_browser_gets_a_clear_message(page, live_server, actors):
    lead = make_lead(actors.team, owner=actors.sdr)
    handoff = services.handoff_create(
        by=actors.sdr, lead=lead, next_step="technical_call", meeting_at=timezone.now() + datetime.timedelta(days=1),
        **QUALIFICATION,
    )  # fmt: skip
    Handoff.objects.filter(pk=handoff.pk).update(sla_due_at=timezone.now() + datetime.timedelta(minutes=40))
    sign_in(page, live_server, actors.ae)
    card = page.locator(f"#handoff-{handoff.pk}")
    assert "sla--soon" in card.locator(".sla").get_attribute("class")
    services.handoff_accept(handoff=handoff, by=actors.manager, amount=10)  # the manager decides meanwhile
    card.locator("select[name$=reason]").select_option("not_icp")
    card.locator("text=Reject back to SDR").click()
    page.wait_for_selector(f"#handoff-{handoff.pk} .flash--error")
    assert (
        "already accepted by Maria Tamm" in page.locator(f"#handoff-{handoff.pk} .flash--error").inner_text()
    )
    screenshot(page, "handoff-already-decided")
    assert [error for error in page.js_errors if "status of 409" not in error] == []


def test_the_rules_of_engagement_page(page, live_server, actors):
    sign_in(page, live_server, actors.manager)
    page.goto(f"{live_server.url}/handoffs/rules/")
    page.check("input[value=budget]")
    page.fill("[name=sla_hours]", "8")
    page.click("text=Save rules")
    page.wait_for_selector(".flash--success")
    screenshot(page, "rules-of-engagement")
    actors.team.refresh_from_db()
    assert actors.team.handoff_sla_hours == 8
    assert page.js_errors == []
