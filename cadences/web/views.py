"""Pages: the Today queue, the cadence list and builder, the enroll panels. Thin: forms → services."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cadences import schedule, selectors, services, templating
from cadences.models import Cadence, Channel, Enrollment
from cadences.web.forms import CadenceForm, SendingPolicyForm, StepForm
from cadences.web.queue import QueueRows
from leads.models import Lead
from sdrcrm.core.errors import DomainError, NotFound, ValidationFailed
from sdrcrm.core.web import add_domain_error, render_page

CHANNEL_FILTERS = [
    ("", gettext_lazy("All")),
    ("call", gettext_lazy("Calls")),
    ("email", gettext_lazy("Emails")),
    ("linkedin", gettext_lazy("LinkedIn")),
    ("task", gettext_lazy("Tasks")),
    ("reminder", gettext_lazy("Reminders")),
]


def _not_found(error: NotFound):
    raise Http404(error.message) from error


def _daily_goal(user) -> int:
    return user.team.daily_touch_goal if user.team_id else 0


def _counter_context(user) -> dict:
    done = selectors.touches_today(user=user)
    return {
        "done_today": done,
        "done_today_capped": done >= selectors.TOUCHES_TODAY_LIMIT,
        "daily_goal": _daily_goal(user),
    }


def _queue_context(request) -> dict:
    channel = request.GET.get("channel", "")
    if channel not in dict(CHANNEL_FILTERS):
        channel = ""
    items = selectors.touch_queue_for_user(user=request.user, channel=channel or None)
    overdue = [item for item in items if item.overdue]
    due = [item for item in items if not item.overdue]
    rows = QueueRows(request)
    return {
        "has_rows": bool(items),
        "overdue_count": len(overdue),
        "overdue_rows": rows.html(overdue),
        "due_count": len(due),
        "due_rows": rows.html(due),
        "channel": channel,
        "channel_filters": CHANNEL_FILTERS,
        **_counter_context(request.user),
    }


@login_required
@require_GET
def today_view(request):
    return render_page(request, "cadences/today.html", _queue_context(request), partial="queue-list")


def _row_done(request, *, item_key: str, message: str) -> HttpResponse:
    if not request.htmx:  # a plain form post (no JavaScript): back to the queue
        messages.success(request, message)
        return redirect("today")
    context = {"item_key": item_key, "message": message, **_counter_context(request.user)}
    return render_page(request, "cadences/today.html", context, partial="row-done")


def _snooze_until(request, user) -> datetime.datetime:
    choice = request.POST.get("snooze", "1h")
    now = timezone.now()
    if choice == "tomorrow":
        zone = schedule.zone_for(user.timezone)
        return schedule.local_at(
            now.astimezone(zone).date() + datetime.timedelta(days=1), datetime.time(9, 0), zone
        )
    if choice == "custom":
        parsed = parse_datetime(request.POST.get("due_at", "") or "")
        if parsed is None:
            raise ValidationFailed(_("Pick a date and time."), field="due_at")
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, schedule.zone_for(user.timezone))
        return parsed
    hours = {"1h": 1, "3h": 3}.get(choice, 1)
    return now + datetime.timedelta(hours=hours)


def _pressed_action(post) -> str:
    """Which button of a queue row's form was pressed: `action` names it (skip, send, done), an
    `outcome` logs the touch, a `snooze` choice snoozes it."""
    if post.get("action"):
        return post["action"]
    if "snooze" in post:
        return "snooze"
    if "outcome" in post:
        return "complete"
    raise ValidationFailed(_("Choose what to do with this item."), field="action")


def _work_touch(request, touch_id: int, action: str | None) -> HttpResponse:
    try:
        touch = selectors.touch_get_for_user(user=request.user, touch_id=touch_id)
        selectors.require_touch_worker(request.user, touch)
    except NotFound as error:
        _not_found(error)
    user = request.user
    try:
        action = action or _pressed_action(request.POST)
        if action == "complete":
            outcome = request.POST.get("outcome", "")
            touch = services.touch_complete(
                touch=touch, outcome=outcome, note=request.POST.get("note", ""), by=user
            )
            message = _("Logged: %(what)s") % {"what": touch.get_outcome_display() or _("done")}
        elif action == "send":
            services.touch_send_manual(
                touch=touch,
                subject=request.POST.get("subject", ""),
                body=request.POST.get("body", ""),
                by=user,
            )
            message = _("Email queued to send")
        elif action == "skip":
            services.touch_skip(touch=touch, by=user, note=request.POST.get("note", ""))
            message = _("Skipped")
        elif action == "snooze":
            until = _snooze_until(request, user)  # raises ValidationFailed without a usable time
            services.touch_reschedule(touch=touch, by=user, due_at=until)
            local = timezone.localtime(until)
            message = _("Snoozed until %(when)s") % {"when": local.strftime("%a %H:%M")}
        else:
            raise Http404("Unknown action.")
    except DomainError as error:
        return HttpResponse(error.message, status=error.status_code if error.status_code != 400 else 422)
    return _row_done(request, item_key=f"touch-{touch_id}", message=message)


def _work_reminder(request, reminder_id: int, action: str | None) -> HttpResponse:
    try:
        reminder = selectors.reminder_get_for_user(user=request.user, reminder_id=reminder_id)
    except NotFound as error:
        _not_found(error)
    try:
        action = action or _pressed_action(request.POST)
        if action == "done":
            services.reminder_done(reminder=reminder, by=request.user)
            message = _("Reminder done")
        elif action == "snooze":
            until = _snooze_until(request, request.user)
            services.reminder_snooze(reminder=reminder, by=request.user, due_at=until)
            message = _("Snoozed until %(when)s") % {"when": timezone.localtime(until).strftime("%a %H:%M")}
        else:
            raise Http404("Unknown action.")
    except DomainError as error:
        return HttpResponse(error.message, status=error.status_code)
    return _row_done(request, item_key=f"reminder-{reminder_id}", message=message)


@login_required
@require_POST
def today_touch_row_view(request, touch_id: int):
    """A queue row's form: the button pressed says what to do."""
    return _work_touch(request, touch_id, None)


