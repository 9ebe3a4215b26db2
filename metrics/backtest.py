"""The ICP back-test: grade the team's closed opportunities with the current or a draft ICP profile
(leads.scoring, the same pure function that scores leads) and see whether the grades separated won
from lost — before the manager saves the profile. Reads only; nothing is written."""

from django.utils.translation import gettext as _

from handoffs.models import Opportunity, OpportunityStage
from leads.models import IcpProfile
from leads.scoring import CRITERIA, DEFAULT_WEIGHTS, Profile, score_lead
from metrics.scope import Scope
from metrics.selectors import rate
from sdrcrm.core.errors import ValidationFailed

GRADES = ("A", "B", "C", "D")
LIMIT = 5000  # the latest closed deals; enough to judge a profile, bounded in memory


def _words(raw: str) -> list[str]:
    return [part.strip() for part in (raw or "").replace(";", ",").split(",") if part.strip()]


def _number(params, name: str) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationFailed(_("Enter a whole number."), field=name)
    return int(raw)


DRAFT_FIELDS = (
    "industries",
    "countries",
    "title_keywords",
    "employee_min",
    "employee_max",
    *tuple(f"weight_{name}" for name in CRITERIA),
)


def draft_from_params(params) -> dict | None:
    """The draft profile typed on the page (None when nothing was typed)."""
    if not any((params.get(name) or "").strip() for name in DRAFT_FIELDS):
        return None
    weights = {}
    for name in CRITERIA:
        value = _number(params, f"weight_{name}")
        weights[name] = DEFAULT_WEIGHTS[name] if value is None else value
    return {
        "industries": _words(params.get("industries", "")),
        "countries": [code.upper() for code in _words(params.get("countries", ""))],
        "title_keywords": _words(params.get("title_keywords", "")),
        "employee_min": _number(params, "employee_min"),
        "employee_max": _number(params, "employee_max"),
        "weights": weights,
    }


def active_profile_values(scope: Scope) -> dict | None:
    if scope.team is None:
        return None
    icp = IcpProfile.objects.filter(team_id=scope.team_id, is_active=True).first()
    if icp is None:
        return None
    return {
        "name": icp.name,
        "industries": list(icp.industries or ()),
        "countries": list(icp.countries or ()),
        "title_keywords": list(icp.title_keywords or ()),
        "employee_min": icp.employee_min,
        "employee_max": icp.employee_max,
        "weights": {name: (icp.weights or {}).get(name, DEFAULT_WEIGHTS[name]) for name in CRITERIA},
    }


def icp_backtest(*, scope: Scope, values: dict | None) -> dict:
    """Per grade the profile gives: won and lost deals and the win rate; the same for the grade the
    leads carry today. `separation` = win rate of A+B minus that of C+D (None when one side is empty)."""
    result = {"profile": values, "grades": [], "stored": [], "unscored": 0, "closed": 0, "separation": None}
    if values is None or scope.team is None:
        return result
    profile = Profile.build(
        industries=values["industries"],
        employee_min=values["employee_min"],
        employee_max=values["employee_max"],
        countries=values["countries"],
        title_keywords=values["title_keywords"],
        weights=values["weights"],
    )
    deals = (
        Opportunity.objects.filter(
            team_id=scope.team_id, stage__in=[OpportunityStage.WON, OpportunityStage.LOST]
        )
        .order_by("-closed_at", "-pk")
        .values_list(
            "stage",
            "lead_id",
            "lead__industry",
            "lead__employee_count",
            "lead__country",
            "lead__title",
            "lead__grade",
        )[:LIMIT]
    )
    tally = {grade: [0, 0] for grade in GRADES}
    stored = {grade: [0, 0] for grade in GRADES}
    for stage, lead_id, industry, employees, country, title, grade_now in deals:
        result["closed"] += 1
        if lead_id is None:
            result["unscored"] += 1
            continue
        _score, grade, _why = score_lead(
            profile, industry=industry, employee_count=employees, country=country, title=title
        )
        column = 0 if stage == OpportunityStage.WON else 1
        tally[grade][column] += 1
        if grade_now in stored:
            stored[grade_now][column] += 1

    def rows(table):
        return [
            {"grade": grade, "won": won, "lost": lost, "win_rate": rate(won, won + lost)}
            for grade, (won, lost) in table.items()
        ]

    result["grades"] = rows(tally)
    result["stored"] = rows(stored)
    high_won = tally["A"][0] + tally["B"][0]
    high = high_won + tally["A"][1] + tally["B"][1]
    low_won = tally["C"][0] + tally["D"][0]
    low = low_won + tally["C"][1] + tally["D"][1]
    if high and low:
        result["separation"] = high_won / high - low_won / low
    return result
