"""The metrics REST endpoints (API.md, "Metrics"): thin over metrics.selectors and metrics.scope."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from metrics import exports, selectors
from metrics.dashboard import dashboard_numbers
from metrics.periods import period_from_params
from metrics.scope import scope_for_user
from sdrcrm.core.api import JsonErrorsMixin
from sdrcrm.core.errors import ValidationFailed

PERIOD_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day, in the team's days (YYYY-MM-DD)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day, inclusive."),
    OpenApiParameter(
        "period", str, enum=["week", "month", "quarter", "last_month", "last_quarter", "custom"]
    ),
    OpenApiParameter("team", int, description="Admins: any team; others: their own (another → 404)."),
]
OWNER_PARAMETER = OpenApiParameter(
    "owner", int, description="One rep of the team (managers, admins). SDRs, BDRs and AEs: always themselves."
)


class CsvRenderer(BaseRenderer):
    """Lets a client ask for `Accept: text/csv`; the export views answer with their own streamed CSV."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


def _scope_and_period(request, *, with_owner=True):
    params = request.query_params
    scope = scope_for_user(
        user=request.user, team_id=params.get("team"), owner_id=params.get("owner") if with_owner else None
    )
    period, _name = period_from_params(params, scope.zone)
    return scope, period


def _listing(rows, **extra) -> dict:
    return {"count": len(rows), "next": None, "previous": None, **extra, "results": rows}


def _cadence(request, scope):
    raw = (request.query_params.get("cadence") or "").strip()
    if not raw:
        raise ValidationFailed("This field is required.", field="cadence")
    if not raw.isdigit():
        raise ValidationFailed("Enter a whole number.", field="cadence")
    return selectors.cadence_for_scope(scope=scope, cadence_id=int(raw))


def _steps_period(request, scope):
    params = request.query_params
    if params.get("from") or params.get("to") or params.get("period"):
        return period_from_params(params, scope.zone)[0]
    return None  # all time


class FunnelApi(APIView):
    """The funnel for a period: every key of API.md, rates in [0, 1] or null, money as strings."""

    @extend_schema(parameters=[*PERIOD_PARAMETERS, OWNER_PARAMETER], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        scope, period = _scope_and_period(request)
        return Response(selectors.funnel(scope=scope, period=period))


class LeaderboardApi(APIView):
    """A row per active SDR/BDR of the team (an SDR gets their own row; an AE none)."""

    @extend_schema(parameters=[*PERIOD_PARAMETERS, OWNER_PARAMETER], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        scope, period = _scope_and_period(request)
        rows = selectors.leaderboard(scope=scope, period=period)
        return Response(_listing(rows, **{"from": period.start.isoformat(), "to": period.end.isoformat()}))


class StepsApi(APIView):
    """Per step of a cadence: done touches (`sent`), `replies`, `reply_rate`, and per variant."""

    @extend_schema(
        parameters=[OpenApiParameter("cadence", int, required=True), *PERIOD_PARAMETERS, OWNER_PARAMETER],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        params = request.query_params
        scope = scope_for_user(user=request.user, team_id=params.get("team"), owner_id=params.get("owner"))
        cadence = _cadence(request, scope)
        period = _steps_period(request, scope)
        rows = selectors.cadence_steps(scope=scope, cadence=cadence, period=period)
        return Response(_listing(rows, cadence=cadence.pk))


class DashboardApi(APIView):
    """Everything the dashboard shows, as JSON: funnel, weekly trends, leaderboard, step reply rates,
    handoff decisions per AE, the ICP fit of decided handoffs, open SLA breaches, follow-up coverage."""

    @extend_schema(parameters=[*PERIOD_PARAMETERS, OWNER_PARAMETER], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        scope, period = _scope_and_period(request)
        return Response(dashboard_numbers(scope=scope, period=period, params=request.query_params))


class ExportApi(JsonErrorsMixin, APIView):
    """One table as a formula-safe CSV download; a refusal answers as JSON."""

    renderer_classes = [JSONRenderer, CsvRenderer]
    table = ""

    @extend_schema(
        parameters=[*PERIOD_PARAMETERS, OWNER_PARAMETER], responses={(200, "text/csv"): OpenApiTypes.STR}
    )
    def get(self, request):
        params = request.query_params
        scope = scope_for_user(user=request.user, team_id=params.get("team"), owner_id=params.get("owner"))
        if self.table == "steps":
            cadence = _cadence(request, scope) if params.get("cadence") else None
            return exports.steps_csv(scope=scope, cadence=cadence, period=_steps_period(request, scope))
        period, _name = period_from_params(params, scope.zone)
        return exports.table_csv(self.table, scope=scope, period=period, params=params)
