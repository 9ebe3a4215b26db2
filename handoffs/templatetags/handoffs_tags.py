"""`{% load handoffs_tags %}{% lead_handoff_panel lead %}`: the lead page's handoff panel (history, SLA
breaches, meeting outcomes, and the way to hand the lead off), with its own reads."""

from django import template

from handoffs import selectors
from handoffs.models import HandoffStatus
from handoffs.web.views import sla_state
from leads.models import LeadStatus

register = template.Library()


@register.inclusion_tag("handoffs/partials/lead-handoff-panel.html", takes_context=True)
def lead_handoff_panel(context, lead):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"visible": False}
    history = selectors.handoff_history_for_lead(user=user, lead=lead)
    for handoff in history:
        handoff.sla = sla_state(handoff)
    pending = next((h for h in history if h.status == HandoffStatus.PENDING), None)
    can_hand_off = (
        lead.owner_id == user.pk
        and lead.status not in (LeadStatus.DISQUALIFIED, LeadStatus.CONVERTED, LeadStatus.HANDED_OFF)
        and pending is None
    )
    return {
        "visible": True,
        "lead": lead,
        "history": history,
        "pending": pending,
        "can_hand_off": can_hand_off,
        "asked": request.GET.get("handoff") == "1",
        "rejections": sum(1 for h in history if h.status == HandoffStatus.REJECTED),
    }
