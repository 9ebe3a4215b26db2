"""`{% load audit_tags %}{% lead_privacy_panel lead %}`: the lead page's data-request panel (export a copy,
erase the personal data) for the team's managers and admins."""

from django import template

from leads.privacy import lead_is_erased

register = template.Library()


@register.inclusion_tag("leads/partials/privacy-actions.html", takes_context=True)
def lead_privacy_panel(context, lead):
    request = context.get("request")
    user = getattr(request, "user", None)
    allowed = (
        user is not None
        and user.is_authenticated
        and (user.is_admin or (user.is_manager and user.team_id == lead.team_id))
    )
    if not allowed:
        return {"visible": False}
    return {"visible": True, "lead": lead, "erased": lead_is_erased(lead=lead)}
