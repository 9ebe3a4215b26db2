"""The dashboard's numbers in one place: what the page draws and what /api/metrics/dashboard/ returns."""

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from metrics import selectors
from metrics.periods import Period
from metrics.scope import Scope
from sdrcrm.core.errors import ValidationFailed

COVERAGE_DEFAULTS = {"touches": 3, "within": 7}
COVERAGE_LIMITS = {"touches": (1, 30), "within": (1, 90)}


def coverage_settings(params) -> dict:
    """N (touches) and X (days) of the follow-up coverage table, from the page or the API (bounded)."""
    chosen = {}
    for name, default in COVERAGE_DEFAULTS.items():
        raw = (params.get(name) or "").strip() if params is not None else ""
        if not raw:
            chosen[name] = default
            continue
        low, high = COVERAGE_LIMITS[name]
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise ValidationFailed(
                _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}, field=name
            )
        chosen[name] = int(raw)
    return chosen


def dashboard_numbers(*, scope: Scope, period: Period, params=None) -> dict:
    """Every aggregate of the dashboard. Shared for DASHBOARD_CACHE_SECONDS by everyone asking for the
    same scope, period and coverage: several managers refreshing the page cost the database once."""
    coverage = coverage_settings(params)
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        return _compute(scope, period, coverage)
    key = "dashboard:" + ":".join(
        str(part)
        for part in (scope.team_id, scope.owner.pk if scope.owner else None, scope.zone.key, period.start,
                     period.end, coverage["touches"], coverage["within"], get_language())
    )  # fmt: skip
    numbers = cache.get(key)
    if numbers is None:
        numbers = _compute(scope, period, coverage)
        cache.set(key, numbers, seconds)
    return numbers


def _compute(scope: Scope, period: Period, coverage: dict) -> dict:
    return {
        "funnel": selectors.funnel(scope=scope, period=period),
        "trends": selectors.weekly_trends(scope=scope, period=period),
        "leaderboard": selectors.leaderboard(scope=scope, period=period),
        "steps": selectors.cadence_steps(scope=scope, period=period),
        "ae_decisions": selectors.ae_decisions(scope=scope, period=period),
        "icp_fit": selectors.icp_fit_of_decisions(scope=scope, period=period),
        "sla_breaches": selectors.open_sla_breaches(scope=scope),
        "follow_up_coverage": {
            **coverage,
            "weeks": selectors.follow_up_coverage(
                scope=scope, period=period, touches=coverage["touches"], within_days=coverage["within"]
            ),
        },
    }
