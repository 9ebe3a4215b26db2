"""What a new lead gets from a valid row: its account domain, time zone, email kind, score, grade and stage.
Pure (no database): it runs in the reading thread, while the previous chunk is being written."""

from leads.imports.copy_writer import STAGED_FIELDS, copy_json, copy_line
from leads.imports.rows import ParsedRow
from leads.models import EmailKind, LeadStage
from leads.normalise import email_domain, email_kind_for, timezone_for_country
from leads.scoring import SCORED_FIELDS, Profile, score_lead

SCORE_CACHE_SIZE = 2000  # distinct (industry, size, country, title) scorings kept per run: memory stays flat
_NULLABLE = frozenset({"employee_count"})


class LeadPreparer:
    """Turns valid rows into new-lead fields, scored against the team's ICP profile (remembered per distinct
    scored values: lists repeat them a lot). `as_copy`: rendered as a line of COPY text instead of a dict,
    and, unless `keep_values` (update_existing compares them), the row's cells are let go: memory stays small."""

    def __init__(self, *, profile: Profile | None, threshold: int, as_copy: bool, keep_values: bool):
        self.profile = profile
        self.threshold = threshold
        self.as_copy = as_copy
        self.keep_values = keep_values
        self._scores: dict[tuple, tuple[int, str, list, str]] = {}

    def score(self, values: dict) -> tuple[int, str, list, str]:
        """(score, grade, explanation, explanation as COPY text)."""
        key = tuple(values.get(name) for name in SCORED_FIELDS)
        found = self._scores.get(key)
        if found is None:
            score, grade, explanation = score_lead(self.profile, **dict(zip(SCORED_FIELDS, key, strict=True)))
            found = (score, grade, explanation, copy_json(explanation) if self.as_copy else "")
            if len(self._scores) < SCORE_CACHE_SIZE:
                self._scores[key] = found
        return found

    def prepare(self, row: ParsedRow) -> ParsedRow:
        if row.errors:
            return row
        values = row.values
        email = values["email"]
        kind = email_kind_for(email)
        domain = values.get("company_domain") or (email_domain(email) if kind == EmailKind.CORPORATE else "")
        score, grade, explanation, explanation_text = self.score(values)
        is_mql = self.profile is not None and score >= self.threshold
        lead = {name: values.get(name, None if name in _NULLABLE else "") for name in STAGED_FIELDS}
        lead.update(
            company_domain=domain,
            timezone=values.get("timezone")
            or values.get("_zone")
            or timezone_for_country(values.get("country")),
            stage=LeadStage.MQL if is_mql else LeadStage.LEAD,
            score=score,
            grade=grade,
            score_explanation=explanation,
            email_kind=kind,
        )
        row.named_account = bool(lead["company"]) and not domain
        if self.as_copy:
            row.copy_line = copy_line(row.number, lead, explanation_text)
            if not self.keep_values:
                row.raw, row.values = [], {}
        else:
            row.lead = lead
        return row