@login_required
@require_POST
def today_touch_action_view(request, touch_id: int, action: str):
    return _work_touch(request, touch_id, action)


@login_required
@require_POST
def today_reminder_row_view(request, reminder_id: int):
    """A queue row's form: the button pressed says what to do."""
    return _work_reminder(request, reminder_id, None)


@login_required
@require_POST
def today_reminder_action_view(request, reminder_id: int, action: str):
    return _work_reminder(request, reminder_id, action)


# Cadences ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def cadence_list_view(request):
    cadences = (
        selectors.cadence_list_for_user(user=request.user)
        .prefetch_related("steps")
        .order_by("-is_active", "name")
    )
    form = CadenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cadence = services.cadence_create(team=request.user.team, by=request.user, **form.cleaned_data)
            messages.success(request, _("Cadence created. Add its steps."))
            return redirect("cadence-detail", cadence_id=cadence.pk)
        except DomainError as error:
            add_domain_error(form, error)
    rows = []
    for cadence in cadences:
        steps = [step for step in cadence.steps.all() if step.archived_at is None]
        rows.append({"cadence": cadence, "steps": sorted(steps, key=lambda s: s.position)})
    can_edit = request.user.effective_role != "ae" and request.user.team_id is not None
    status = 400 if form.errors else 200
    policy_form = None
    if request.user.team_id and (request.user.is_manager or request.user.is_admin):
        policy = services.policy_for(request.user.team_id)
        policy_form = SendingPolicyForm(
            initial={
                "daily_send_cap": policy.daily_send_cap,
                "account_touch_cap": policy.account_touch_cap,
                "default_inbound_cadence": policy.default_inbound_cadence_id,
                "voicemail_followup_business_days": policy.voicemail_followup_business_days,
            },
            cadences=[row["cadence"] for row in rows if row["cadence"].team_id == request.user.team_id],
        )
    context = {"rows": rows, "form": form, "can_edit": can_edit, "policy_form": policy_form}
    return render_page(request, "cadences/cadence_list.html", context, status=status)


