"""Races on PostgreSQL through the API: real threads, each with its own connection and transaction.

Many SDRs claim the same leads, many enroll the same leads: exactly one wins each race, the others
get a 409 (claim) or a skip with its reason (enroll), and the totals add up.
"""

import random
import threading
from collections import Counter

import pytest
from django.db import connection
from django.urls import reverse

from cadences.models import Enrollment, Touch
from leads.models import Activity, Lead
from sdrcrm.accounts.models import Role
from tests.cadences.factories import CadenceFactory, add_steps
from tests.conftest import api_as
from tests.factories import UserFactory
from tests.leads.factories import LeadFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
RACERS = 8


def race(calls_by_racer: list[list]) -> list[list]:
    """Each racer runs its calls in order, all racers starting at once; returns their results."""
    barrier = threading.Barrier(len(calls_by_racer))
    results = [[] for _ in calls_by_racer]

    def run(index, calls):
        try:
            barrier.wait()
            for call in calls:
                results[index].append(call())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, calls)) for i, calls in enumerate(calls_by_racer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def _sdrs(actors) -> list:
    return [
        actors.sdr,
        actors.bdr,
        *(UserFactory(role=Role.SDR, team=actors.team) for _ in range(RACERS - 2)),
    ]


def test_many_sdrs_claiming_the_same_leads_each_lead_gets_one_owner(actors):
    leads = [LeadFactory(team=actors.team, owner=None) for _ in range(5)]
    sdrs = _sdrs(actors)

    def claims_of(sdr):
        client, order = api_as(sdr), random.sample(leads, len(leads))
        return [
            lambda lead=lead: (lead.pk, sdr.pk, client.post(reverse("api-lead-claim", args=[lead.pk])))
            for lead in order
        ]

    outcomes = [outcome for results in race([claims_of(sdr) for sdr in sdrs]) for outcome in results]
    winners = {lead_id: sdr_id for lead_id, sdr_id, response in outcomes if response.status_code == 200}
    losers = [response for _lead, _sdr, response in outcomes if response.status_code != 200]
    assert len(winners) == len(leads) and len(losers) == len(leads) * (RACERS - 1)
    # A loser that read the lead before the winner committed hears 409; one that came later no longer
    # sees it (another SDR's lead) and hears 404: see the test below.
    assert {response.status_code for response in losers} <= {409, 404}
    assert {response.json()["code"] for response in losers if response.status_code == 409} <= {"owned"}
    assert dict(Lead.objects.filter(pk__in=winners).values_list("pk", "owner_id")) == winners
    claimed = Activity.objects.filter(lead__in=leads, data__event="claimed")
    assert sorted(claimed.values_list("lead_id", flat=True)) == sorted(winners)


def test_claiming_a_lead_someone_just_claimed_is_a_409_that_says_so(actors):
    lead = LeadFactory(team=actors.team, owner=None)
    url = reverse("api-lead-claim", args=[lead.pk])
    assert api_as(actors.sdr).post(url).status_code == 200
    response = api_as(actors.bdr).post(url)
    assert (response.status_code, response.json()["code"]) == (409, "owned")


def test_many_sdrs_enrolling_the_same_leads_make_one_active_enrollment_each(actors):
    cadences = [CadenceFactory(team=actors.team) for _ in range(2)]
    for cadence in cadences:
        add_steps(cadence, ("email", 0), ("call", 2))
    leads = [LeadFactory(team=actors.team, owner=None) for _ in range(5)]
    sdrs = _sdrs(actors)

    def enroll_of(index, sdr):
        client, cadence = api_as(sdr), cadences[index % 2]
        url = reverse("api-cadence-enroll", args=[cadence.pk])
        ids = [lead.pk for lead in random.sample(leads, len(leads))]
        return [
            lambda lead_id=lead_id: client.post(url, {"leads": [lead_id]}, format="json") for lead_id in ids
        ]

    responses = [r for results in race([enroll_of(i, sdr) for i, sdr in enumerate(sdrs)]) for r in results]
    assert {response.status_code for response in responses} == {200}
    enrolled = Counter(lead_id for response in responses for lead_id in response.json()["enrolled"])
    skipped = Counter(
        (skip["lead"], skip["reason"]) for response in responses for skip in response.json()["skipped"]
    )
    assert enrolled == {lead.pk: 1 for lead in leads}
    assert skipped == {(lead.pk, "already_enrolled"): RACERS - 1 for lead in leads}
    assert Counter(Enrollment.objects.open().values_list("lead_id", flat=True)) == {
        lead.pk: 1 for lead in leads
    }
    assert Counter(Touch.objects.values_list("lead_id", flat=True)) == {lead.pk: 1 for lead in leads}
    assert Activity.objects.filter(lead__in=leads, data__event="enrolled").count() == len(leads)
