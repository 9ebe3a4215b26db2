import pytest

from leads import demo
from leads.models import Activity, IcpProfile, Lead
from sdrcrm.accounts import demo as accounts_demo

pytestmark = pytest.mark.django_db


def test_demo_seed_builds_a_realistic_team_of_leads():
    context = {"seed": 7}
    accounts_demo.seed(context)
    demo.seed(context)
    team = context["team"]
    leads = Lead.objects.filter(team=team)
    assert leads.count() == 320 == len(context["leads"])
    assert IcpProfile.objects.get(team=team, is_active=True) == context["icp"]
    assert leads.values("country").distinct().count() >= 10
    assert leads.filter(first_name__in=["伟", "민준", "Алексей", "Jüri"]).exists()
    assert set(leads.values_list("status", flat=True)) >= {"new", "working", "nurture", "disqualified"}
    assert leads.filter(stage="mql").exists() and leads.filter(grade="A").exists()
    assert leads.filter(owner__isnull=True).exists()
    assert Activity.objects.filter(team=team, kind="call").count() > 100
    assert leads.filter(email_kind="free").exists()
