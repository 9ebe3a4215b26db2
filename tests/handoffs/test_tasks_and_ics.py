"""Tasks run twice have one effect; the invitation is valid iCalendar."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from handoffs import tasks
from handoffs.ics import meeting_invitation
from handoffs.models import Handoff
from sdrcrm.accounts.models import Notification
from tests.handoffs.factories import hand_off, make_lead


@pytest.mark.django_db
def test_the_sla_task_twice_flags_and_notifies_once(actors):
    handoff = hand_off(make_lead(actors.team, owner=actors.sdr), actors.sdr)
    Handoff.objects.filter(pk=handoff.pk).update(sla_due_at=timezone.now() - datetime.timedelta(seconds=1))
    assert tasks.handoff_sla_sweep.delay().get() == 1
    assert tasks.handoff_sla_sweep.delay().get() == 0
    assert Notification.objects.filter(kind="sla_breach").count() == 2  # the AE and the manager


@pytest.mark.django_db
def test_the_invitation_email_task_twice_sends_once(actors):
    handoff = hand_off(
        make_lead(actors.team, owner=actors.sdr),
        actors.sdr,
        meeting_at=timezone.now() + datetime.timedelta(days=1),
    )
    assert tasks.handoff_email_ae.delay(handoff.pk).get() is True
    assert tasks.handoff_email_ae.delay(handoff.pk).get() is False
    assert len(mail.outbox) == 1


def test_the_invitation_is_valid_icalendar_with_escaping_and_folding():
    start = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.UTC)
    text = meeting_invitation(
        uid="handoff-7@sdrcrm",
        start=start,
        summary="Demo: Дмитрий, Acme; Ltd",
        description="Need: 12 SDRs\nBudget: €40k " + "x" * 120,
        organizer_name='Kadri "K" Kask',
        organizer_email="kadri@nordlys.example",
        attendees=[("서연 이", "seoyeon@nordlys.example")],
        stamp=start - datetime.timedelta(days=2),
    )
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert lines[:5] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//sdrcrm//Handoffs//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
    ]
    assert "DTSTART:20261201T093000Z" in lines and "DTEND:20261201T100000Z" in lines
    assert "DTSTAMP:20261129T093000Z" in lines
    assert "SUMMARY:Demo: Дмитрий\\, Acme\\; Ltd" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert "DESCRIPTION:Need: 12 SDRs\\nBudget: €40k " + "x" * 120 in unfolded
    assert 'ORGANIZER;CN="Kadri K Kask":mailto:kadri@nordlys.example' in unfolded
    assert 'ATTENDEE;CN="서연 이";ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:seoyeon@nordlys.example' in unfolded
    assert lines[-2:] == ["END:VCALENDAR", ""]
