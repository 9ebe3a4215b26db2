"""A 5,000-row file with bad rows, in-file duplicates and leads the team already has, imported in several
chunks: the report and the leads are exactly what the rows say, on SQLite and on PostgreSQL alike (the two
write differently: bulk_create there, COPY and a set-wise merge here)."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from leads import imports
from leads.models import Company, ImportBatch, ImportRow, Lead
from leads.scoring import Profile, score_lead
from tests.leads.factories import IcpProfileFactory, LeadFactory

pytestmark = pytest.mark.django_db

ROWS = 5000
HEADER = ["First Name", "Last Name", "Email", "Company", "Title", "Country", "Industry", "Employees", "Phone"]
COUNTRIES = ["EE", "LV", "DE", "KR", "US"]
INDUSTRIES = ["Software", "Fintech", "Retail"]
TITLES = ["Head of Sales", "VP Marketing", "Engineer", "CRO"]
ALREADY_THERE = range(101, 141)  # rows whose email the team already has


def email_of(i: int) -> str:
    if i % 10 == 0:
        return f"p{i}@gmail.com"  # free mail: the account is found by company name
    return f"p{i}@acct{i % 300}.example"


def row_of(i: int) -> list[str]:
    email = email_of(1) if i % 53 == 0 else email_of(i)  # an in-file duplicate of row 1
    country = COUNTRIES[i % len(COUNTRIES)]
    if i % 97 == 0:
        email = f"p{i} at nowhere"
    if i % 89 == 0:
        country = "XX"
    company = f"Named {i % 20}" if i % 10 == 0 else f"Acct {i % 300}"
    return [
        f"First{i}", f"Last{i}", email, company, TITLES[i % len(TITLES)], country,
        INDUSTRIES[i % len(INDUSTRIES)], str(40 + (i % 7) * 30), "",
    ]  # fmt: skip


def expected_report() -> dict:
    """What each row should come to, worked out from the rows alone."""
    seen = {email_of(i) for i in ALREADY_THERE}
    report = {"created": set(), "duplicates": 0, "failed": set()}
    for i in range(1, ROWS + 1):
        row = row_of(i)
        email = row[2]
        if "@" not in email or row[5] == "XX":
            report["failed"].add(i)
        elif email in seen:
            report["duplicates"] += 1
        else:
            report["created"].add(email)
            seen.add(email)
    return report


def make_file() -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(row_of(i) for i in range(1, ROWS + 1))
    return text.getvalue().encode()


def run(actors, **options) -> ImportBatch:
    batch = imports.import_batch_create(
        team=actors.team, by=actors.sdr, upload=SimpleUploadedFile("big.csv", make_file()), **options
    )
    return imports.import_batch_run(batch_id=batch.pk)


@pytest.fixture
def prepared(actors, monkeypatch):
    monkeypatch.setattr(imports.run, "CHUNK", 700)  # duplicates fall across chunk boundaries
    icp = IcpProfileFactory(team=actors.team)
    for i in ALREADY_THERE:
        LeadFactory(team=actors.team, owner=actors.sdr, email=email_of(i))
    return Profile.from_model(icp)


def test_a_big_file_gives_exactly_the_report_its_rows_say(actors, prepared):
    expected = expected_report()
    batch = run(actors)
    assert (batch.status, batch.processed_rows, batch.total_rows) == ("done", ROWS, ROWS)
    assert (batch.created, batch.duplicates, batch.failed) == (
        len(expected["created"]),
        expected["duplicates"],
        len(expected["failed"]),
    )
    assert (
        set(ImportRow.objects.filter(batch=batch, action="error").values_list("row_number", flat=True))
        == (expected["failed"])
    )
    created = Lead.objects.filter(import_batch=batch)
    assert set(created.values_list("email", flat=True)) == expected["created"]
    assert set(created.values_list("source", "status", "owner_id")) == {("list", "new", actors.sdr.pk)}


def test_a_big_file_links_accounts_scores_and_makes_mqls_row_by_row(actors, prepared):
    batch = run(actors)
    threshold = actors.team.mql_threshold
    leads = Lead.objects.filter(import_batch=batch).select_related("account")
    for lead in leads:
        score, grade, explanation = score_lead(
            prepared, industry=lead.industry, employee_count=lead.employee_count, country=lead.country,
            title=lead.title,
        )  # fmt: skip
        assert (lead.score, lead.grade, lead.score_explanation) == (score, grade, explanation), lead.email
        assert (lead.stage == "mql") == (score >= threshold) == (lead.mql_at is not None), lead.email
        if lead.email.endswith("@gmail.com"):
            assert (lead.email_kind, lead.company_domain, lead.account.domain) == ("free", "", "")
            assert lead.account.name == lead.company
        else:
            assert lead.account.domain == lead.company_domain == lead.email.rpartition("@")[2]
    assert leads.filter(country="EE").exclude(timezone="Europe/Tallinn").count() == 0
    accounts = Company.objects.filter(team=actors.team)
    domains = set(leads.exclude(company_domain="").values_list("company_domain", flat=True))
    names = set(leads.filter(company_domain="").values_list("company", flat=True))
    assert accounts.filter(domain__in=domains).count() == len(domains)
    assert accounts.filter(domain="", name__in=names).count() == len(names)


def test_a_dry_run_of_a_big_file_reports_what_the_run_then_does(actors, prepared):
    dry = run(actors, dry_run=True)
    assert Lead.objects.filter(import_batch=dry).count() == 0
    real = run(actors)
    assert (dry.created, dry.duplicates, dry.failed) == (real.created, real.duplicates, real.failed)
    again = run(actors)
    assert (again.created, again.duplicates, again.failed) == (0, real.created + real.duplicates, real.failed)
