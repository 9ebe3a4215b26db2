"""The demo tells a story: pending handoffs (one about to breach, one breached), decisions, deals in
every stage, meeting outcomes."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from handoffs.models import Handoff, Opportunity

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_handoffs_and_deals_across_stages():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    now = timezone.now()
    pending = Handoff.objects.filter(status="pending")
    assert pending.count() >= 4
    assert pending.filter(sla_breached_at__isnull=False).exists()
    assert any(0 < (h.sla_due_at - now).total_seconds() < 3 * 3600 for h in pending)
    assert Handoff.objects.filter(status="rejected").exclude(reject_reason="").count() >= 5
    assert Handoff.objects.filter(meeting_outcome="held").exists()
    stages = set(Opportunity.objects.values_list("stage", flat=True))
    assert {"won", "lost", "negotiation"} <= stages
    assert Opportunity.objects.filter(sourced_by__isnull=True).count() == 3
    oldest = Handoff.objects.order_by("created_at").first()
    assert (now - oldest.created_at).days > 60
