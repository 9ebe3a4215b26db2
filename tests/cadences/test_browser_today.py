"""An SDR works the Today queue in Chromium, with the keyboard and with the mouse."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from cadences.models import Reminder, Touch
from cadences.services import cadence_enroll
from tests.browser import screenshot, sign_in
from tests.cadences.factories import CadenceFactory, LeadFactory, add_steps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queue(actors):
    now = timezone.now()
    call_cadence = CadenceFactory(team=actors.team, name="Outbound — seed example", business_days_only=False,
                                  window_start=datetime.time(0, 0), window_end=datetime.time(23, 59))  # fmt: skip
    add_steps(call_cadence, ("call", 0), ("email", 2))
    mail_cadence = CadenceFactory(team=actors.team, name="Inbound follow-up", business_days_only=False,
                                  window_start=datetime.time(0, 0), window_end=datetime.time(23, 59))  # fmt: skip
    add_steps(
        mail_cadence, ("manual_email", 0, "Hi {{first_name}}", "Thanks for your request, {{first_name}}.")
    )
    people = [("Liis", "Mets", "Head of Sales", "Pipedrive Labs", 91), ("Ольга", "Кузнецова", "CRO", "СеверСофт", 84),
              ("지민", "박", "영업 이사", "한빛 소프트", 77), ("Emily", "Carter", "VP Sales", "Northwind", 63)]  # fmt: skip
    leads = [
        LeadFactory(
            team=actors.team,
            owner=actors.sdr,
            first_name=f,
            last_name=la,
            title=t,
            company=c,
            score=s,
            grade="A" if s >= 80 else "B",
            phone="+372 5123 4567",
        )
        for f, la, t, c, s in people
    ]
    cadence_enroll(cadence=call_cadence, lead_ids=[lead.pk for lead in leads[:3]], by=actors.sdr)
    cadence_enroll(cadence=mail_cadence, lead_ids=[leads[3].pk], by=actors.sdr)
    Touch.objects.filter(lead=leads[2]).update(due_at=now - datetime.timedelta(days=1))
    Reminder.objects.create(
        team=actors.team, lead=leads[0], owner=actors.sdr, due_at=now, note="Send the case study"
    )
    return leads


def test_sdr_works_the_queue_with_keyboard_and_mouse(page, live_server, actors, queue):
    sign_in(page, live_server, actors.sdr)
    assert page.url.endswith("/today/")
    rows = page.locator("#queue-list .queue-item")
    assert rows.count() == 5
    assert "OVERDUE" in page.locator(".queue-heading").first.inner_text().upper()
    screenshot(page, "today-queue")

    # Keyboard: the first row is current; "2" logs "no answer" on the overdue call.
    first = page.locator("#queue-list .queue-item.is-current")
    assert "지민" in first.inner_text()
    page.keyboard.press("2")
    page.wait_for_selector("#queue-list .queue-item.is-done")
    assert "No answer" in page.locator(".queue-item.is-done").first.inner_text()
    assert page.locator("#today-counter strong").inner_text() == "1"

    # The next open row (Liis's reminder) is current; j moves to her call; "3" leaves a voicemail,
    # which creates a follow-up reminder by itself.
    current = page.locator("#queue-list .queue-item.is-current")
    assert "Send the case study" in current.inner_text()
    page.keyboard.press("j")
    assert "Step 1 of 2" in page.locator("#queue-list .queue-item.is-current").inner_text()
    page.keyboard.press("3")
    expect(page.locator("#queue-list .queue-item.is-done")).to_have_count(2)
    assert Reminder.objects.filter(lead=queue[0], source_touch__isnull=False).count() == 1

    # Mouse: open the manual email, edit the text, send.
    email_row = page.locator("#queue-list .queue-item.channel-manual_email")
    email_row.locator("summary", has_text="Write email").click()
    textarea = email_row.locator("textarea[name=body]")
    assert textarea.input_value() == "Thanks for your request, Emily."
    textarea.fill("Thanks for your request, Emily. Does Thursday 10:00 suit?")
    screenshot(page, "today-email-editor")
    email_row.locator("button", has_text="Send").first.click()
    expect(page.locator("#queue-list .queue-item.is-done")).to_have_count(3)
    assert [m.body for m in mail.outbox] == ["Thanks for your request, Emily. Does Thursday 10:00 suit?"]

    # Keyboard skip on the current row, then the reminder with the mouse.
    page.locator("#queue-list .queue-item", has_text="Кузнецова").click(position={"x": 60, "y": 20})
    page.keyboard.press("s")
    expect(page.locator("#queue-list .queue-item.is-done")).to_have_count(4)
    page.locator("#queue-list .queue-item:not(.is-done) button", has_text="Done").first.click()
    expect(page.locator("#queue-list .queue-item.is-done")).to_have_count(5)
    assert page.locator("#today-counter strong").inner_text() == "3"
    screenshot(page, "today-worked")

    # The channel filter swaps the list without a reload.
    page.click(".chip >> text=Calls")
    page.wait_for_url("**/today/?channel=call")
    assert page.locator(".chip.is-active").inner_text() == "Calls"
    assert page.js_errors == []


def test_cadence_builder_page(page, live_server, actors, queue):
    sign_in(page, live_server, actors.sdr)
    cadence = Touch.objects.filter(lead=queue[0]).first().enrollment.cadence
    page.goto(f"{live_server.url}/cadences/{cadence.pk}/")
    assert page.locator(".step-card").count() == 2
    page.select_option("#step-editor select[name=channel]", "manual_email")
    page.fill("#step-editor input[name=subject]", "Still there, {{first_name}}?")
    page.fill("#step-editor textarea[name=body]", "Hi {{first_name}}, one more idea for {{company}}.")
    page.click("#step-editor button[type=submit]")
    expect(page.locator(".step-card")).to_have_count(3)
    assert "Still there, Liis?" in page.locator(".step-card").nth(2).inner_text()
    page.goto(f"{live_server.url}/cadences/")
    screenshot(page, "cadence-list")
    page.goto(f"{live_server.url}/cadences/{cadence.pk}/")
    screenshot(page, "cadence-builder")
    assert page.js_errors == []


def test_a_refused_action_keeps_the_row_and_the_draft_and_says_why(page, live_server, actors, queue):
    sign_in(page, live_server, actors.sdr)
    email_row = page.locator("#queue-list .queue-item.channel-manual_email")
    email_row.locator("summary", has_text="Write email").click()
    email_row.locator("input[name=subject]").fill("")
    email_row.locator("textarea[name=body]").fill("A draft the rep must not lose.")
    email_row.locator("button", has_text="Send").first.click()
    expect(email_row.locator(".qi-error")).to_contain_text("subject")
    assert email_row.locator("textarea[name=body]").input_value() == "A draft the rep must not lose."
    assert mail.outbox == []

    call_row = page.locator("#queue-list .queue-item", has_text="Кузнецова")
    call_row.locator(".qi-snooze summary").click()
    call_row.locator("input[name=due_at]").fill("2020-01-01T09:00")
    call_row.locator("button", has_text="Reschedule").last.click()
    expect(call_row.locator(".qi-error")).to_have_text("Pick a time in the future.")
    expect(page.locator("#queue-list .queue-item")).to_have_count(5)
    screenshot(page, "today-refused-action")
    assert [error for error in page.js_errors if "status of 422" not in error] == []
