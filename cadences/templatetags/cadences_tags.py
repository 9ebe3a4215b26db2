"""Cadence pieces for other apps' pages, with their own reads:

- `{% load cadences_tags %}{% lead_cadence_panel lead %}` in the lead page's side panels: the lead's
  enrollment (enroll, pause, resume, exit) and reminders;
- `{% bulk_enroll_action %}` in the lead list's bulk actions (inside `<form id="lead-bulk-form">`,
  whose checked `lead` boxes it enrolls).
"""

from django import template

from cadences import selectors

register = template.Library()


@register.inclusion_tag("cadences/partials/lead-enroll.html", takes_context=True)
def lead_cadence_panel(context, lead):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"hidden": True}
    return {**selectors.lead_cadence_panel(user=user, lead=lead), "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("cadences/partials/bulk-enroll.html", takes_context=True)
def bulk_enroll_action(context, form_id: str = "lead-bulk-form"):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.effective_role == "ae":
        return {"hidden": True}
    return {
        "result": None,
        "form_id": form_id,
        "cadence_options": selectors.cadence_options_for_user(user=user),
        "csrf_token": context.get("csrf_token"),
    }
