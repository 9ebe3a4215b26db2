"""The ICP fit score (API.md, "ICP profiles"): pure functions, no ORM.

score = round(sum of the weights of the matched criteria / sum of all weights × 100), half up;
grade A ≥ 80, B ≥ 60, C ≥ 40, else D. Matching is case-insensitive; a title matches if it
contains any keyword. Every score explains itself: one entry per criterion,
`{"criterion", "matched", "weight", "detail"}`.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

CRITERIA = ("industry", "employees", "country", "title")
DEFAULT_WEIGHTS = {"industry": 30, "employees": 25, "country": 20, "title": 25}
SCORED_FIELDS = ("industry", "employee_count", "country", "title")


@dataclass(frozen=True)
class Profile:
    """The parts of an IcpProfile the score reads, normalised once (lower-cased sets)."""

    industries: frozenset
    employee_min: int | None
    employee_max: int | None
    countries: frozenset
    title_keywords: tuple
    weights: Mapping[str, int]

    @classmethod
    def build(
        cls,
        *,
        industries: Iterable[str] = (),
        employee_min: int | None = None,
        employee_max: int | None = None,
        countries: Iterable[str] = (),
        title_keywords: Iterable[str] = (),
        weights: Mapping[str, int] | None = None,
    ) -> "Profile":
        weights = weights if weights is not None else DEFAULT_WEIGHTS
        return cls(
            industries=frozenset(i.strip().casefold() for i in industries if i and i.strip()),
            employee_min=employee_min,
            employee_max=employee_max,
            countries=frozenset(c.strip().casefold() for c in countries if c and c.strip()),
            title_keywords=tuple(k.strip().casefold() for k in title_keywords if k and k.strip()),
            weights={name: int(weights.get(name, 0) or 0) for name in CRITERIA},
        )

    @classmethod
    def from_model(cls, icp) -> "Profile":
        return cls.build(
            industries=icp.industries or (),
            employee_min=icp.employee_min,
            employee_max=icp.employee_max,
            countries=icp.countries or (),
            title_keywords=icp.title_keywords or (),
            weights=icp.weights or {},
        )


def grade_for(score: int) -> str:
    if score >= 80:
        return "A"
    if score >= 60:
        return "B"
    if score >= 40:
        return "C"
    return "D"


def _range_text(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"{low}–{high}"
    if low is not None:
        return f"≥ {low}"
    if high is not None:
        return f"≤ {high}"
    return "any size"


def explain(
    profile: Profile,
    *,
    industry: str = "",
    employee_count: int | None = None,
    country: str = "",
    title: str = "",
) -> list[dict]:
    """One entry per criterion: did the lead match it, what it weighs, and why."""
    weights = profile.weights
    industry_value = (industry or "").strip()
    industry_match = bool(industry_value) and industry_value.casefold() in profile.industries
    if not industry_value:
        industry_detail = "No industry on the lead."
    else:
        industry_detail = f"{industry_value} is {'' if industry_match else 'not '}a target industry."

    if employee_count is None:
        employees_match = False
        employees_detail = "Company size unknown."
    elif profile.employee_min is None and profile.employee_max is None:
        employees_match = False
        employees_detail = "The profile sets no company size."
    else:
        employees_match = (profile.employee_min is None or employee_count >= profile.employee_min) and (
            profile.employee_max is None or employee_count <= profile.employee_max
        )
        wanted = _range_text(profile.employee_min, profile.employee_max)
        employees_detail = (
            f"{employee_count} employees, {'inside' if employees_match else 'outside'} {wanted}."
        )

    country_value = (country or "").strip()
    country_match = bool(country_value) and country_value.casefold() in profile.countries
    if not country_value:
        country_detail = "No country on the lead."
    else:
        country_detail = f"{country_value.upper()} is {'' if country_match else 'not '}a target country."

    title_value = (title or "").strip()
    folded_title = title_value.casefold()
    keyword = next((k for k in profile.title_keywords if k in folded_title), None) if title_value else None
    if not title_value:
        title_detail = "No title on the lead."
    elif keyword:
        title_detail = f"“{title_value}” contains “{keyword}”."
    else:
        title_detail = f"“{title_value}” contains no target keyword."

    return [
        {
            "criterion": "industry",
            "matched": industry_match,
            "weight": weights["industry"],
            "detail": industry_detail,
        },
        {
            "criterion": "employees",
            "matched": employees_match,
            "weight": weights["employees"],
            "detail": employees_detail,
        },
        {
            "criterion": "country",
            "matched": country_match,
            "weight": weights["country"],
            "detail": country_detail,
        },
        {
            "criterion": "title",
            "matched": keyword is not None,
            "weight": weights["title"],
            "detail": title_detail,
        },
    ]


def explain_criterion(profile: Profile, field: str, value) -> dict:
    """The entry of `explain` for one of SCORED_FIELDS (in the same order as its criteria): each entry reads
    its own field only, so a caller may remember entries per distinct value and assemble explanations."""
    return explain(profile, **{field: value})[SCORED_FIELDS.index(field)]


def score_from_explanation(explanation: list[dict]) -> int:
    total = sum(max(entry["weight"], 0) for entry in explanation)
    if total <= 0:
        return 0
    matched = sum(max(entry["weight"], 0) for entry in explanation if entry["matched"])
    # Half up, in integers: round(100 · matched / total).
    return min(100, (200 * matched + total) // (2 * total))


def score_lead(profile: Profile | None, **fields) -> tuple[int, str, list[dict]]:
    """(score, grade, explanation) of one lead's scored fields; no profile → (0, "D", [])."""
    if profile is None:
        return 0, "D", []
    explanation = explain(profile, **{name: fields.get(name) for name in SCORED_FIELDS})
    score = score_from_explanation(explanation)
    return score, grade_for(score), explanation
