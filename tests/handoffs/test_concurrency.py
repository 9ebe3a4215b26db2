"""Races on PostgreSQL: real threads, each with its own connection and transaction."""

import threading
from collections import Counter

import pytest
from django.db import connection

from handoffs import services
from handoffs.models import AeRoutingPointer, Handoff, Opportunity
from leads.models import Lead
from sdrcrm.accounts.models import Role
from sdrcrm.core.errors import Conflict
from tests.factories import UserFactory
from tests.handoffs.factories import QUALIFICATION, make_lead

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def race(*calls):
    """Runs the calls at the same moment in threads; returns each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # the loser of the race is part of the result
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_two_deciders_at_once_exactly_one_wins(actors):
    for _ in range(5):
        lead = make_lead(actors.team, owner=actors.sdr)
        handoff = services.handoff_create(by=actors.sdr, lead=lead, next_step="demo", **QUALIFICATION)
        results = race(
            lambda h=handoff: services.handoff_accept(handoff=h, by=actors.ae, amount=1000),
            lambda h=handoff: services.handoff_reject(handoff=h, by=actors.manager, reason="no_need"),
        )
        conflicts = [r for r in results if isinstance(r, Conflict)]
        assert len(conflicts) == 1, results
        winner = next(r for r in results if not isinstance(r, Exception))
        handoff.refresh_from_db()
        lead.refresh_from_db()
        if handoff.status == "accepted":
            assert isinstance(winner, Opportunity) and lead.status == "converted"
            assert Opportunity.objects.filter(handoff=handoff).count() == 1
        else:
            assert handoff.status == "rejected" and lead.status == "working"
            assert not Opportunity.objects.filter(handoff=handoff).exists()


def test_two_accepts_at_once_open_one_opportunity(actors):
    handoff = services.handoff_create(
        by=actors.sdr, lead=make_lead(actors.team, owner=actors.sdr), next_step="demo", **QUALIFICATION
    )
    results = race(
        *[lambda: services.handoff_accept(handoff=handoff, by=actors.ae, amount=5) for _ in range(4)]
    )
    assert sum(isinstance(r, Conflict) for r in results) == 3, results
    assert Opportunity.objects.filter(handoff=handoff).count() == 1


def test_concurrent_handoffs_never_read_the_same_routing_pointer(actors):
    aes = [actors.ae, *(UserFactory(role=Role.AE, team=actors.team) for _ in range(3))]
    sdrs = [UserFactory(role=Role.SDR, team=actors.team) for _ in range(8)]
    leads = [make_lead(actors.team, owner=sdr) for sdr in sdrs]
    results = race(
        *[
            lambda sdr=sdr, lead=lead: services.handoff_create(
                by=sdr, lead=lead, next_step="demo", **QUALIFICATION
            )
            for sdr, lead in zip(sdrs, leads, strict=True)
        ]
    )
    assert all(isinstance(r, Handoff) for r in results), results
    per_ae = Counter(Handoff.objects.values_list("ae_id", flat=True))
    assert per_ae == {ae.pk: 2 for ae in aes}  # a shared read would give someone three
    assert AeRoutingPointer.objects.get(team=actors.team).routed_count == 8


def test_two_handoffs_of_one_lead_at_once_make_one(actors):
    lead = make_lead(actors.team, owner=actors.sdr)
    results = race(
        *[
            lambda: services.handoff_create(by=actors.sdr, lead=lead, next_step="demo", **QUALIFICATION)
            for _ in range(3)
        ]
    )
    assert sum(isinstance(r, Conflict) for r in results) == 2, results
    assert Handoff.objects.filter(lead=lead).count() == 1
    assert Lead.objects.get(pk=lead.pk).status == "handed_off"


def test_concurrent_sla_sweeps_flag_once(actors):
    handoff = services.handoff_create(
        by=actors.sdr, lead=make_lead(actors.team, owner=actors.sdr), next_step="demo", **QUALIFICATION
    )
    later = handoff.sla_due_at.replace(microsecond=0) + (handoff.sla_due_at - handoff.created_at)
    results = race(*[lambda: services.handoff_sla_sweep(now=later) for _ in range(3)])
    assert sorted(results) == [0, 0, 1]
    assert actors.ae.notifications.filter(kind="sla_breach").count() == 1
