"""Helpers the cadence services share: the zone a lead's touches run in, timeline rows."""

import hashlib

from cadences import schedule
from leads.models import Lead
from leads.services import activity_record


def lead_zone(lead: Lead, owner=None):
    """The lead's own time zone, else its owner's (or the given sender's), else UTC."""
    owner = owner if owner is not None else (lead.owner if lead.owner_id else None)
    return schedule.zone_for(lead.timezone, getattr(owner, "timezone", ""))


def email_hash(email: str) -> str:
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()


def timeline(*, lead: Lead, by, event: str, body: str = "", kind: str = "system", outcome: str = "", **data):
    return activity_record(
        lead=lead, actor=by, kind=kind, outcome=outcome, body=body, data={"event": event, **data}
    )
