import datetime

import pytest
import time_machine
from django.db import IntegrityError

from cadences.models import Enrollment, Touch
from cadences.services import (
    cadence_enroll,
    enrollment_pause,
    enrollment_resume,
    enrollments_exit_for_lead,
)
from leads.models import Activity
from tests.cadences.factories import CadenceFactory, LeadFactory, add_steps

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


@pytest.fixture
def cadence(actors):
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("email", 0), ("call", 2), ("linkedin", 1))
    return cadence


@time_machine.travel(datetime.datetime(2026, 3, 3, 9, 0, tzinfo=UTC), tick=False)
def test_enroll_schedules_step_one_and_reports_skips(actors, cadence):
    mine = LeadFactory(team=actors.team, owner=actors.sdr)
    opted = LeadFactory(team=actors.team, owner=actors.sdr, opted_out=True)
    dq = LeadFactory(team=actors.team, owner=actors.sdr, status="disqualified")
    foreign = LeadFactory(team=actors.other_team)
    result = cadence_enroll(
        cadence=cadence, lead_ids=[mine.pk, opted.pk, dq.pk, foreign.pk, mine.pk], by=actors.sdr
    )
    assert result["enrolled"] == [mine.pk]
    assert result["skipped"] == [
        {"lead": opted.pk, "reason": "opted_out"},
        {"lead": dq.pk, "reason": "disqualified"},
        {"lead": foreign.pk, "reason": "not_visible"},
    ]
    touch = Touch.objects.get(lead=mine)
    assert (touch.channel, touch.status, touch.owner) == ("email", "scheduled", actors.sdr)
    assert touch.due_at == datetime.datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # 11:00 in Tallinn: in the window
    again = cadence_enroll(cadence=cadence, lead_ids=[mine.pk], by=actors.sdr)
    assert again == {"enrolled": [], "skipped": [{"lead": mine.pk, "reason": "already_enrolled"}]}


def test_the_database_refuses_a_second_open_enrollment(actors, cadence):
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=actors.sdr)
    with pytest.raises(IntegrityError):
        Enrollment.objects.create(team=actors.team, lead=lead, cadence=cadence)


def test_exit_for_lead_cancels_touches_and_writes_the_timeline(actors, cadence):
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=actors.sdr)
    assert enrollments_exit_for_lead(lead=lead, reason="handed_off", by=actors.sdr) == 1
    enrollment = Enrollment.objects.get(lead=lead)
    assert (enrollment.state, enrollment.exit_reason) == ("exited", "handed_off")
    assert list(Touch.objects.filter(lead=lead).values_list("status", flat=True)) == ["canceled"]
    row = Activity.objects.filter(lead=lead).first()
    assert row.data["event"] == "enrollment_exited" and row.data["reason"] == "handed_off"
    assert row.actor == actors.sdr
    assert enrollments_exit_for_lead(lead=lead, reason="handed_off", by=actors.sdr) == 0
    # After exiting, the lead may be enrolled again.
    assert cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=actors.sdr)["enrolled"] == [lead.pk]


def test_exit_for_lead_without_enrollment_is_a_no_op(actors):
    lead = LeadFactory(team=actors.team)
    assert enrollments_exit_for_lead(lead=lead, reason="disqualified", by=actors.manager) == 0
    assert not Activity.objects.filter(lead=lead).exists()


def test_pause_then_resume_shifts_the_pending_touch(actors, cadence):
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    with time_machine.travel(
        datetime.datetime(2026, 3, 2, 7, 0, tzinfo=UTC), tick=False
    ):  # Mon 09:00 Tallinn
        cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=actors.sdr)
        enrollment = Enrollment.objects.get(lead=lead)
        enrollment_pause(enrollment=enrollment, by=actors.sdr)
    with time_machine.travel(datetime.datetime(2026, 3, 9, 7, 0, tzinfo=UTC), tick=False):
        enrollment_resume(enrollment=enrollment, by=actors.sdr)
    touch = Touch.objects.get(lead=lead)
    assert touch.due_at == datetime.datetime(2026, 3, 9, 7, 0, tzinfo=UTC)
    assert Enrollment.objects.get(pk=enrollment.pk).state == "active"
