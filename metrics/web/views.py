"""The dashboard pages: thin over metrics.dashboard, metrics.charts and metrics.personal.

`/dashboard/` is the whole page, or its `dashboard-body` partial when htmx asks (the filters swap it);
`/dashboard/backtest/` the ICP back-test partial; `/dashboard/me/` a rep's own numbers (the partial the
Today page includes)."""

import datetime
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _

from leads.scoring import DEFAULT_WEIGHTS
from metrics import backtest, charts
from metrics.dashboard import COVERAGE_DEFAULTS, coverage_settings, dashboard_numbers
from metrics.periods import period_from_params
from metrics.personal import my_numbers
from metrics.scope import scope_for_user
from sdrcrm.accounts.models import PROSPECTING_ROLES, Role, Team, User
from sdrcrm.core.errors import NotFound, ValidationFailed
from sdrcrm.core.formatting import duration_text
from sdrcrm.core.selectors import scheduler_status
from sdrcrm.core.web import render_page

PERIOD_CHOICES = [
    ("week", _("This week")),
    ("month", _("This month")),
    ("quarter", _("This quarter")),
    ("last_month", _("Last month")),
    ("last_quarter", _("Last quarter")),
    ("custom", _("Custom")),
]
TEMPLATE = "metrics/dashboard.html"


def _scope(request, params):
    try:
        return scope_for_user(user=request.user, team_id=params.get("team"), owner_id=params.get("rep"))
    except NotFound as error:
        raise Http404(error.message) from None


def _clean(params, errors: dict, names) -> QueryDict:
    """The request's parameters without the ones that failed validation (so the page still renders)."""
    cleaned = params.copy()
    for name in names:
        if name in errors:
            cleaned.pop(name, None)
    return cleaned


def _headline(numbers: dict, personal: bool) -> list[dict]:
    p = charts.percent

    def amount(value):
        return "—" if value is None else f"{float(value):,.0f}"

    def per(value):
        return "—" if value is None else f"{value:.2f}"

    speed = numbers["speed_to_lead_median_minutes"]
    tiles = [
        (_("Leads"), numbers["leads"], _("created")),
        (_("MQLs"), numbers["mqls"], _("became MQL")),
        (_("MQL per lead"), p(numbers["mql_rate"]), ""),
        (_("Follow-up rate"), p(numbers["follow_up_rate"]), _("of new leads touched")),
        (
            _("Speed to lead"),
            "—" if speed is None else duration_text(datetime.timedelta(minutes=speed)),
            _("median to the first touch"),
        ),
        (_("SQLs"), numbers["sqls"], _("handoffs")),
        (_("Acceptance"), p(numbers["acceptance_rate"]), _("of decided handoffs")),
        (_("Opportunities"), numbers["opportunities"], _("created")),
        (_("Opportunities per MQL"), per(numbers["opportunities_per_mql"]), ""),
        (_("Pipeline"), amount(numbers["pipeline"]), _("new")),
        (_("Pipeline per opportunity"), amount(numbers["pipeline_per_opportunity"]), ""),
        (_("Reaching stage 2"), p(numbers["stage2_rate"]), _("demo or beyond")),
        (_("Won deals"), numbers["won_deals"], ""),
        (_("Won revenue"), amount(numbers["won_revenue"]), ""),
        (_("Average selling price"), amount(numbers["average_selling_price"]), ""),
        (_("Win rate"), p(numbers["win_rate"]), _("won / closed")),
        (_("SDR-sourced bookings"), amount(numbers["sdr_sourced_revenue"]), p(numbers["sdr_sourced_share"])),
    ]
    if not personal:
        tiles += [
            (_("SDR headcount"), numbers["sdr_headcount"], _("SDRs and BDRs")),
            (
                _("SDR : AE"),
                "—" if numbers["sdr_to_ae_ratio"] is None else f"{numbers['sdr_to_ae_ratio']:.1f} : 1",
                _("%(aes)s AEs") % {"aes": numbers["ae_headcount"]},
            ),
        ]
    return [{"label": label, "value": value, "hint": hint} for label, value, hint in tiles]


def _reps(scope) -> list[User]:
    if scope.team is None:
        return []
    roles = [*sorted(PROSPECTING_ROLES), Role.AE]
    return list(
        User.objects.filter(team=scope.team, is_active=True, role__in=roles).order_by(
            "first_name", "username"
        )
    )


def dashboard_context(request) -> dict:
    user = request.user
    params = request.GET
    manager_view = user.is_admin or user.is_manager
    scope = _scope(request, params)
    errors = {}
    try:
        period, period_name = period_from_params(params, scope.zone)
    except ValidationFailed as error:
        errors[error.field] = error.message
        fallback = _clean(params, {"from": 1, "to": 1, "period": 1}, ("from", "to", "period"))
        period, period_name = period_from_params(fallback, scope.zone)
    try:
        coverage_settings(params)
        coverage_params = params
    except ValidationFailed as error:
        errors[error.field] = error.message
        coverage_params = _clean(params, errors, ("touches", "within"))
    numbers = dashboard_numbers(scope=scope, period=period, params=coverage_params)
    funnel = numbers["funnel"]
    try:
        draft = backtest.draft_from_params(params)
    except ValidationFailed as error:
        errors[error.field] = error.message
        draft = None
    profile_values = draft or backtest.active_profile_values(scope)
    query = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    if scope.team is not None:
        query["team"] = scope.team.pk
    if scope.owner is not None and manager_view:
        query["owner"] = scope.owner.pk
    rejections = [
        (label, funnel["rejection_reasons"][value])
        for value, label in _reject_reason_choices()
        if funnel["rejection_reasons"][value]
    ]
    return {
        "scope": scope,
        "period": period,
        "period_name": period_name,
        "period_choices": PERIOD_CHOICES,
        "errors": errors,
        "manager_view": manager_view,
        "teams": Team.objects.order_by("name") if user.is_admin else [],
        "reps": _reps(scope) if manager_view else [],
        "numbers": numbers,
        "funnel": funnel,
        "headline": _headline(funnel, personal=scope.owner is not None),
        "funnel_chart": charts.funnel_chart(funnel),
        "trend_chart": charts.trend_chart(numbers["trends"]),
        "revenue_chart": charts.revenue_chart(numbers["trends"]),
        "rejections": charts.share_bars(rejections),
        "coverage": numbers["follow_up_coverage"],
        "coverage_defaults": COVERAGE_DEFAULTS,
        "backtest": backtest.icp_backtest(scope=scope, values=profile_values) if manager_view else None,
        "draft": draft,
        "backtest_weights": list(((profile_values or {}).get("weights") or DEFAULT_WEIGHTS).items()),
        "me": my_numbers(user=user) if not manager_view else None,
        "scheduler": scheduler_status(),
        "export_query": urlencode(query),
    }


def _reject_reason_choices():
    from handoffs.models import RejectReason

    return RejectReason.choices


@login_required
def dashboard_view(request):
    context = dashboard_context(request)
    partial = request.GET.get("part") if request.GET.get("part") in {"icp-backtest"} else "dashboard-body"
    return render_page(request, TEMPLATE, context, partial=partial)


@login_required
def my_numbers_view(request):
    """The caller's own numbers (the Today page loads it with hx-get, or includes the tag)."""
    return render_page(request, "metrics/partials/my-numbers.html", {"me": my_numbers(user=request.user)})
