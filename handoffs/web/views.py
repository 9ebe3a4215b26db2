"""The handoff pages: the AE inbox (and the SDR's own handoffs), the handoff form, the rules of
engagement, and the AE pipeline. Thin: forms → services → templates or partials."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from handoffs import selectors, services
from handoffs.models import ALWAYS_REQUIRED, HandoffStatus, MeetingOutcome, OpportunityStage
from handoffs.web.forms import (
    FIELD_LABELS,
    AcceptForm,
    HandoffForm,
    MeetingForm,
    OpportunityCreateForm,
    OpportunityStageForm,
    RejectForm,
    RulesForm,
)
from leads.models import Lead
from sdrcrm.accounts.models import Role, User
from sdrcrm.core.errors import Conflict, DomainError, NotFound
from sdrcrm.core.formatting import duration_text
from sdrcrm.core.web import add_domain_error, render_page

SOON = datetime.timedelta(hours=2)
CARD_TEMPLATE = "handoffs/partials/handoff-card.html"
SLA_TEMPLATE = "handoffs/partials/handoff-sla.html"


def sla_state(handoff, now=None) -> dict:
    """What the SLA badge shows: state (ok, soon, breached, met), text and how much time is used."""
    now = now or timezone.now()
    total = max((handoff.sla_due_at - handoff.created_at).total_seconds(), 1)
    if not handoff.is_pending:
        breached = handoff.sla_breached_on(now)
        return {
            "state": "breached" if breached else "met",
            "text": _("Decided after the SLA") if breached else _("Decided within the SLA"),
            "used": 100,
        }
    left = handoff.sla_due_at - now
    used = min(max(int(100 * (now - handoff.created_at).total_seconds() / total), 0), 100)
    if left.total_seconds() <= 0 or handoff.sla_breached_at:
        return {
            "state": "breached",
            "text": _("SLA breached %(t)s ago") % {"t": duration_text(-left)},
            "used": 100,
        }
    state = "soon" if left <= SOON else "ok"
    return {"state": state, "text": _("%(t)s left") % {"t": duration_text(left)}, "used": used}


def _decorate(handoffs, now=None):
    now = now or timezone.now()
    for handoff in handoffs:
        handoff.sla = sla_state(handoff, now)
        handoff.can_decide = True
    return handoffs


def _can_record_meeting(user, handoff, now=None) -> bool:
    """A booked meeting's outcome is recorded once it is due, unless the handoff was rejected."""
    return (
        handoff.meeting_at is not None
        and handoff.status != HandoffStatus.REJECTED
        and (not handoff.is_pending or handoff.meeting_at <= (now or timezone.now()))
        and handoff.meeting_outcome not in (MeetingOutcome.HELD, MeetingOutcome.NO_SHOW)
        and services.handoff_can_decide(user=user, handoff=handoff)
    )


def _card_context(request, handoff, **extra) -> dict:
    handoff.sla = sla_state(handoff)
    can_decide = services.handoff_can_decide(user=request.user, handoff=handoff)
    handoff.can_record_meeting = _can_record_meeting(request.user, handoff)
    return {
        "handoff": handoff,
        "accept_form": extra.pop("accept_form", None) or AcceptForm(prefix=f"a{handoff.pk}"),
        "reject_form": extra.pop("reject_form", None) or RejectForm(prefix=f"r{handoff.pk}"),
        "meeting_form": extra.pop("meeting_form", None) or MeetingForm(prefix=f"m{handoff.pk}"),
        "can_decide": can_decide,
        **extra,
    }


@login_required
@require_GET
def handoff_inbox_view(request):
    user = request.user
    status = request.GET.get("status") or ""
    if status not in HandoffStatus.values:
        status = ""
    pending = [] if user.is_prospector else _decorate(selectors.handoff_inbox_for_user(user=user))
    history = selectors.handoff_list_for_user(user=user, status=status or None)
    if not user.is_prospector and not status:
        history = history.exclude(status=HandoffStatus.PENDING)
    history = _decorate(list(history[:50]))
    for handoff in history:
        handoff.can_record_meeting = not handoff.is_pending and _can_record_meeting(user, handoff)
    context = {
        "pending": [_card_context(request, handoff) for handoff in pending],
        "history": history,
        "status": status,
        "statuses": HandoffStatus.choices,
        "meeting_outcomes": MeetingOutcome.choices,
        "is_prospector": user.is_prospector,
        "can_edit_rules": user.is_manager or (user.is_admin and user.team_id),
        "breached_count": sum(1 for handoff in pending if handoff.sla["state"] == "breached"),
    }
    return render_page(request, "handoffs/handoff_inbox.html", context, partial="handoff-history")