@login_required
@require_POST
def sending_policy_view(request):
    if not request.user.team_id:
        raise Http404("No team.")
    cadences = list(selectors.cadence_list_for_user(user=request.user).filter(team_id=request.user.team_id))
    form = SendingPolicyForm(request.POST, cadences=cadences)
    if form.is_valid():
        try:
            services.sending_policy_update(team=request.user.team, by=request.user, **form.cleaned_data)
            messages.success(request, _("Sending rules saved."))
        except DomainError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Check the sending rules: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect("cadence-list")


def _builder_context(
    request, cadence: Cadence, *, step_form=None, edit_position=None, cadence_form=None
) -> dict:
    steps = selectors.live_steps(cadence)
    preview_lead = None
    lead_id = request.GET.get("lead") or request.POST.get("preview_lead")
    visible_leads = Lead.objects.visible_to(request.user).filter(team_id=cadence.team_id)
    if lead_id and str(lead_id).isdigit():
        preview_lead = visible_leads.filter(pk=int(lead_id)).first()
    if preview_lead is None:
        preview_lead = visible_leads.order_by("-score", "-id").first()
    previews = []
    for step in steps:
        variants = [(None, step.subject, step.body)]
        variants += [
            (index + 1, v.get("subject", ""), v.get("body", "")) for index, v in enumerate(step.variants)
        ]
        rendered, instructions = [], ""
        if preview_lead is not None:
            values = templating.values_for(preview_lead, request.user)
            rendered = [
                (label, templating.render(s, values), templating.render(b, values))
                for label, s, b in variants
            ]
            instructions = templating.render(step.instructions, values)
        previews.append({"step": step, "rendered": rendered, "instructions": instructions})
    counts = dict(Enrollment.objects.filter(cadence=cadence).values_list("state").annotate(n=Count("pk")))
    can_edit = request.user.effective_role != "ae"
    return {
        "cadence": cadence,
        "steps": previews,
        "step_form": step_form or StepForm(),
        "edit_position": edit_position,
        "cadence_form": cadence_form
        or CadenceForm(
            initial={
                "name": cadence.name,
                "description": cadence.description,
                "is_active": cadence.is_active,
                "business_days_only": cadence.business_days_only,
                "window_start": cadence.window_start,
                "window_end": cadence.window_end,
            }
        ),
        "preview_lead": preview_lead,
        "preview_leads": visible_leads.order_by("-score", "-id")[:50],
        "placeholders": templating.PLACEHOLDERS,
        "enrollment_counts": counts,
        "can_edit": can_edit,
        "channels": Channel.choices,
    }


@login_required
@require_GET
def cadence_detail_view(request, cadence_id: int):
    try:
        cadence = selectors.cadence_get_for_user(user=request.user, cadence_id=cadence_id)
    except NotFound as error:
        _not_found(error)
    context = _builder_context(request, cadence)
    edit = request.GET.get("edit")
    if edit and edit.isdigit():
        position = int(edit)
        step = next((p["step"] for p in context["steps"] if p["step"].position == position), None)
        if step is not None:
            context["edit_position"] = position
            context["step_form"] = StepForm(initial={
                "channel": step.channel, "wait_days": step.wait_days, "subject": step.subject, "body": step.body,
                "instructions": step.instructions,
                "variant_subject": (step.variants[0].get("subject", "") if step.variants else ""),
                "variant_body": (step.variants[0].get("body", "") if step.variants else ""),
            })  # fmt: skip
    partial = "step-editor" if request.GET.get("edit") is not None else "step-list"
    return render_page(request, "cadences/cadence_detail.html", context, partial=partial)


def _step_editor_with_errors(request, context):
    """The step editor again with its errors, swapped in place of itself (not the whole builder)."""
    response = render_page(
        request, "cadences/cadence_detail.html", context, partial="step-editor", status=422
    )
    if request.htmx:
        response["HX-Retarget"] = "#step-editor"
        response["HX-Reswap"] = "outerHTML"
    return response


