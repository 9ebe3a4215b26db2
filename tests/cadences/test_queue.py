"""The Today queue built for speed: one form per row whose pressed button says what to do, plain rows
from one selector, a bounded done-today counter, and the API's queue shape."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cadences import selectors
from cadences.api.serializers import QueueItemOut, QueueLeadOut
from cadences.models import Enrollment, Reminder, Touch
from cadences.services import cadence_enroll, touch_complete
from leads.services import activity_record
from metrics.personal import my_numbers
from tests.cadences.factories import CadenceFactory, LeadFactory, add_steps

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # 11:00 in Tallinn, the SDR's zone
HTMX = {"HTTP_HX_REQUEST": "true"}
COUNT_WITHOUT_LIMIT = re.compile(r"COUNT\((?!.*LIMIT).*$", re.IGNORECASE | re.DOTALL)


@pytest.fixture
def queue(actors):
    cadence = CadenceFactory(team=actors.team, name="Seed example")
    add_steps(
        cadence, ("call", 0), ("linkedin", 0), ("manual_email", 1, "Hi {{first_name}}", "About {{company}}")
    )
    leads = [
        LeadFactory(team=actors.team, owner=actors.sdr, first_name=f"Lead{i}", score=50 + i) for i in range(3)
    ]
    with time_machine.travel(NOW, tick=False):
        cadence_enroll(cadence=cadence, lead_ids=[lead.pk for lead in leads], by=actors.sdr)
    return cadence, leads


def _touch(lead) -> Touch:
    return Touch.objects.get(lead=lead, status="scheduled")


@time_machine.travel(NOW, tick=False)
def test_a_rows_outcome_button_logs_the_call_on_the_row_address(client, actors, queue):
    _cadence, leads = queue
    client.force_login(actors.sdr)
    touch = _touch(leads[0])
    response = client.post(f"/today/touches/{touch.pk}/", {"outcome": "voicemail", "due_at": ""}, **HTMX)
    assert response.status_code == 200
    assert f'id="touch-{touch.pk}"' in response.content.decode() and "Voicemail" in response.content.decode()
    touch.refresh_from_db()
    assert (touch.status, touch.outcome) == ("done", "voicemail")


@time_machine.travel(NOW, tick=False)
def test_a_rows_skip_and_snooze_buttons_skip_and_snooze(client, actors, queue):
    _cadence, leads = queue
    client.force_login(actors.sdr)
    first, second = _touch(leads[1]), _touch(leads[2])
    assert (
        client.post(f"/today/touches/{first.pk}/", {"action": "skip", "due_at": ""}, **HTMX).status_code
        == 200
    )
    assert Touch.objects.get(pk=first.pk).status == "skipped"
    response = client.post(
        f"/today/touches/{second.pk}/", {"snooze": "custom", "due_at": "2026-03-05T10:30"}, **HTMX
    )
    assert response.status_code == 200
    assert Touch.objects.get(pk=second.pk).due_at == datetime.datetime(2026, 3, 5, 8, 30, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_a_row_posted_without_a_button_says_so_and_changes_nothing(client, actors, queue):
    _cadence, leads = queue
    client.force_login(actors.sdr)
    touch = _touch(leads[0])
    response = client.post(f"/today/touches/{touch.pk}/", {"due_at": ""}, **HTMX)
    assert response.status_code == 422
    assert "Choose what to do with this item." in response.content.decode()
    assert Touch.objects.get(pk=touch.pk).status == "scheduled"


@time_machine.travel(NOW, tick=False)
def test_a_reminder_rows_buttons_mark_it_done_or_move_it_to_tomorrow(client, actors, queue):
    _cadence, leads = queue
    client.force_login(actors.sdr)
    done, later = (
        Reminder.objects.create(team=actors.team, lead=lead, owner=actors.sdr, due_at=NOW, note="Call back")
        for lead in leads[:2]
    )
    assert client.post(f"/today/reminders/{done.pk}/", {"action": "done"}, **HTMX).status_code == 200
    assert client.post(f"/today/reminders/{later.pk}/", {"snooze": "tomorrow"}, **HTMX).status_code == 200
    assert Reminder.objects.get(pk=done.pk).status == "done"
    assert Reminder.objects.get(pk=later.pk).due_at == datetime.datetime(2026, 3, 4, 7, 0, tzinfo=UTC)


def test_someone_elses_row_is_a_404(client, actors, queue):
    _cadence, leads = queue
    client.force_login(actors.other_sdr)
    touch = _touch(leads[0])
    assert client.post(f"/today/touches/{touch.pk}/", {"action": "skip"}, **HTMX).status_code == 404
    assert Touch.objects.get(pk=touch.pk).status == "scheduled"


@time_machine.travel(NOW, tick=False)
def test_each_row_has_one_form_whose_buttons_name_the_action(client, actors, queue):
    _cadence, leads = queue
    client.force_login(actors.sdr)
    touch = _touch(leads[2])
    html = client.get("/today/").content.decode()
    row = html[html.index(f'id="touch-{touch.pk}"') :]
    row = row[: row.index("</li>")]
    assert row.count("<form") == 1 and row.count("csrfmiddlewaretoken") == 1
    assert f'hx-post="/today/touches/{touch.pk}/"' in row
    for button in ('name="outcome" value="no_answer" data-key-action="2"', 'name="action" value="skip"',
                   'name="snooze" value="tomorrow"', f'href="/leads/{leads[2].pk}/" data-key-action="o"'):  # fmt: skip
        assert button in row
    assert "Step 1 of 3" in row and "Seed example" in row and "due 11:00" in row


@time_machine.travel(NOW, tick=False)
def test_rows_show_overdue_since_in_the_viewers_zone_and_link_only_web_profiles(client, actors, queue):
    _cadence, leads = queue
    client.force_login(actors.sdr)
    Touch.objects.filter(lead=leads[0]).update(due_at=datetime.datetime(2026, 2, 27, 23, 30, tzinfo=UTC))
    html = client.get("/today/").content.decode()
    assert "overdue since Sat 28 Feb" in html  # 01:30 on Saturday in Tallinn
    touch_complete(touch=_touch(leads[1]), outcome="connected", note="", by=actors.sdr)
    leads[1].linkedin_url = "javascript:alert(1)"
    leads[1].save()
    leads[2].linkedin_url = "https://www.linkedin.com/in/lead2"
    leads[2].save()
    touch_complete(touch=_touch(leads[2]), outcome="connected", note="", by=actors.sdr)
    html = client.get("/today/?channel=linkedin").content.decode()
    assert 'href="https://www.linkedin.com/in/lead2"' in html and "javascript:" not in html


@time_machine.travel(NOW, tick=False)
def test_the_queue_never_counts_a_big_table_exactly(client, actors, queue):
    client.force_login(actors.sdr)
    with CaptureQueriesContext(connection) as page:
        client.get("/today/")
    with CaptureQueriesContext(connection) as api:
        client.get("/api/queue/")
    queue_sql = [q["sql"] for q in [*page, *api] if "cadences_" in q["sql"]]
    assert queue_sql and not [sql for sql in queue_sql if COUNT_WITHOUT_LIMIT.search(sql)]


@time_machine.travel(NOW, tick=False)
def test_the_done_today_counter_stops_at_its_limit(client, actors, queue, monkeypatch):
    _cadence, leads = queue
    for lead in leads:
        touch_complete(touch=_touch(lead), outcome="connected", note="", by=actors.sdr)
    assert selectors.touches_today(user=actors.sdr) == 3
    monkeypatch.setattr(selectors, "TOUCHES_TODAY_LIMIT", 2)
    assert selectors.touches_today(user=actors.sdr) == 2
    client.force_login(actors.sdr)
    assert "<strong>2+</strong>" in client.get("/today/").content.decode()


@time_machine.travel(NOW, tick=False)
def test_api_queue_rows_fill_exactly_the_documented_fields(actors, api_for, queue):
    _cadence, leads = queue
    Reminder.objects.create(team=actors.team, lead=leads[0], owner=actors.sdr, due_at=NOW, note="Ping")
    data = api_for(actors.sdr).get("/api/queue/").data
    assert set(data) == {"count", "next", "previous", "done_today", "daily_goal", "results"}
    touch_row, reminder_row = data["results"][0], data["results"][-1]
    assert set(touch_row) == set(QueueItemOut().fields) and set(touch_row["lead"]) == set(
        QueueLeadOut().fields
    )
    assert touch_row["due_at"] == "2026-03-03T09:00:00Z"  # as every date the API writes
    assert (touch_row["type"], touch_row["step"], touch_row["steps_total"], touch_row["cadence"]) == (
        "touch", 1, 3, "Seed example",
    )  # fmt: skip
    assert touch_row["lead"]["name"] == "Lead2 Mets" and touch_row["lead"]["score"] == 52
    assert (reminder_row["type"], reminder_row["why"], reminder_row["step"]) == ("reminder", "Ping", None)


@time_machine.travel(NOW, tick=False)
def test_touches_today_count_what_the_rep_did_as_my_numbers_does(actors, queue):
    cadence, leads = queue
    teammates_lead = LeadFactory(team=actors.team, owner=actors.bdr)
    cadence_enroll(cadence=cadence, lead_ids=[teammates_lead.pk], by=actors.bdr)
    touch_complete(touch=_touch(teammates_lead), outcome="no_answer", note="", by=actors.sdr)
    touch_complete(touch=_touch(leads[0]), outcome="connected", note="", by=actors.sdr)
    activity_record(lead=leads[1], actor=actors.sdr, kind="email", outcome="sent")  # sent by the dispatcher
    activity_record(
        lead=leads[1], actor=actors.sdr, kind="call", outcome="voicemail"
    )  # logged on the lead page
    activity_record(
        lead=leads[1], actor=actors.sdr, kind="email", outcome="replied"
    )  # the prospect's, not a touch
    activity_record(lead=leads[1], actor=actors.sdr, kind="note", body="Budget in Q3")  # not a touch
    touch_complete(touch=_touch(leads[2]), outcome="connected", note="", by=actors.bdr)
    assert selectors.touches_today(user=actors.sdr) == 4
    assert selectors.touches_today(user=actors.bdr) == 1
    assert selectors.touches_today(user=actors.sdr, now=NOW + datetime.timedelta(days=1)) == 0
    for rep in (actors.sdr, actors.bdr):
        assert selectors.touches_today(user=rep) == my_numbers(user=rep)["touches_today"]


@time_machine.travel(NOW, tick=False)
def test_step_n_of_m_counts_only_the_cadences_live_steps(actors, api_for, queue):
    cadence, _leads = queue
    cadence.steps.filter(position=3).update(archived_at=NOW)
    rows = api_for(actors.sdr).get("/api/queue/").data["results"]
    assert {(row["step"], row["steps_total"]) for row in rows} == {(1, 2)}


def test_without_javascript_a_rows_button_logs_and_returns_to_the_queue(client, actors, queue):
    _cadence, leads = queue
    client.force_login(actors.sdr)
    touch = _touch(leads[0])
    response = client.post(f"/today/touches/{touch.pk}/", {"outcome": "wrong_number", "due_at": ""})
    assert response.status_code == 302 and response["Location"] == "/today/"
    assert Touch.objects.get(pk=touch.pk).outcome == "wrong_number"


@time_machine.travel(NOW, tick=False)
def test_overdue_first_then_equal_scores_rank_corporate_email_then_inbound_then_newest(actors, monkeypatch):
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("call", 0))
    free_mail = LeadFactory(team=actors.team, owner=actors.sdr, email_kind="free", email="kai@gmail.com")
    older = LeadFactory(team=actors.team, owner=actors.sdr)
    newer = LeadFactory(team=actors.team, owner=actors.sdr)
    inbound = LeadFactory(team=actors.team, owner=actors.sdr, source="inbound")
    top = LeadFactory(team=actors.team, owner=actors.sdr, score=95, email_kind="free", email="top@gmail.com")
    leads = [free_mail, older, newer, inbound, top]
    ages = {top: 0, free_mail: 1, newer: 2, older: 3, inbound: 4}  # fresh free mail, old inbound
    for lead, age_days in ages.items():
        type(lead).objects.filter(pk=lead.pk).update(created_at=NOW - datetime.timedelta(days=age_days))
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk for lead in leads], by=actors.sdr)
    Touch.objects.filter(lead=older).update(due_at=NOW - datetime.timedelta(days=1))
    rows = selectors.touch_queue_for_user(user=actors.sdr)
    assert [row.lead.id for row in rows] == [older.pk, top.pk, inbound.pk, newer.pk, free_mail.pk]
    assert rows[1].lead.created_at == NOW and rows[0].due_at.tzinfo is not None and rows[0].overdue
    for limit in range(1, len(leads)):  # a queue longer than its limit keeps its best rows
        monkeypatch.setattr(selectors, "QUEUE_LIMIT", limit)
        assert selectors.touch_queue_for_user(user=actors.sdr) == rows[:limit]


@time_machine.travel(NOW, tick=False)
def test_the_queue_holds_the_reps_own_active_touches_due_by_the_end_of_their_day(actors, queue):
    cadence, leads = queue
    theirs = LeadFactory(team=actors.team, owner=actors.bdr)
    paused = LeadFactory(team=actors.team, owner=actors.sdr)
    tomorrow = LeadFactory(team=actors.team, owner=actors.sdr)
    cadence_enroll(cadence=cadence, lead_ids=[theirs.pk, paused.pk, tomorrow.pk], by=actors.sdr)
    Enrollment.objects.filter(lead=paused).update(state="paused")
    Touch.objects.filter(lead=tomorrow).update(due_at=NOW + datetime.timedelta(days=1))
    Touch.objects.filter(lead=leads[0]).update(due_at=NOW.replace(hour=21, minute=59))  # 23:59 in Tallinn
    assert [row.lead.id for row in selectors.touch_queue_for_user(user=actors.sdr)] == [
        leads[2].pk, leads[1].pk, leads[0].pk,
    ]  # fmt: skip


@time_machine.travel(NOW, tick=False)
def test_channel_filters_pick_their_rows_and_email_takes_both_kinds(actors, queue):
    _cadence, leads = queue
    Touch.objects.filter(lead=leads[0]).update(channel="email", subject="", body="")
    Touch.objects.filter(lead=leads[1]).update(channel="manual_email", subject="Hi", body="Edited")
    Reminder.objects.create(team=actors.team, lead=leads[2], owner=actors.sdr, due_at=NOW, note="Ping")

    def shown(channel):
        return [
            (row.kind, row.lead.id)
            for row in selectors.touch_queue_for_user(user=actors.sdr, channel=channel)
        ]

    assert shown("email") == [("touch", leads[1].pk), ("touch", leads[0].pk)]
    assert shown("call") == [("touch", leads[2].pk)]
    assert shown("linkedin") == []
    assert shown("reminder") == [("reminder", leads[2].pk)]
    email_rows = selectors.touch_queue_for_user(user=actors.sdr, channel="email")
    assert (email_rows[0].subject, email_rows[0].body) == ("Hi", "Edited")  # the rep's edit is kept
    assert (email_rows[1].subject, email_rows[1].body) == ("Hello Lead0", "Hi Lead0 at Acme OÜ")


@time_machine.travel(NOW, tick=False)
def test_rows_show_braces_in_lead_data_as_typed(client, actors, queue):
    _cadence, leads = queue
    type(leads[0]).objects.filter(pk=leads[0].pk).update(first_name="{name}", company="{0} {{due}}")
    client.force_login(actors.sdr)
    page = client.get("/today/").content.decode()
    assert "{name} Mets" in page and "<strong>{0} {{due}}</strong>" in page
