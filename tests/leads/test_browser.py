"""The lead pages as an SDR and a manager meet them, in Chromium."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from leads.models import IcpProfile, Lead
from tests.browser import screenshot, sign_in
from tests.leads.factories import ActivityFactory, IcpProfileFactory, LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE = Path(__file__).resolve().parents[2] / "leads" / "sample_data" / "sample_leads.csv"


def seed_leads(actors):
    IcpProfileFactory(team=actors.team)
    rows = [
        ("Kadri", "Tamm", "Head of Sales", "Nordlys Analytics OÜ", "working", "mql", 100, "A", "inbound"),
        (
            "Анна",
            "Смирнова",
            "Коммерческий директор",
            "ООО «Северный Код»",
            "new",
            "lead",
            55,
            "C",
            "outbound",
        ),
        ("伟", "王", "销售总监", "深圳云图科技有限公司", "working", "lead", 70, "B", "event"),
        ("민준", "김", "CEO", "서울소프트", "nurture", "lead", 45, "C", "list"),
        ("Jüri", "Mägi", "CTO", "Pilvetarkvara OÜ", "new", "lead", 20, "D", "referral"),
    ]
    leads = []
    for first, last, title, company, status, stage, score, grade, source in rows:
        leads.append(
            LeadFactory(
                team=actors.team, owner=actors.sdr if status != "new" else None, first_name=first, last_name=last,
                title=title, company=company, status=status, stage=stage, score=score, grade=grade, source=source,
                country="EE", phone="+37251234567",
            )
        )  # fmt: skip
    return leads


def test_sdr_filters_the_lead_list(page, live_server, actors):
    seed_leads(actors)
    sign_in(page, live_server, actors.sdr)
    page.goto(f"{live_server.url}/leads/")
    assert page.locator("#lead-table tbody tr").count() == 5
    screenshot(page, "leads-list")
    page.select_option("select[name=status]", "working")
    expect(page.locator("#lead-table tbody tr")).to_have_count(2)
    assert "status=working" in page.url
    page.fill("#lead-q", "Nordlys")
    expect(page.locator("#lead-table tbody tr")).to_have_count(1)
    assert "Kadri" in page.locator("#lead-table tbody").inner_text()
    page.goto(f"{live_server.url}/leads/?grade=C&ordering=-score")
    names = page.locator(".lead-name").all_inner_texts()
    assert names == ["Анна Смирнова", "민준 김"]
    page.check("[data-select-all]")
    assert page.locator("[data-bulk-count]").inner_text() == "2"
    assert page.locator("[data-bulk-bar]").is_visible()
    screenshot(page, "leads-list-selected")
    assert page.js_errors == []


def test_sdr_works_a_lead_on_its_page(page, live_server, actors):
    lead = seed_leads(actors)[0]
    lead.score_explanation = [
        {"criterion": "industry", "matched": True, "weight": 30, "detail": "Software is a target industry."},
        {"criterion": "employees", "matched": True, "weight": 25, "detail": "85 employees, inside 50–500."},
        {"criterion": "country", "matched": True, "weight": 20, "detail": "EE is a target country."},
        {
            "criterion": "title",
            "matched": True,
            "weight": 25,
            "detail": "“Head of Sales” contains “head of sales”.",
        },
    ]
    lead.linkedin_url = "https://www.linkedin.com/in/kadri-tamm"
    lead.save()
    ActivityFactory(lead=lead, actor=actors.sdr, kind="call", outcome="voicemail", body="Left a voicemail")
    sign_in(page, live_server, actors.sdr)
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    assert page.get_by_test_id("lead-score").inner_text() == "100"
    assert page.locator("a[href^='mailto:']").count() >= 1 and page.locator("a[href^='tel:']").count() == 1
    assert page.locator("a[href*='linkedin.com']").count() == 1
    page.fill("input[name=budget]", "€40k approved for Q3")
    page.fill("textarea[name=need]", "Pipeline visibility for the CEO")
    page.click("#lead-qualification button[type=submit]")
    page.wait_for_selector("#lead-qualification .badge--success")
    page.select_option("#lead-timeline select[name=kind]", "email")
    page.select_option("#lead-timeline select[name=outcome]", "sent")
    page.fill("#lead-timeline input[name=body]", "Sent the Nordics case study")
    page.click("#lead-timeline button[type=submit]")
    page.wait_for_selector("text=Sent the Nordics case study")
    lead.refresh_from_db()
    assert lead.budget == "€40k approved for Q3"
    page.mouse.wheel(0, -5000)
    screenshot(page, "lead-detail")
    page.click("summary:has-text('Disqualify')")
    page.fill("input[name=reason]", "Chose a competitor")
    page.click("button:has-text('Disqualify')")
    page.wait_for_selector(".lead-dq")
    lead.refresh_from_db()
    assert lead.status == "disqualified"
    assert page.js_errors == []


def test_sdr_imports_a_list_with_bad_rows(page, live_server, actors):
    sign_in(page, live_server, actors.sdr)
    page.goto(f"{live_server.url}/imports/")
    page.set_input_files("#import-file", str(SAMPLE))
    page.wait_for_selector(".mapping-table")
    assert page.locator(".mapping-table tbody tr").count() == 11
    assert page.locator("select[name=map_2]").input_value() == "email"
    screenshot(page, "import-mapping")
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("[data-testid=import-status]:has-text('Done')")
    assert page.get_by_test_id("count-created").inner_text() == "47"
    assert page.get_by_test_id("count-failed").inner_text() == "4"
    assert page.locator(".error-table").is_visible()
    assert page.locator("a:has-text('errors.csv')").count() == 1
    assert page.locator("progress").count() == 1
    screenshot(page, "import-detail")
    assert Lead.objects.filter(team=actors.team).count() == 47
    assert page.js_errors == []


def test_manager_edits_the_icp_and_sees_the_grade_preview(page, live_server, actors):
    seed_leads(actors)
    Lead.objects.update(industry="Software", country="EE", employee_count=120, title="Head of Sales")
    LeadFactory(team=actors.team, industry="Retail", country="US")
    sign_in(page, live_server, actors.manager)
    page.goto(f"{live_server.url}/icp/")
    assert page.get_by_test_id("preview-A").inner_text() == "5"
    page.fill("input[name=title_keywords]", "cfo, finance")
    expect(page.get_by_test_id("preview-A")).to_have_text("0")
    assert page.get_by_test_id("preview-B").inner_text() == "5"
    screenshot(page, "icp-editor")
    page.click("button:has-text('Save and rescore')")
    page.wait_for_selector(".flash--success")
    assert IcpProfile.objects.get(team=actors.team).title_keywords == ["cfo", "finance"]
    assert set(Lead.objects.filter(industry="Software").values_list("grade", flat=True)) == {"B"}
    assert page.js_errors == []


def test_manager_pages_through_a_long_list_keeping_the_filter(page, live_server, actors):
    LeadFactory.create_batch(60, team=actors.team, owner=None, status="new")
    LeadFactory.create_batch(3, team=actors.team, owner=None, status="working")
    sign_in(page, live_server, actors.manager)
    page.goto(f"{live_server.url}/leads/?status=new")
    rows = page.locator("#lead-table tbody tr")
    expect(rows).to_have_count(50)
    table = page.locator("#lead-table")
    assert "60 leads" in table.inner_text() and "Page 1 of 2" in table.inner_text()
    page.click("#lead-table a[rel=next]")
    expect(rows).to_have_count(10)
    assert "status=new" in page.url and "page=2" in page.url
    assert "Page 2 of 2" in table.inner_text()
    page.click("#lead-table a[rel=prev]")
    expect(rows).to_have_count(50)
    assert page.js_errors == []