@login_required
@require_POST
def cadence_step_view(request, cadence_id: int, action: str):
    """Builder actions: save (add or edit a step), up, down, remove, settings."""
    try:
        cadence = selectors.cadence_get_for_user(user=request.user, cadence_id=cadence_id)
        selectors.require_cadence_writer(request.user)
    except NotFound as error:
        _not_found(error)
    except DomainError as error:
        return HttpResponse(error.message, status=error.status_code)
    position = request.POST.get("position")
    position = int(position) if position and position.isdigit() else None
    try:
        if action == "save":
            form = StepForm(request.POST)
            if not form.is_valid():
                context = _builder_context(request, cadence, step_form=form, edit_position=position)
                return _step_editor_with_errors(request, context)
            try:
                services.step_save(
                    cadence=cadence, by=request.user, position=position, values=form.step_values()
                )
            except DomainError as error:
                add_domain_error(form, error)
                context = _builder_context(request, cadence, step_form=form, edit_position=position)
                return _step_editor_with_errors(request, context)
        elif action in ("up", "down") and position:
            services.step_move(
                cadence=cadence, by=request.user, position=position, offset=-1 if action == "up" else 1
            )
        elif action == "remove" and position:
            services.step_remove(cadence=cadence, by=request.user, position=position)
        elif action == "settings":
            form = CadenceForm(request.POST)
            if form.is_valid():
                try:
                    services.cadence_update(cadence=cadence, by=request.user, **form.cleaned_data)
                    messages.success(request, _("Cadence saved."))
                except DomainError as error:
                    add_domain_error(form, error)
            if form.errors:
                context = _builder_context(request, cadence, cadence_form=form)
                return render_page(request, "cadences/cadence_detail.html", context, status=400)
            return redirect("cadence-detail", cadence_id=cadence.pk)
        else:
            raise Http404("Unknown action.")
    except DomainError as error:
        return HttpResponse(error.message, status=error.status_code)
    cadence.refresh_from_db()
    if request.htmx:
        context = _builder_context(request, cadence)
        return render_page(request, "cadences/cadence_detail.html", context, partial="builder")
    return redirect("cadence-detail", cadence_id=cadence.pk)


# Enrolling from the lead pages -------------------------------------------------------------------


def _enroll_panel_context(request, lead: Lead, result=None) -> dict:
    return {**selectors.lead_cadence_panel(user=request.user, lead=lead), "result": result}


@login_required
@require_http_methods(["GET", "POST"])
def lead_enroll_panel_view(request, lead_id: int):
    """The lead page's cadence panel (`hx-get` it into the lead's side panels): enroll, pause, resume, exit."""
    lead = Lead.objects.visible_to(request.user).filter(pk=lead_id).first()
    if lead is None:
        raise Http404("Lead not found.")
    result = None
    if request.method == "POST":
        action = request.POST.get("action", "enroll")
        try:
            if action != "reminder":
                selectors.require_cadence_writer(request.user)
            enrollment = Enrollment.objects.open().filter(lead=lead).first()
            if action == "enroll":
                cadence = selectors.cadence_get_for_user(
                    user=request.user, cadence_id=int(request.POST.get("cadence") or 0)
                )
                result = services.cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=request.user)
            elif enrollment is not None and action == "pause":
                services.enrollment_pause(enrollment=enrollment, by=request.user)
            elif enrollment is not None and action == "resume":
                services.enrollment_resume(enrollment=enrollment, by=request.user)
            elif enrollment is not None and action == "exit":
                services.enrollment_exit(enrollment=enrollment, reason="manual", by=request.user)
            elif action == "reminder":
                due_at = parse_datetime(request.POST.get("due_at", "") or "")
                if due_at is None:
                    raise DomainError(_("Pick when to be reminded."), field="due_at")
                if timezone.is_naive(due_at):
                    due_at = timezone.make_aware(due_at, schedule.zone_for(request.user.timezone))
                services.reminder_create(
                    lead=lead,
                    owner=request.user,
                    due_at=due_at,
                    note=request.POST.get("note", ""),
                    by=request.user,
                )
                result = {"reminder_set": due_at}
        except DomainError as error:
            result = {"error": error.message}
        except ValueError:
            result = {"error": _("Pick a cadence.")}
    return render_page(
        request, "cadences/partials/lead-enroll.html", _enroll_panel_context(request, lead, result)
    )


