"""Factories for cadences and steps, and leads shaped for cadence tests."""

import datetime

import factory
from factory.django import DjangoModelFactory

from cadences.models import Cadence, Step
from tests.leads.factories import LeadFactory as PlainLeadFactory


class LeadFactory(PlainLeadFactory):
    """A lead in Tallinn with a corporate email and a B grade."""

    first_name = factory.Sequence(lambda n: f"Liis{n}")
    last_name = "Mets"
    email = factory.Sequence(lambda n: f"liis{n}@acme.example")
    company = "Acme OÜ"
    title = "Head of Sales"
    timezone = "Europe/Tallinn"
    email_kind = "corporate"
    score = 70
    grade = "B"


class CadenceFactory(DjangoModelFactory):
    class Meta:
        model = Cadence

    name = factory.Sequence(lambda n: f"Outbound {n}")
    business_days_only = True
    window_start = datetime.time(8, 0)
    window_end = datetime.time(18, 0)


def add_steps(cadence, *specs):
    """specs: (channel, wait_days) or (channel, wait_days, subject, body)."""
    steps = []
    for position, spec in enumerate(specs, start=1):
        channel, wait_days, *text = spec
        subject, body = (
            [*text, "", ""][:2] if text else ("Hello {{first_name}}", "Hi {{first_name}} at {{company}}")
        )
        steps.append(
            Step.objects.create(
                cadence=cadence,
                position=position,
                wait_days=wait_days,
                channel=channel,
                subject=subject,
                body=body,
            )
        )
    return steps
