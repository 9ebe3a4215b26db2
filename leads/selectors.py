"""Reads of leads, their timeline, imports and ICP profiles, with the visibility rule applied
(`visible_to`, written once in leads/querysets.py). Missing and not visible are the same 404."""

from django.db.models import QuerySet

from leads.models import Activity, IcpProfile, ImportBatch, ImportRow, Lead
from sdrcrm.accounts.models import Role
from sdrcrm.accounts.selectors import require_role
from sdrcrm.core.errors import NotFound

DEFAULT_LEAD_ORDERING = "-created_at"
LEAD_ORDERINGS = {
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "score": ("score", "id"),
    "-score": ("-score", "-id"),
    "name": ("last_name", "first_name", "id"),
    "-name": ("-last_name", "-first_name", "-id"),
    "company": ("company", "id"),
    "-company": ("-company", "-id"),
    "first_touch_at": ("first_touch_at", "id"),
    "-first_touch_at": ("-first_touch_at", "-id"),
}
FILTERS = ("status", "stage", "source", "grade", "email_kind")


def lead_list_for_user(*, user, filters: dict | None = None) -> QuerySet[Lead]:
    """The leads the user may see, narrowed by `filters` (status, stage, source, grade, owner, q,
    ordering: one of LEAD_ORDERINGS or `priority`). Unknown values narrow to nothing, never a 500."""
    leads = Lead.objects.visible_to(user)
    filters = filters or {}
    for name in FILTERS:
        value = filters.get(name)
        if value:
            values = [v for v in str(value).split(",") if v]
            leads = leads.filter(**{f"{name}__in": values})
    owner = filters.get("owner")
    if owner:
        if owner == "me":
            leads = leads.filter(owner=user)
        elif owner in ("none", "null", "unowned"):
            leads = leads.filter(owner__isnull=True)
        elif str(owner).isdigit():
            leads = leads.filter(owner_id=int(owner))
        else:
            leads = leads.none()
    leads = leads.matching(str(filters.get("q") or ""))
    batch = filters.get("batch")
    if batch:
        leads = leads.filter(import_batch_id=int(batch)) if str(batch).isdigit() else leads.none()
    team = filters.get("team")
    if team and str(team).isdigit():
        leads = leads.filter(team_id=int(team))
    ordering = filters.get("ordering") or DEFAULT_LEAD_ORDERING
    if ordering == "priority":
        return leads.by_priority()
    return leads.order_by(*LEAD_ORDERINGS.get(ordering, LEAD_ORDERINGS[DEFAULT_LEAD_ORDERING]))


LEAD_RELATED = ("owner", "team", "account", "import_batch")


def lead_get_for_user(*, user, lead_id, for_update: bool = False, related=LEAD_RELATED) -> Lead:
    """A lead the user may see, with `related` joined (the lead page takes only what it shows)."""
    leads = Lead.objects.visible_to(user).select_related(*related)
    try:
        lead = leads.filter(pk=int(lead_id)).first()
    except (TypeError, ValueError):
        lead = None
    if lead is None:
        raise NotFound("Lead not found.")
    return lead


def lead_get_to_claim(*, user, lead_id) -> Lead:
    """A lead of the rep's team, owned or not: a rep who lost a claim race learns it was taken (409
    from `lead_claim`), not that the lead vanished. Everyone else sees what they always see."""
    if not user.is_prospector:
        return lead_get_for_user(user=user, lead_id=lead_id)
    try:
        lead = Lead.objects.filter(team_id=user.team_id, pk=int(lead_id)).first()
    except (TypeError, ValueError):
        lead = None
    if lead is None:
        raise NotFound("Lead not found.")
    return lead


def activity_list_for_lead(*, lead: Lead) -> QuerySet[Activity]:
    return Activity.objects.filter(lead=lead).select_related("actor").order_by("-created_at", "-id")


def import_batch_list_for_user(*, user) -> QuerySet[ImportBatch]:
    require_role(user, Role.SDR, Role.BDR, Role.MANAGER, Role.ADMIN)
    return ImportBatch.objects.visible_to(user).select_related("created_by")


def import_batch_get_for_user(*, user, batch_id) -> ImportBatch:
    batch = (
        ImportBatch.objects.visible_to(user)
        .select_related("team", "created_by", "owner")
        .filter(pk=batch_id)
        .first()
    )
    if batch is None:
        raise NotFound("Import not found.")
    return batch


def import_errors(*, batch: ImportBatch) -> QuerySet[ImportRow]:
    return ImportRow.objects.filter(batch=batch, action="error").order_by("row_number")


def import_rows(*, batch: ImportBatch, action: str | None = None) -> QuerySet[ImportRow]:
    rows = ImportRow.objects.filter(batch=batch).order_by("row_number", "id")
    if action:
        rows = rows.filter(action=action)
    return rows


def icp_profile_list_for_user(*, user) -> QuerySet[IcpProfile]:
    return IcpProfile.objects.visible_to(user).order_by("-is_active", "name", "id")


def icp_profile_get_for_user(*, user, profile_id) -> IcpProfile:
    profile = IcpProfile.objects.visible_to(user).filter(pk=profile_id).first()
    if profile is None:
        raise NotFound("ICP profile not found.")
    return profile


def icp_active_for_team(*, team_id: int) -> IcpProfile | None:
    return IcpProfile.objects.filter(team_id=team_id, is_active=True).first()
