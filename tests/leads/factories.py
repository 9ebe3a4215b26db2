"""Factories for leads, companies, activities, ICP profiles and imports."""

import factory
from factory.django import DjangoModelFactory

from leads.models import Activity, Company, IcpProfile, Lead
from tests.factories import TeamFactory


class CompanyFactory(DjangoModelFactory):
    class Meta:
        model = Company

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"Company {n}")
    domain = factory.Sequence(lambda n: f"company{n}.example")


class LeadFactory(DjangoModelFactory):
    """A plain row, written directly (no service): for arranging a test's world."""

    class Meta:
        model = Lead

    team = factory.SubFactory(TeamFactory)
    first_name = factory.Sequence(lambda n: f"Lead{n}")
    last_name = "Tamm"
    email = factory.Sequence(lambda n: f"lead{n}@acme{n}.example")
    email_kind = "corporate"
    company = factory.Sequence(lambda n: f"Acme {n}")
    source = "outbound"


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = Activity

    lead = factory.SubFactory(LeadFactory)
    team = factory.SelfAttribute("lead.team")
    kind = "note"
    body = "A note"


class IcpProfileFactory(DjangoModelFactory):
    class Meta:
        model = IcpProfile

    team = factory.SubFactory(TeamFactory)
    name = "Mid-market SaaS in the Baltics"
    is_active = True
    industries = ["Software", "Fintech"]
    employee_min = 50
    employee_max = 500
    countries = ["EE", "LV", "LT"]
    title_keywords = ["head of sales", "vp", "cro"]
    weights = {"industry": 30, "employees": 25, "country": 20, "title": 25}
