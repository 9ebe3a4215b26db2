"""Writes to leads and their timeline.

Invariants: every state change of a lead leaves an Activity row naming who and when; the first
call, email or LinkedIn touch sets `first_touch_at` once and moves a `new` lead to `working`.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from leads.models import TOUCH_KINDS, Activity, Lead, LeadStatus


@transaction.atomic
def activity_record(
    *,
    lead: Lead,
    actor,
    kind: str,
    outcome: str = "",
    body: str = "",
    data: dict | None = None,
    occurred_at: datetime.datetime | None = None,
) -> Activity:
    """Writes one timeline row; a first touch also starts the lead's clock (first_touch_at, new → working)."""
    occurred_at = occurred_at or timezone.now()
    activity = Activity.objects.create(
        lead=lead,
        team_id=lead.team_id,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        kind=kind,
        outcome=outcome or "",
        body=body or "",
        data=data or {},
        created_at=occurred_at,
    )
    if kind in TOUCH_KINDS:
        updates = {}
        if lead.first_touch_at is None:
            updates["first_touch_at"] = occurred_at
        if lead.status == LeadStatus.NEW:
            updates["status"] = LeadStatus.WORKING
        if updates:
            # Conditional so that two first touches racing set first_touch_at once, to the earliest.
            Lead.objects.filter(pk=lead.pk, first_touch_at__isnull=True).update(first_touch_at=occurred_at)
            Lead.objects.filter(pk=lead.pk, status=LeadStatus.NEW).update(status=LeadStatus.WORKING)
            lead.refresh_from_db(fields=["first_touch_at", "status"])
    return activity


STAGE_TIMESTAMPS = {
    "mql": "mql_at",
    "sql": "sql_at",
    "opportunity": "opportunity_at",
    "customer": "customer_at",
}


@transaction.atomic
def lead_set_status(*, lead: Lead, status: str, by, reason: str = "", data: dict | None = None) -> Lead:
    """Moves a lead to a work status and writes the timeline row (who, when, from, to, why)."""
    previous = lead.status
    if previous == status:
        return lead
    lead.status = status
    lead.save(update_fields=["status", "updated_at"])
    activity_record(
        lead=lead,
        actor=by,
        kind="status",
        body=reason,
        data={"from": previous, "to": status, **(data or {})},
    )
    return lead


@transaction.atomic
def lead_set_stage(*, lead: Lead, stage: str, by, at: datetime.datetime | None = None) -> Lead:
    """Moves a lead to a lifecycle stage. The stage's timestamp (mql_at, sql_at, …) is set the first
    time only, so the funnel counts each lead once per stage."""
    previous = lead.stage
    at = at or timezone.now()
    fields = ["updated_at"]
    timestamp_field = STAGE_TIMESTAMPS.get(stage)
    if timestamp_field and getattr(lead, timestamp_field) is None:
        setattr(lead, timestamp_field, at)
        fields.append(timestamp_field)
    if previous != stage:
        lead.stage = stage
        fields.append("stage")
    if len(fields) == 1:
        return lead
    lead.save(update_fields=fields)
    if previous != stage:
        activity_record(
            lead=lead, actor=by, kind="stage", data={"from": previous, "to": stage}, occurred_at=at
        )
    return lead