@login_required
@require_GET
def handoff_sla_view(request, handoff_id: int):
    try:
        handoff = selectors.handoff_get_for_user(user=request.user, handoff_id=handoff_id)
    except NotFound as error:
        raise Http404 from error
    handoff.sla = sla_state(handoff)
    return render(request, SLA_TEMPLATE, {"handoff": handoff})


def _decision_response(request, handoff_id: int, *, decide, form_name: str, form_class, prefix: str):
    try:
        handoff = selectors.handoff_get_for_user(user=request.user, handoff_id=handoff_id)
    except NotFound as error:
        raise Http404 from error
    form = form_class(request.POST, prefix=f"{prefix}{handoff.pk}")
    status, notice = 200, None
    if form.is_valid():
        try:
            notice = decide(handoff, form.cleaned_data)
        except Conflict as error:
            status, notice = 409, {"level": "error", "text": error.message}
        except DomainError as error:
            add_domain_error(form, error)
            status = error.status_code
    else:
        status = 400
    if not request.htmx:
        if notice:
            getattr(messages, notice["level"])(request, notice["text"])
        elif status != 200:
            messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
        return redirect(f"{reverse('handoff-inbox')}#handoff-{handoff.pk}")
    handoff = selectors.handoff_get_for_user(user=request.user, handoff_id=handoff_id)
    context = _card_context(request, handoff, notice=notice, **({form_name: form} if status == 400 else {}))
    if status != 200 and notice is None:
        context[form_name] = form
    if not request.user.is_prospector:
        context["waiting_count"] = selectors.handoff_list_for_user(
            user=request.user, status=HandoffStatus.PENDING
        ).count()
    return render(request, CARD_TEMPLATE, context, status=status)


@login_required
@require_POST
def handoff_accept_view(request, handoff_id: int):
    def decide(handoff, data):
        opportunity = services.handoff_accept(
            handoff=handoff, by=request.user, amount=data["amount"], expected_close=data.get("expected_close")
        )
        return {
            "level": "success",
            "text": _("Accepted. Opportunity “%(name)s” is in your pipeline.") % {"name": opportunity.name},
        }

    return _decision_response(
        request, handoff_id, decide=decide, form_name="accept_form", form_class=AcceptForm, prefix="a"
    )


@login_required
@require_POST
def handoff_reject_view(request, handoff_id: int):
    def decide(handoff, data):
        services.handoff_reject(
            handoff=handoff, by=request.user, reason=data["reason"], note=data.get("note", "")
        )
        return {"level": "info", "text": _("Rejected. The lead is back with its SDR, with your reason.")}

    return _decision_response(
        request, handoff_id, decide=decide, form_name="reject_form", form_class=RejectForm, prefix="r"
    )


@login_required
@require_POST
def handoff_meeting_view(request, handoff_id: int):
    def decide(handoff, data):
        services.handoff_record_meeting(
            handoff=handoff, by=request.user, outcome=data["outcome"], note=data.get("note", "")
        )
        return {"level": "success", "text": _("Meeting outcome recorded.")}

    return _decision_response(
        request, handoff_id, decide=decide, form_name="meeting_form", form_class=MeetingForm, prefix="m"
    )


def _lead_for_handoff(request) -> Lead:
    lead_id = request.GET.get("lead") or request.POST.get("lead")
    if not (str(lead_id or "").isdigit() and len(str(lead_id)) < 19):
        raise Http404
    lead = Lead.objects.visible_to(request.user).select_related("team", "owner").filter(pk=lead_id).first()
    if lead is None:
        raise Http404
    return lead


