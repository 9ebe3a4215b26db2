"""A lead's data requests × actors: the team's managers and admins export and erase; whoever sees the lead
otherwise is refused (403); whoever does not see it gets 404."""

from tests.authz.matrix import Case, by_role
from tests.leads.factories import LeadFactory


def build(world):
    world.objects["pool_lead"] = LeadFactory(team=world.team, owner=None)


# An unowned lead: the team's SDR and BDR see it (403), AEs and the other team do not (404).
OFFICERS_ONLY = by_role(sdr=403, ae=404, manager=200, admin=200, other_sdr=404, other_manager=404)

CASES = [
    Case("lead export", "get", lambda w: f"/api/leads/{w.pool_lead.id}/export/", OFFICERS_ONLY),
    Case(
        "lead erase",
        "post",
        lambda w: f"/api/leads/{w.pool_lead.id}/erase/",
        OFFICERS_ONLY,
        data=lambda w: {"reason": "Request #7"},
    ),
    Case(
        "lead erase without a reason",
        "post",
        lambda w: f"/api/leads/{w.pool_lead.id}/erase/",
        by_role(sdr=400, ae=400, manager=400, admin=400),
        data=lambda w: {},
    ),
]
