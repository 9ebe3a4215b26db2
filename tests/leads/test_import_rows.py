"""The import's reading thread: a row's cleaning, scoring and COPY line agree with the plain, slower forms."""

import itertools

import pytest

from leads.imports.copy_writer import STAGED_FIELDS, _copy_line_escaped, copy_json, copy_line
from leads.imports.prepare import LeadPreparer
from leads.imports.rows import CELL_CLEANERS, parse_row, row_parser
from leads.normalise import FieldError, clean_field
from leads.scoring import Profile, score_lead

PROFILE = Profile.build(
    industries=["Software", "Fintech"],
    employee_min=50,
    employee_max=500,
    countries=["EE", "DE"],
    title_keywords=["vp", "head", "directeur"],
)


def _lead(**fields) -> dict:
    lead = dict.fromkeys(STAGED_FIELDS, "")
    lead.update({"employee_count": None, "score": 0, "score_explanation": []})
    lead.update(fields)
    return lead


@pytest.mark.parametrize(
    "fields",
    [
        {"first_name": "Ann", "email": "ann@example.com", "employee_count": 120, "score": 80},
        {"first_name": "Jüri", "last_name": "Ülo-名", "company": 'Acme, "Inc."', "title": "VP 営業"},
        {"research_notes": "line one\nline two\r\n\ttabbed \\ back\\slash", "company": "A\tB"},
        {"last_name": "\\N", "title": "\\"},
        {"company": "Back\\slash only"},
    ],
)
def test_a_copy_line_escapes_exactly_as_cell_by_cell_escaping(fields):
    lead = _lead(**fields)
    explanation_text = copy_json([{"detail": '“VP” contains “vp”.\\ "x"'}])

    line = copy_line(7, lead, explanation_text)

    assert line == _copy_line_escaped(7, lead, explanation_text)
    assert line.count(b"\t") == len(STAGED_FIELDS)


@pytest.mark.parametrize("profile", [PROFILE, None])
def test_scores_assembled_per_criterion_are_what_score_lead_gives(profile):
    preparer = LeadPreparer(profile=profile, threshold=60, as_copy=True, keep_values=False)
    industries = ["Software", "software ", "Retail", "", None]
    sizes = [None, 10, 50, 500, 501]
    countries = ["EE", "de", "US", "", None]
    titles = ["VP Sales", "Directeur général", "Engineer", "", None, "Head “of” \\ Ops"]

    for industry, size, country, title in itertools.product(industries, sizes, countries, titles):
        values = {"industry": industry, "employee_count": size, "country": country, "title": title}
        score, grade, explanation = score_lead(profile, **values)

        assert preparer.score(values) == (score, grade, explanation, copy_json(explanation))


def test_parse_row_and_a_row_parser_clean_a_row_as_the_cell_cleaner_does():
    columns = [
        (0, "full_name"),
        (1, "email"),
        (2, "phone"),
        (3, "country"),
        (4, "title"),
        (5, "research_notes"),
    ]
    rows = [
        ["  Jüri   Ülo Tamm ", " Juri@Example.EE ", "5123 4567", "ee", "VP", " notes "],
        ["名 字", "bad at example.com", "+372 5123 4567", "XX", "t" * 201, ""],
        ["", "", "not a phone", "", "", ""],
        ["Ann"],
    ]

    for number, raw in enumerate(rows, start=1):
        values, errors = {}, []
        for index, target in columns:
            cell = raw[index].strip() if index < len(raw) else ""
            if cell:
                try:
                    if target in CELL_CLEANERS:
                        CELL_CLEANERS[target](cell, values)
                    else:
                        values[target] = clean_field(target, cell)
                except FieldError as error:
                    errors.append({"row": number, "field": error.field, "message": error.message})
        parsed = parse_row(number, raw, columns)

        assert row_parser(columns)(number, raw) == parsed
        assert {k: v for k, v in parsed.values.items() if k not in ("phone", "_zone")} == {
            k: v for k, v in values.items() if k != "phone"
        }
        assert parsed.errors[: len(errors)] == errors
