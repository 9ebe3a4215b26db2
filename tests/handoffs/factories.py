"""Leads ready to hand off, and handoffs made through the service (so every effect is real)."""

import itertools

from handoffs import services
from leads.models import Lead, LeadStage, LeadStatus

_numbers = itertools.count(1)

SCORE_EXPLANATION = [
    {"criterion": "industry", "matched": True, "weight": 30, "detail": "Software is in the ICP"},
    {"criterion": "employee_count", "matched": True, "weight": 25, "detail": "120 employees within 50–500"},
    {"criterion": "country", "matched": False, "weight": 20, "detail": "US is not a target country"},
    {"criterion": "title", "matched": True, "weight": 25, "detail": "Head of Sales is a buyer title"},
]

QUALIFICATION = {
    "budget": "€40k approved for Q3",
    "authority": "VP Sales signs; CFO co-signs above €50k",
    "need": "Reps lose inbound leads; no follow-up discipline",
    "timeline": "Decision by end of quarter",
    "users": "12 SDRs, 4 AEs",
    "decision_process": "Demo, pilot, security review, contract",
    "notes": "Prefers mornings (Tallinn time)",
}


def make_lead(team, owner=None, **fields) -> Lead:
    number = next(_numbers)
    values = {
        "team": team,
        "owner": owner,
        "first_name": "Mari",
        "last_name": f"Maasikas {number}",
        "email": f"mari{number}@acme{number}.example",
        "company": f"Acme {number} OÜ",
        "title": "Head of Sales",
        "status": LeadStatus.WORKING,
        "stage": LeadStage.MQL,
        "score": 80,
        "grade": "A",
        "score_explanation": SCORE_EXPLANATION,
    }
    values.update(fields)
    return Lead.objects.create(**values)


def hand_off(lead, by, **overrides):
    values = {"next_step": "demo", **QUALIFICATION, **overrides}
    return services.handoff_create(by=by, lead=lead, **values)
