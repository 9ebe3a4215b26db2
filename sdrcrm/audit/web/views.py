from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leads import privacy
from leads.selectors import lead_get_for_user
from sdrcrm.audit import selectors
from sdrcrm.core.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from sdrcrm.core.web import render_page

PAGE_SIZE = 100
FILTERS = ("target_type", "target_id", "actor", "action", "since")


@login_required
def audit_list_view(request):
    """The team's audit log, newest first; filters swap the table in place; `?before=<id>` pages on."""
    context = {"filters": {key: request.GET.get(key, "") for key in FILTERS}, "error": "", "events": []}
    status = 200
    try:
        events = selectors.audit_event_list_for_user(user=request.user, filters=request.GET)
    except NotAllowed:
        return render_page(request, "404.html", {}, status=404)
    except ValidationFailed as failure:
        context["error"], status = failure.message, 400
    else:
        before = request.GET.get("before", "")
        if before.isdigit() and len(before) < 19:
            events = events.filter(id__lt=int(before))
        rows = list(events[: PAGE_SIZE + 1])
        context["events"] = rows[:PAGE_SIZE]
        context["next_before"] = rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None
    return render_page(request, "audit/auditevent_list.html", context, partial="audit-table", status=status)


@login_required
@require_POST
def lead_erase_view(request, lead_id: int):
    """The lead page's erase button (a confirmed form): erases, then back to the lead page."""
    try:
        lead = lead_get_for_user(user=request.user, lead_id=lead_id)
        privacy.lead_erase(lead=lead, by=request.user, reason=request.POST.get("reason", ""))
    except NotFound:
        return render_page(request, "404.html", {}, status=404)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The lead's personal data was erased."))
    return redirect("lead-detail", lead_id=lead_id)
