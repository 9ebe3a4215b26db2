"""The lead pages: list, detail, imports, ICP editor. Thin: selectors to read, services to write,
the full page or an htmx partial (sdrcrm.core.web.render_page)."""

import functools
from pathlib import Path
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from leads import imports, selectors, services
from leads.api.views import import_errors_csv
from leads.models import (
    ActivityOutcome,
    Grade,
    IcpProfile,
    ImportStatus,
    LeadSource,
    LeadStage,
    LeadStatus,
    RowAction,
)
from leads.scoring import CRITERIA, DEFAULT_WEIGHTS
from leads.web import list_rows
from sdrcrm.accounts.models import Role, User
from sdrcrm.accounts.selectors import team_members
from sdrcrm.core.errors import Conflict, DomainError, NotAllowed, NotFound, ValidationFailed
from sdrcrm.core.pagination import page_number, read_page
from sdrcrm.core.web import render_page


def page_errors(view):
    """A NotFound from a selector is the 404 page, a NotAllowed the 403 page (never a 500)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from error
        except NotAllowed as error:
            raise PermissionDenied(error.message) from error

    return wrapper


PAGE_SIZE = 50
# Past this many leads the list says "about N" (the planner's estimate) instead of counting them.
EXACT_COUNT_LIMIT_ON_PAGES = 500
LIST_FILTERS = ("q", "status", "stage", "owner", "source", "grade", "ordering", "batch")
SAMPLE_CSV = Path(__file__).resolve().parent.parent / "sample_data" / "sample_leads.csv"
SORTS = [
    ("-created_at", gettext_lazy("Newest first")),
    ("priority", gettext_lazy("Priority")),
    ("-score", gettext_lazy("Score, high to low")),
    ("score", gettext_lazy("Score, low to high")),
    ("name", gettext_lazy("Name")),
    ("company", gettext_lazy("Company")),
    ("created_at", gettext_lazy("Oldest first")),
]


def _owner_choices(user):
    if user.team_id is None:
        return []
    return team_members(team=user.team, roles=[Role.SDR, Role.BDR, Role.MANAGER])


def _owner_filter_options(user) -> list[tuple[str, str]]:
    """(value, name) for the list's owner filter: the user's teammates other than the user."""
    if user.team_id is None:
        return []
    teammates = (
        team_members(team=user.team_id, roles=[Role.SDR, Role.BDR, Role.MANAGER])
        .exclude(pk=user.pk)
        .values_list("id", "first_name", "last_name", "username")
    )
    return [(str(pk), User.name_shown(first, last, username)) for pk, first, last, username in teammates]


def _domain_errors(error: DomainError) -> dict:
    return {error.field or "__all__": error.message}


@login_required
@page_errors
def lead_list_view(request):
    filters = {name: request.GET.get(name, "").strip() for name in LIST_FILTERS}
    leads = selectors.lead_list_for_user(user=request.user, filters=filters).values(*list_rows.ROW_FIELDS)
    number = page_number(request.GET.get("page")) or 1
    page, is_estimate = read_page(leads, number, PAGE_SIZE, exact_limit=EXACT_COUNT_LIMIT_ON_PAGES)
    query = urlencode({k: v for k, v in filters.items() if v})
    context = {
        "page": page,
        "rows": (rows := list_rows.lead_rows(page.object_list)),
        "rows_html": list_rows.rows_html(rows),
        "count": page.paginator.count,
        "count_is_estimate": is_estimate,
        "filters": filters,
        "query": query,
        "statuses": LeadStatus.choices,
        "stages": LeadStage.choices,
        "sources": LeadSource.choices,
        "grades": Grade.choices,
        "sorts": SORTS,
        "ordering": filters["ordering"] or selectors.DEFAULT_LEAD_ORDERING,
        "owners": _owner_filter_options(request.user),
        "can_claim": request.user.is_prospector,
        "can_park": request.user.is_prospector or request.user.is_manager or request.user.is_admin,
    }
    return render_page(request, "leads/lead_list.html", context, partial="lead-table")


@login_required
@page_errors
@require_POST
def lead_bulk_view(request):
    """Claims or nurtures the selected leads the user may see; reports how many it could not."""
    action = request.POST.get("action")
    ids = [value for value in request.POST.getlist("lead") if value.isdigit()][:500]
    done = refused = 0
    for lead in selectors.lead_list_for_user(user=request.user).filter(pk__in=ids):
        try:
            if action == "claim":
                services.lead_claim(lead=lead, by=request.user)
            elif action == "nurture":
                services.lead_nurture(lead=lead, by=request.user)
            else:
                break
            done += 1
        except DomainError:
            refused += 1
    if done:
        messages.success(request, _("%(count)d leads updated.") % {"count": done})
    if refused:
        messages.warning(request, _("%(count)d leads could not be changed.") % {"count": refused})
    return redirect(request.POST.get("next") or reverse("lead-list"))


def _detail_context(request, lead, *, posted=None, **extra):
    user = request.user
    posted = posted or {}
    activities = selectors.activity_list_for_lead(lead=lead)[:100]
    context = {
        "lead": lead,
        "activities": activities,
        "explanation": lead.score_explanation or [],
        "can_edit": _allowed(services._require_can_edit, lead=lead, by=user),
        "can_work": _allowed(services._require_can_work, lead=lead, by=user),
        "can_claim": user.is_prospector and lead.owner_id is None,
        "activity_kinds": [
            ("call", _("Call")),
            ("email", _("Email")),
            ("linkedin", _("LinkedIn")),
            ("note", _("Note")),
            ("meeting", _("Meeting")),
        ],
        "outcomes": ActivityOutcome.choices,
        "errors": {},
        "qualification_fields": [
            (name, label, long, posted.get(name, getattr(lead, name)))
            for name, label, long in (
                ("budget", _("Budget"), False),
                ("authority", _("Authority"), False),
                ("need", _("Need"), True),
                ("timeline", _("Timeline"), False),
                ("users", _("Users"), False),
                ("decision_process", _("Decision process"), True),
            )
        ],
        "research_notes": posted.get("research_notes", lead.research_notes),
        "is_closed": lead.status in services.CLOSED_STATUSES,
    }
    context.update(extra)
    return context


def _allowed(check, **kwargs) -> bool:
    try:
        check(**kwargs)
    except NotAllowed:
        return False
    return True


@login_required
@page_errors
def lead_detail_view(request, lead_id: int):
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id, related=("owner", "import_batch"))
    return render_page(
        request, "leads/lead_detail.html", _detail_context(request, lead), partial="lead-header"
    )


@login_required
@page_errors
@require_POST
def lead_edit_view(request, lead_id: int):
    """Saves the qualification fields and research notes (the form's fields only)."""
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    values = {name: request.POST[name] for name in services.QUALIFICATION_FIELDS if name in request.POST}
    status = 200
    saved = False
    try:
        lead = services.lead_update(lead=lead, by=request.user, values=values)
        saved = True
    except DomainError as error:
        status = error.status_code
        context = _detail_context(request, lead, errors=_domain_errors(error), posted=values)
        return render_page(
            request, "leads/lead_detail.html", context, partial="lead-qualification", status=status
        )
    if not request.htmx:
        messages.success(request, _("Saved."))
        return redirect("lead-detail", lead_id=lead.pk)
    context = _detail_context(request, lead, saved=saved)
    return render_page(request, "leads/lead_detail.html", context, partial="lead-qualification")


@login_required
@page_errors
@require_POST
def lead_action_view(request, lead_id: int, action: str):
    if action == "claim":
        return _lead_claim(request, lead_id)
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    try:
        if action == "disqualify":
            services.lead_disqualify(lead=lead, by=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("Lead disqualified."))
        elif action == "nurture":
            services.lead_nurture(lead=lead, by=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("Lead moved to nurture."))
        else:
            return HttpResponse(status=404)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("lead-detail", lead_id=lead.pk)


@login_required
@page_errors
@require_POST
def lead_activity_view(request, lead_id: int):
    lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
    errors = {}
    status = 200
    try:
        services.activity_log(
            lead=lead,
            by=request.user,
            kind=request.POST.get("kind", ""),
            outcome=request.POST.get("outcome", ""),
            body=request.POST.get("body", ""),
        )
    except DomainError as error:
        errors = _domain_errors(error)
        status = error.status_code
    if not request.htmx:
        if errors:
            messages.error(request, next(iter(errors.values())))
        return redirect("lead-detail", lead_id=lead.pk)
    lead.refresh_from_db()
    context = _detail_context(request, lead, activity_errors=errors)
    return render_page(request, "leads/lead_detail.html", context, partial="lead-timeline", status=status)


# --- Imports ---------------------------------------------------------------------------------------------


def _import_form_context(request, **extra):
    user = request.user
    context = {
        "batches": selectors.import_batch_list_for_user(user=user)[:30],
        "sources": LeadSource.choices,
        "owners": _owner_choices(user) if (user.is_manager or user.is_admin) else [],
        "fields": imports.IMPORTABLE_FIELDS,
        "max_mib": imports.max_bytes() // (1024 * 1024),
        "errors": {},
    }
    context.update(extra)
    return context


@login_required
@page_errors
def import_list_view(request):
    if request.method == "POST":
        return _import_create(request)
    return render_page(
        request, "leads/import_list.html", _import_form_context(request), partial="import-history"
    )


def _posted_mapping(request, columns):
    mapping = {}
    for index, column in enumerate(columns):
        target = request.POST.get(f"map_{index}")
        if target:
            mapping[column] = target
    return mapping or None


def _import_create(request):
    user = request.user
    upload = request.FILES.get("file")
    if upload is not None and upload.size > imports.max_bytes():
        context = _import_form_context(
            request,
            errors={
                "file": _("The file is over the %(mib)d MiB limit.") % {"mib": imports.max_bytes() // 2**20}
            },
        )
        return render_page(request, "leads/import_list.html", context, status=413)
    if user.team_id is None:
        context = _import_form_context(
            request, errors={"team": _("You belong to no team: import through the API, naming the team.")}
        )
        return render_page(request, "leads/import_list.html", context, status=400)
    owner = None
    owner_id = request.POST.get("owner")
    if owner_id and owner_id.isdigit():
        owner = _owner_choices(user).filter(pk=int(owner_id)).first()
    try:
        columns = imports.read_shape(upload).columns if upload is not None else []
        batch = imports.import_batch_create(
            team=user.team,
            by=user,
            upload=upload,
            source=request.POST.get("source") or LeadSource.LIST,
            owner=owner,
            mapping=_posted_mapping(request, columns),
            dry_run=bool(request.POST.get("dry_run")),
            update_existing=bool(request.POST.get("update_existing")),
        )
    except DomainError as error:
        context = _import_form_context(request, errors=_domain_errors(error))
        return render_page(request, "leads/import_list.html", context, status=error.status_code)
    return redirect("import-detail", batch_id=batch.pk)


@login_required
@page_errors
@require_POST
def import_preview_view(request):
    """The column-mapping preview: each header with its guessed field and the first rows."""
    selectors.import_batch_list_for_user(user=request.user)
    upload = request.FILES.get("file")
    context = {"fields": imports.IMPORTABLE_FIELDS}
    if upload is None:
        context["preview_error"] = _("Choose a CSV file.")
    elif upload.size > imports.max_bytes():
        context["preview_error"] = _("The file is over the %(mib)d MiB limit.") % {
            "mib": imports.max_bytes() // 2**20
        }
    else:
        try:
            shape = imports.read_shape(upload)
        except DomainError as error:
            context["preview_error"] = error.message
        else:
            guessed = imports.auto_mapping(shape.columns)
            context.update(
                shape=shape,
                columns=[
                    {
                        "index": i,
                        "name": name,
                        "target": guessed.get(name, ""),
                        "samples": [row[i] if i < len(row) else "" for row in shape.sample_rows[:3]],
                    }
                    for i, name in enumerate(shape.columns)
                ],
                has_email="email" in guessed.values(),
            )
    return render_page(request, "leads/import_list.html", context, partial="import-mapping")


@login_required
def import_sample_view(request):
    """A sample list a new user can import (a few bad rows show the error report)."""
    response = FileResponse(SAMPLE_CSV.open("rb"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="sample_leads.csv"'
    return response


@login_required
@page_errors
def import_detail_view(request, batch_id: int):
    batch = selectors.import_batch_get_for_user(user=request.user, batch_id=batch_id)
    errors = selectors.import_errors(batch=batch)[:200]
    rows = selectors.import_rows(batch=batch).exclude(action=RowAction.ERROR)[:200] if batch.dry_run else []
    percent = (
        round(100 * batch.processed_rows / batch.total_rows)
        if batch.total_rows
        else (100 if batch.is_finished else 0)
    )
    context = {
        "batch": batch,
        "errors": errors,
        "rows": rows,
        "percent": min(percent, 100),
        "can_revert": batch.status in (ImportStatus.DONE, ImportStatus.FAILED) and not batch.dry_run,
        "mapping": [(column, batch.mapping.get(column, "")) for column in batch.columns],
    }
    return render_page(request, "leads/import_detail.html", context, partial="import-progress")


@login_required
@page_errors
def import_errors_csv_view(request, batch_id: int):
    batch = selectors.import_batch_get_for_user(user=request.user, batch_id=batch_id)
    return import_errors_csv(batch)


@login_required
@page_errors
@require_POST
def import_revert_view(request, batch_id: int):
    batch = selectors.import_batch_get_for_user(user=request.user, batch_id=batch_id)
    try:
        report = imports.import_batch_revert(batch=batch, by=request.user)
        messages.success(
            request,
            _("Reverted: %(deleted)d leads deleted, %(restored)d restored, %(kept)d left as they are.")
            % {
                "deleted": report["deleted"],
                "restored": report["restored"],
                "kept": len(report["not_reverted"]),
            },
        )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("import-detail", batch_id=batch.pk)


# --- ICP -------------------------------------------------------------------------------------------------


def _split(value: str) -> list[str]:
    return [part.strip() for part in (value or "").replace("\n", ",").split(",") if part.strip()]


def _icp_values(post) -> dict:
    values = {
        "name": post.get("name", ""),
        "is_active": bool(post.get("is_active")),
        "industries": _split(post.get("industries", "")),
        "countries": _split(post.get("countries", "")),
        "title_keywords": _split(post.get("title_keywords", "")),
        "employee_min": post.get("employee_min") or None,
        "employee_max": post.get("employee_max") or None,
        "weights": {criterion: post.get(f"weight_{criterion}") or 0 for criterion in CRITERIA},
    }
    return values


def _icp_context(request, profile, **extra):
    user = request.user
    team_id = profile.team_id if profile else user.team_id
    profiles = selectors.icp_profile_list_for_user(user=user)
    if team_id:
        profiles = profiles.filter(team_id=team_id)
    weights = (profile.weights if profile else None) or DEFAULT_WEIGHTS
    context = {
        "profile": profile,
        "profiles": profiles,
        "can_edit": user.is_manager or user.is_admin,
        "weights": [(criterion, weights.get(criterion, 0)) for criterion in CRITERIA],
        "errors": {},
        "preview": _with_bars(services.icp_grade_preview(team_id=team_id, values=_profile_values(profile)))
        if team_id
        else None,
    }
    context.update(extra)
    return context


def _with_bars(preview: dict | None) -> dict | None:
    """Adds (grade, count, bar height, bar top, x, label x) for the server-side SVG chart."""
    if not preview:
        return preview
    highest = max(preview["grades"].values()) or 1
    bars = []
    for index, (grade, count) in enumerate(preview["grades"].items()):
        height = round(104 * count / highest) if count else 2
        x = 16 + index * 72
        bars.append((grade, count, height, 126 - height, x, x + 27))
    return {**preview, "bars": bars}


def _profile_values(profile: IcpProfile | None) -> dict:
    if profile is None:
        return {}
    return {
        "industries": profile.industries,
        "countries": profile.countries,
        "title_keywords": profile.title_keywords,
        "employee_min": profile.employee_min,
        "employee_max": profile.employee_max,
        "weights": profile.weights,
    }


@login_required
@page_errors
def icp_view(request):
    user = request.user
    if user.is_ae:
        raise NotAllowed(_("The ICP is set by managers and used by SDRs."))
    profile_id = request.GET.get("profile") or request.POST.get("profile")
    if profile_id:
        profile = selectors.icp_profile_get_for_user(user=user, profile_id=profile_id)
    elif request.GET.get("new"):
        profile = None
    else:
        profile = selectors.icp_active_for_team(team_id=user.team_id) if user.team_id else None
    if request.method == "POST":
        values = _icp_values(request.POST)
        try:
            if profile is None and user.team_id is None:
                raise ValidationFailed(_("You belong to no team: open a team's profile to edit it."))
            if profile is None:
                profile = services.icp_profile_create(team=user.team, by=user, values=values)
            else:
                profile = services.icp_profile_update(profile=profile, by=user, values=values)
        except DomainError as error:
            context = _icp_context(request, profile, errors=_domain_errors(error), posted=request.POST)
            return render_page(request, "leads/icp.html", context, status=error.status_code)
        messages.success(request, _("Profile saved. The team's leads are being rescored."))
        return redirect(f"{reverse('icp')}?profile={profile.pk}")
    return render_page(request, "leads/icp.html", _icp_context(request, profile))


@login_required
@page_errors
@require_POST
def icp_preview_view(request):
    """How many leads would land in each grade with the profile as it stands in the form."""
    if request.user.team_id is None and not request.POST.get("profile"):
        return HttpResponse("")
    team_id = request.user.team_id
    if request.POST.get("profile"):
        team_id = selectors.icp_profile_get_for_user(
            user=request.user, profile_id=request.POST["profile"]
        ).team_id
    values = _icp_values(request.POST)
    values.pop("name")
    values.pop("is_active")
    try:
        preview = _with_bars(services.icp_grade_preview(team_id=team_id, values=values))
        error = None
    except DomainError as failure:
        preview, error = None, failure.message
    return render_page(
        request, "leads/icp.html", {"preview": preview, "preview_error": error}, partial="icp-preview"
    )


def _lead_claim(request, lead_id: int):
    """A rep who lost the race to a teammate hears so and goes back to the list (the lead is no longer
    theirs to open)."""
    lead = selectors.lead_get_to_claim(user=request.user, lead_id=lead_id)
    try:
        services.lead_claim(lead=lead, by=request.user)
    except Conflict as error:
        messages.error(request, error.message)
        return redirect("lead-list")
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The lead is yours."))
    return redirect("lead-detail", lead_id=lead.pk)
