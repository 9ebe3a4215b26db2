"""Leads, imports and ICP profiles × every actor (API.md, "Who sees what": SDRs and BDRs see their own
and their team's unowned leads, AEs only leads handed off to them — none here — managers their team,
admins all; the other team sees nothing)."""

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from leads.models import ImportBatch
from tests.authz.matrix import Case, by_role
from tests.leads.factories import IcpProfileFactory, LeadFactory

CSV = b"First Name,Email\nMari,mari@nordlys.ee\n"


def build(world):
    world.objects["lead"] = LeadFactory(team=world.team, owner=world.sdr)
    world.objects["pool_lead"] = LeadFactory(team=world.team, owner=None)
    batch = ImportBatch(
        team=world.team, created_by=world.sdr, owner=world.sdr, filename="list.csv", status="done",
        encoding="utf-8", delimiter=",", columns=["First Name", "Email"],
        mapping={"First Name": "first_name", "Email": "email"},
    )  # fmt: skip
    batch.file.save("list.csv", ContentFile(CSV), save=False)
    batch.save()
    world.objects["batch"] = batch
    world.objects["icp"] = IcpProfileFactory(team=world.team)


# sdr's own lead: the owner, the manager and admins see it; the BDR, AEs and the other team get 404.
OWN_LEAD_READ = by_role(sdr=200, bdr=404, ae=404, manager=200, admin=200, other_sdr=404, other_manager=404)


def lead_url(suffix=""):
    return lambda w: f"/api/leads/{w.lead.id}/{suffix}"


def batch_url(suffix=""):
    return lambda w: f"/api/imports/{w.batch.id}/{suffix}"


CASES = [
    Case("lead list", "get", lambda w: "/api/leads/", by_role(sdr=200, ae=200, manager=200, admin=200)),
    Case(
        "lead create",
        "post",
        lambda w: "/api/leads/",
        by_role(sdr=201, ae=403, manager=201, admin=201),
        data=lambda w: {"email": "new@nordlys.ee", "team": w.team.id},
    ),
    Case("lead detail", "get", lead_url(), OWN_LEAD_READ),
    Case("lead edit", "patch", lead_url(), OWN_LEAD_READ, data=lambda w: {"title": "CEO"}),
    Case(
        "lead delete",
        "delete",
        lead_url(),
        by_role(sdr=403, bdr=404, ae=404, manager=204, admin=204, other_sdr=404, other_manager=404),
    ),
    Case(
        "lead claim",
        "post",
        lambda w: f"/api/leads/{w.pool_lead.id}/claim/",
        by_role(sdr=200, ae=404, manager=403, admin=403, other_sdr=404, other_manager=404),
    ),
    Case(
        "lead disqualify", "post", lead_url("disqualify/"), OWN_LEAD_READ, data=lambda w: {"reason": "No fit"}
    ),
    Case("lead nurture", "post", lead_url("nurture/"), OWN_LEAD_READ),
    Case("lead activities", "get", lead_url("activities/"), OWN_LEAD_READ),
    Case(
        "lead activity log",
        "post",
        lead_url("activities/"),
        by_role(sdr=201, bdr=404, ae=404, manager=201, admin=201, other_sdr=404, other_manager=404),
        data=lambda w: {"kind": "note", "body": "Researched"},
    ),
    Case("import list", "get", lambda w: "/api/imports/", by_role(sdr=200, ae=403, manager=200, admin=200)),
    Case(
        "import create",
        "post",
        lambda w: "/api/imports/",
        by_role(sdr=202, ae=403, manager=202, admin=202),
        data=lambda w: {"file": SimpleUploadedFile("list.csv", CSV), "team": w.team.id},
        format="multipart",
    ),
    Case("import detail", "get", batch_url(), OWN_LEAD_READ),
    Case("import errors.csv", "get", lambda w: f"/api/imports/{w.batch.id}/errors.csv", OWN_LEAD_READ),
    Case("import rows", "get", batch_url("rows/"), OWN_LEAD_READ),
    Case("import revert", "post", batch_url("revert/"), OWN_LEAD_READ),
    Case("icp list", "get", lambda w: "/api/icp-profiles/", by_role(sdr=200, ae=200, manager=200, admin=200)),
    Case(
        "icp create",
        "post",
        lambda w: "/api/icp-profiles/",
        by_role(sdr=403, ae=403, manager=201, admin=201),
        data=lambda w: {"name": "Enterprise", "team": w.team.id},
    ),
    Case(
        "icp detail",
        "get",
        lambda w: f"/api/icp-profiles/{w.icp.id}/",
        by_role(sdr=200, ae=200, manager=200, admin=200, other_sdr=404, other_ae=404, other_manager=404),
    ),
    Case(
        "icp edit",
        "patch",
        lambda w: f"/api/icp-profiles/{w.icp.id}/",
        by_role(sdr=403, ae=403, manager=200, admin=200, other_sdr=404, other_ae=404, other_manager=404),
        data=lambda w: {"employee_min": 20},
    ),
    Case(
        "icp delete",
        "delete",
        lambda w: f"/api/icp-profiles/{w.icp.id}/",
        by_role(sdr=403, ae=403, manager=204, admin=204, other_sdr=404, other_ae=404, other_manager=404),
    ),
]
