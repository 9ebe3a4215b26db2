import pytest

from leads.scoring import Profile, grade_for, score_from_explanation, score_lead

PROFILE = Profile.build(
    industries=["Software", "Fintech"],
    employee_min=50,
    employee_max=500,
    countries=["EE", "KR"],
    title_keywords=["Head of Sales", "VP"],
    weights={"industry": 30, "employees": 25, "country": 20, "title": 25},
)


def test_a_lead_matching_every_criterion_scores_100_and_grade_a():
    score, grade, explanation = score_lead(
        PROFILE, industry="software", employee_count=120, country="ee", title="Global HEAD OF SALES"
    )
    assert (score, grade) == (100, "A")
    assert [e["criterion"] for e in explanation] == ["industry", "employees", "country", "title"]
    assert all(e["matched"] for e in explanation)
    assert set(explanation[0]) == {"criterion", "matched", "weight", "detail"}


def test_score_is_matched_weight_over_total_weight_rounded():
    score, grade, explanation = score_lead(
        PROFILE, industry="Retail", employee_count=120, country="EE", title="CEO"
    )
    assert score == 45 and grade == "C"
    assert [e["matched"] for e in explanation] == [False, True, True, False]


def test_rounding_is_half_up():
    explanation = [
        {"criterion": "industry", "matched": True, "weight": 1, "detail": ""},
        {"criterion": "employees", "matched": False, "weight": 7, "detail": ""},
        {"criterion": "country", "matched": False, "weight": 0, "detail": ""},
        {"criterion": "title", "matched": False, "weight": 0, "detail": ""},
    ]
    assert score_from_explanation(explanation) == 13  # 12.5 → 13
    explanation[0]["weight"] = 2
    explanation[1]["weight"] = 1
    assert score_from_explanation(explanation) == 67  # 66.67


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100, "A"), (80, "A"), (79, "B"), (60, "B"), (59, "C"), (40, "C"), (39, "D"), (0, "D")],
)
def test_grade_boundaries(score, grade):
    assert grade_for(score) == grade


def test_employee_bounds_are_inclusive_and_unknown_size_does_not_match():
    assert score_lead(PROFILE, employee_count=50)[2][1]["matched"] is True
    assert score_lead(PROFILE, employee_count=500)[2][1]["matched"] is True
    assert score_lead(PROFILE, employee_count=501)[2][1]["matched"] is False
    assert score_lead(PROFILE, employee_count=None)[2][1]["matched"] is False


def test_open_ended_size_range():
    profile = Profile.build(employee_min=200, weights={"employees": 10})
    assert score_lead(profile, employee_count=10_000)[0] == 100
    assert score_lead(profile, employee_count=199)[0] == 0


def test_no_profile_scores_zero_with_no_explanation():
    assert score_lead(None, industry="Software") == (0, "D", [])


def test_all_zero_weights_score_zero():
    profile = Profile.build(industries=["Software"], weights={"industry": 0})
    assert score_lead(profile, industry="Software")[0] == 0


def test_unicode_titles_match_case_insensitively():
    profile = Profile.build(title_keywords=["Руководитель"], weights={"title": 10})
    score, _grade, explanation = score_lead(profile, title="руководитель отдела продаж")
    assert score == 100 and "руководитель" in explanation[3]["detail"]
