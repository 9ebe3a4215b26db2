"""Reads of handoffs and opportunities for the API, the pages and metrics, visibility applied."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from handoffs.models import Handoff, HandoffStatus, Opportunity, OpportunityStage, RulesOfEngagement
from handoffs.services import rules_for_team
from leads.models import Activity
from sdrcrm.accounts.models import Role, Team, User
from sdrcrm.accounts.selectors import require_role
from sdrcrm.core.errors import NotFound
from sdrcrm.core.sql import fetch_value

HANDOFF_RELATED = ("lead", "sdr", "ae", "decided_by", "opportunity")
MAX_ID = 2**63 - 1


def _valid_id(value) -> bool:
    return isinstance(value, int) and 0 < value <= MAX_ID


def handoff_list_for_user(*, user: User, status: str | None = None) -> QuerySet[Handoff]:
    handoffs = Handoff.objects.visible_to(user).select_related(*HANDOFF_RELATED)
    if status:
        handoffs = handoffs.filter(status=status)
    if status == HandoffStatus.PENDING:
        return handoffs.order_by("created_at", "id")
    return handoffs.order_by("-created_at", "-id")


def handoff_get_for_user(*, user: User, handoff_id: int) -> Handoff:
    if not _valid_id(handoff_id):
        raise NotFound("Handoff not found.")
    handoff = handoff_list_for_user(user=user).filter(pk=handoff_id).first()
    if handoff is None:
        raise NotFound("Handoff not found.")
    return handoff


def handoff_inbox_for_user(*, user: User) -> list[Handoff]:
    """Pending handoffs the user decides, oldest first, each with `recent_activities` (the lead's last
    five timeline rows, fetched in one query for the whole inbox)."""
    pending = handoff_list_for_user(user=user, status=HandoffStatus.PENDING)
    if user.is_prospector:
        pending = pending.none()
    handoffs = list(pending.select_related("lead__owner"))
    timeline = defaultdict(list)
    if handoffs:
        rows = Activity.objects.filter(lead_id__in={h.lead_id for h in handoffs}).select_related("actor")
        for row in rows.order_by("-created_at", "-id")[: 50 * len(handoffs)]:
            if len(timeline[row.lead_id]) < 5:
                timeline[row.lead_id].append(row)
    for handoff in handoffs:
        handoff.recent_activities = timeline[handoff.lead_id]
    return handoffs


HANDOFF_EXISTS_SQL = f"SELECT EXISTS (SELECT 1 FROM {Handoff._meta.db_table} WHERE lead_id = %s)"  # noqa: S608


def handoff_history_for_lead(*, user: User, lead) -> list[Handoff]:
    """The lead page's handoffs of `lead` (already read), newest first: the lead is not joined again. Most
    leads were never handed off: a plain EXISTS says so before the joined read."""
    if not fetch_value(HANDOFF_EXISTS_SQL, [lead.pk]):
        return []
    handoffs = list(
        Handoff.objects.visible_to(user)
        .filter(lead_id=lead.pk)
        .select_related("sdr", "ae", "opportunity")
        .order_by("-created_at", "-id")
    )
    for handoff in handoffs:
        handoff.lead = lead
    return handoffs


def opportunity_list_for_user(
    *, user: User, stage: str | None = None, owner: int | None = None
) -> QuerySet[Opportunity]:
    opportunities = Opportunity.objects.visible_to(user).select_related("lead", "owner", "sourced_by")
    if stage:
        opportunities = opportunities.filter(stage=stage)
    if owner:
        opportunities = (
            opportunities.filter(owner_id=int(owner)) if _valid_id(int(owner)) else opportunities.none()
        )
    return opportunities.order_by("-created_at", "-id")


def opportunity_get_for_user(*, user: User, opportunity_id: int) -> Opportunity:
    if not _valid_id(opportunity_id):
        raise NotFound("Opportunity not found.")
    opportunity = opportunity_list_for_user(user=user).filter(pk=opportunity_id).first()
    if opportunity is None:
        raise NotFound("Opportunity not found.")
    return opportunity


def pipeline_for_user(*, user: User, owner: int | None = None) -> list[dict]:
    """The board: one column per stage with its opportunities, count and total amount."""
    opportunities = opportunity_list_for_user(user=user, owner=owner)
    totals = {
        row["stage"]: row
        for row in opportunities.order_by().values("stage").annotate(count=Count("id"), total=Sum("amount"))
    }
    by_stage = defaultdict(list)
    for opportunity in opportunities.order_by("expected_close", "-amount", "id")[:500]:
        by_stage[opportunity.stage].append(opportunity)
    return [
        {
            "stage": stage,
            "label": label,
            "opportunities": by_stage[stage],
            "count": totals.get(stage, {}).get("count", 0),
            "total": totals.get(stage, {}).get("total") or Decimal("0"),
        }
        for stage, label in OpportunityStage.choices
    ]


def rules_get_for_user(*, user: User, team_id: int) -> RulesOfEngagement:
    """Any member of the team reads its rules (the handoff form needs them); other teams get 404."""
    if not user.is_authenticated or not _valid_id(team_id):
        raise NotFound("Team not found.")
    team = Team.objects.filter(pk=team_id).first()
    if team is None or not (user.is_admin or user.team_id == team.pk):
        raise NotFound("Team not found.")
    return rules_for_team(team=team)


def decidable_aes_for_user(*, user: User) -> QuerySet[User]:
    require_role(user, Role.SDR, Role.BDR, Role.MANAGER, Role.ADMIN)
    return User.objects.filter(team_id=user.team_id, role=Role.AE, is_active=True).order_by("id")