@login_required
def handoff_create_view(request):
    lead = _lead_for_handoff(request)
    rules = services.rules_for_team(team=lead.team)
    required = rules.effective_required_fields
    aes = User.objects.filter(team_id=lead.team_id, role=Role.AE, is_active=True).order_by("first_name", "id")
    initial = {
        name: getattr(lead, name, "") or ""
        for name in ("budget", "authority", "need", "timeline", "users", "decision_process")
    }
    form = HandoffForm(request.POST or None, aes=aes, required_fields=required, initial=initial)
    pending = lead.handoffs.filter(status=HandoffStatus.PENDING).select_related("ae").first()
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            handoff = services.handoff_create(by=request.user, lead=lead, **data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Handed off to %(ae)s. The AE has %(hours)s hours to decide.")
                % {"ae": handoff.ae.display_name, "hours": lead.team.handoff_sla_hours},
            )
            target = request.POST.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = f"{reverse('handoff-inbox')}#handoff-{handoff.pk}"
            return redirect(target)
    context = {
        "lead": lead,
        "form": form,
        "rules": rules,
        "required_labels": [FIELD_LABELS[name] for name in required],
        "sla_hours": lead.team.handoff_sla_hours,
        "pending": pending,
        "is_owner": lead.owner_id == request.user.pk,
        "next": request.GET.get("next", ""),
    }
    return render_page(request, "handoffs/handoff_form.html", context, status=400 if form.errors else 200)


@login_required
def rules_view(request):
    user = request.user
    if not (user.is_manager or user.is_admin) or user.team is None:
        raise Http404
    team = user.team
    rules = services.rules_for_team(team=team)
    initial = {"required_fields": rules.required_fields, "sla_hours": team.handoff_sla_hours}
    form = RulesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.rules_update(
                team=team,
                by=user,
                required_fields=form.cleaned_data["required_fields"],
                sla_hours=form.cleaned_data["sla_hours"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Rules of engagement saved."))
            return redirect("handoff-rules")
    context = {
        "form": form,
        "team": team,
        "always_required": [FIELD_LABELS[name] for name in ALWAYS_REQUIRED],
        "rules": rules,
    }
    return render_page(request, "handoffs/rules_form.html", context)


# The pipeline -----------------------------------------------------------------------------------


def _board_context(request, *, errors=None, create_form=None) -> dict:
    user = request.user
    owner = request.GET.get("owner") or request.POST.get("owner_filter") or ""
    owner_id = int(owner) if owner.isdigit() else None
    columns = selectors.pipeline_for_user(user=user, owner=owner_id)
    open_total = sum(
        c["total"] for c in columns if c["stage"] not in (OpportunityStage.WON, OpportunityStage.LOST)
    )
    owners = []
    if user.is_manager or user.is_admin:
        owners = User.objects.filter(team_id=user.team_id, role=Role.AE).order_by("first_name", "id")
    return {
        "columns": columns,
        "open_total": open_total,
        "stage_choices": OpportunityStage.choices,
        "errors": errors or {},
        "read_only": user.is_prospector,
        "can_create": user.is_ae,
        "create_form": create_form or OpportunityCreateForm(),
        "owners": owners,
        "owner_filter": owner_id,
    }


@login_required
@require_GET
def opportunity_list_view(request):
    return render_page(
        request, "handoffs/opportunity_list.html", _board_context(request), partial="opportunity-board"
    )


@login_required
@require_POST
def opportunity_stage_view(request, opportunity_id: int):
    try:
        opportunity = selectors.opportunity_get_for_user(user=request.user, opportunity_id=opportunity_id)
    except NotFound as error:
        raise Http404 from error
    form = OpportunityStageForm(request.POST)
    errors, status = {}, 200
    if form.is_valid():
        changes = {"stage": form.cleaned_data["stage"]}
        if form.cleaned_data["lost_reason"]:
            changes["lost_reason"] = form.cleaned_data["lost_reason"]
        try:
            services.opportunity_update(opportunity=opportunity, by=request.user, **changes)
        except DomainError as error:
            errors[opportunity.pk] = error.message
            status = error.status_code
    else:
        errors[opportunity.pk] = _("Choose a stage.")
        status = 400
    if not request.htmx:
        for message in errors.values():
            messages.error(request, message)
        return redirect("opportunity-list")
    return render(
        request,
        "handoffs/opportunity_list.html#opportunity-board",
        _board_context(request, errors=errors),
        status=status,
    )


@login_required
@require_POST
def opportunity_create_view(request):
    form = OpportunityCreateForm(request.POST)
    if form.is_valid():
        try:
            services.opportunity_create(by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Opportunity opened."))
            return redirect("opportunity-list")
    return render_page(
        request, "handoffs/opportunity_list.html", _board_context(request, create_form=form), status=400
    )