@login_required
@require_POST
def bulk_enroll_view(request):
    """The lead list's bulk action: `leads` (ids, repeated) and `cadence` → a summary partial."""
    try:
        selectors.require_cadence_writer(request.user)
        cadence = selectors.cadence_get_for_user(
            user=request.user, cadence_id=int(request.POST.get("cadence") or 0)
        )
        ids = request.POST.getlist("leads") + request.POST.getlist("lead")
        lead_ids = [int(i) for i in ids if i.isdigit()]
        if not lead_ids:
            raise DomainError(_("Select the leads to enroll."), field="leads")
        result = services.cadence_enroll(cadence=cadence, lead_ids=lead_ids, by=request.user)
    except (DomainError, ValueError) as error:
        result = {"error": getattr(error, "message", _("Pick a cadence.")), "enrolled": [], "skipped": []}
        cadence = None
    if not request.htmx:  # the lead list's form posted without JavaScript: back to the list
        if result.get("error"):
            messages.error(request, result["error"])
        else:
            messages.success(request, _("%(n)s enrolled, %(m)s skipped.") % {
                "n": len(result["enrolled"]), "m": len(result["skipped"])})  # fmt: skip
        target = request.POST.get("next", "")
        safe = url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return redirect(target if target and safe else "lead-list")
    return render_page(request, "cadences/partials/bulk-enroll.html", {
        "result": result, "cadence": cadence,
        "cadence_options": selectors.cadence_options_for_user(user=request.user),
    })  # fmt: skip


@login_required
@require_GET
def bulk_enroll_form_view(request):
    return render_page(request, "cadences/partials/bulk-enroll.html", {
        "result": None, "cadence_options": selectors.cadence_options_for_user(user=request.user),
    })  # fmt: skip


@login_required
@require_GET
def review_view(request):
    """A manager's review list: sends that could not be confirmed (`unknown`), never resent by themselves."""
    from sdrcrm.accounts.models import Role
    from sdrcrm.accounts.selectors import require_role

    try:
        require_role(request.user, Role.MANAGER, Role.ADMIN)
    except DomainError as error:
        return HttpResponse(error.message, status=403)
    touches = (
        selectors.touch_list_for_user(user=request.user)
        .filter(status="unknown")
        .select_related("lead", "owner")
        .order_by("-send_started_at")[:200]
    )
    health = services.dispatcher_health(team_id=None if request.user.is_admin else request.user.team_id)
    return render_page(request, "cadences/review.html", {"touches": touches, "health": health})


@login_required
@require_POST
def review_resolve_view(request, touch_id: int):
    try:
        touch = selectors.touch_get_for_user(user=request.user, touch_id=touch_id)
        services.touch_resolve_unknown(touch=touch, sent=request.POST.get("sent") == "1", by=request.user)
        messages.success(request, _("Review saved."))
    except NotFound as error:
        _not_found(error)
    except DomainError as error:
        return HttpResponse(error.message, status=error.status_code)
    return redirect("cadence-review")


# The recipient's unsubscribe page (public: the link in a cadence email) ---------------------------


def _masked(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


@csrf_exempt  # RFC 8058: a mail provider's one-click POST carries no CSRF token; the signed link is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request, token: str):
    """GET asks (link scanners open links without meaning to); POST unsubscribes, whether from the page's
    button or from the mail provider's one-click."""
    touch = selectors.touch_for_unsubscribe(token=token)
    if touch is None or not touch.lead.email:
        return render_page(request, "cadences/unsubscribe.html", {"state": "invalid"}, status=404)
    context = {"team": touch.team.name, "email": _masked(touch.lead.email)}
    if request.method == "POST":
        try:
            services.unsubscribe_by_link(touch=touch)
        except NotFound:  # the lead's address changed or was erased since the email went out
            return render_page(request, "cadences/unsubscribe.html", {"state": "invalid"}, status=404)
        return render_page(request, "cadences/unsubscribe.html", {**context, "state": "done"})
    return render_page(request, "cadences/unsubscribe.html", {**context, "state": "ask"})
