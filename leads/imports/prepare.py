"""What a new lead gets from a valid row: its account domain, time zone, email kind, score, grade and stage.
Pure (no database): it runs in the reading thread, while the previous chunk is being written."""

import json

from leads.imports.copy_writer import STAGED_FIELDS, copy_json, copy_line, copy_text
from leads.imports.rows import ParsedRow
from leads.models import EmailKind, LeadStage
from leads.normalise import email_domain, email_kind_for, timezone_for_country
from leads.scoring import SCORED_FIELDS, Profile, explain_criterion, grade_for, score_from_explanation

SCORE_CACHE_SIZE = 2000  # distinct (industry, size, country, title) scorings kept per run: memory stays flat
ENTRY_CACHE_SIZE = 2000  # distinct values per criterion whose explanation entry is kept per run, the same way
_NULLABLE = frozenset({"employee_count"})
_BLANK_LEAD = {name: None if name in _NULLABLE else "" for name in STAGED_FIELDS}


class LeadPreparer:
    """Turns valid rows into new-lead fields, scored against the team's ICP profile (remembered per distinct
    scored values: lists repeat them a lot; past SCORE_CACHE_SIZE, assembled from the entries remembered per
    criterion and value). `as_copy`: rendered as a line of COPY text instead of a dict, and, unless
    `keep_values` (update_existing compares them), the row's cells are let go: memory stays small."""

    def __init__(self, *, profile: Profile | None, threshold: int, as_copy: bool, keep_values: bool):
        self.profile = profile
        self.threshold = threshold
        self.as_copy = as_copy
        self.keep_values = keep_values
        self._scores: dict[tuple, tuple[int, str, list, str]] = {}
        self._entries: dict[str, dict[object, tuple[dict, str]]] = {name: {} for name in SCORED_FIELDS}
        self._by_matches: dict[tuple, tuple[int, str]] = {}  # (matched, …) per criterion → (score, grade)

    def score(self, values: dict) -> tuple[int, str, list, str]:
        """(score, grade, explanation, explanation as COPY text)."""
        key = tuple(map(values.get, SCORED_FIELDS))
        found = self._scores.get(key)
        if found is None:
            found = self._score(key)
            if len(self._scores) < SCORE_CACHE_SIZE:
                self._scores[key] = found
        return found

    def _score(self, key: tuple) -> tuple[int, str, list, str]:
        """What `score_lead` gives, from one remembered `explain_criterion` entry per scored field (and the
        explanation's COPY text as the entries' JSON, joined as json.dumps joins a list: the joints need no
        escaping, so each entry is escaped once)."""
        if self.profile is None:
            return 0, "D", [], copy_json([]) if self.as_copy else ""
        explanation, texts = [], []
        for name, value in zip(SCORED_FIELDS, key, strict=True):
            entries = self._entries[name]
            part = entries.get(value)
            if part is None:
                entry = explain_criterion(self.profile, name, value)
                part = (entry, copy_text(json.dumps(entry, ensure_ascii=False)) if self.as_copy else "")
                if len(entries) < ENTRY_CACHE_SIZE:
                    entries[value] = part
            explanation.append(part[0])
            texts.append(part[1])
        matches = tuple([entry["matched"] for entry in explanation])
        graded = self._by_matches.get(matches)
        if graded is None:
            score = score_from_explanation(explanation)
            graded = self._by_matches[matches] = (score, grade_for(score))
        return *graded, explanation, ("[" + ", ".join(texts) + "]" if self.as_copy else "")

    def prepare(self, row: ParsedRow) -> ParsedRow:
        if row.errors:
            return row
        values = row.values
        email = values["email"]
        kind = email_kind_for(email)
        domain = values.get("company_domain") or (email_domain(email) if kind == EmailKind.CORPORATE else "")
        score, grade, explanation, explanation_text = self.score(values)
        lead = _BLANK_LEAD | values
        zone = lead.pop("_zone", None)  # the phone number's
        if len(lead) != len(_BLANK_LEAD):  # values held something else that is not a lead field
            lead = {name: lead[name] for name in STAGED_FIELDS}
        lead["company_domain"] = domain
        lead["timezone"] = values.get("timezone") or zone or timezone_for_country(values.get("country"))
        lead["stage"] = (
            LeadStage.MQL if self.profile is not None and score >= self.threshold else LeadStage.LEAD
        )
        lead["score"] = score
        lead["grade"] = grade
        lead["score_explanation"] = explanation
        lead["email_kind"] = kind
        row.named_account = bool(lead["company"]) and not domain
        if self.as_copy:
            row.copy_line = copy_line(row.number, lead, explanation_text)
            if not self.keep_values:
                row.raw, row.values = [], {}
        else:
            row.lead = lead
        return row
