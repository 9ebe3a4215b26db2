import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from leads import imports, services
from leads.models import Activity, Company, ImportBatch, ImportRow, Lead
from sdrcrm.core.csv_export import neutralise
from sdrcrm.core.errors import NotAllowed, ValidationFailed
from tests.leads.factories import IcpProfileFactory, LeadFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "First Name",
    "Last Name",
    "E-mail",
    "Company",
    "Job Title",
    "Country",
    "Phone",
    "Industry",
    "Employees",
]
ROWS = [
    [
        "Kadri",
        "Tamm",
        "kadri@nordlys.ee",
        "Nordlys OÜ",
        "Head of Sales",
        "EE",
        "5123 4567",
        "Software",
        "120",
    ],
    ["Анна", "Смирнова", "anna@example.ru", "Пример", "Директор", "RU", "", "Retail", "1,200"],
    ["伟", "王", "wei@gmail.com", "", "", "CN", "", "", ""],
    ["민준", "김", "minjun@hanbit.kr", "한빛", "CEO", "KR", "010-1234-5678", "Fintech", "51-200"],
]


def make_csv(rows=ROWS, header=HEADER, delimiter=",", encoding="utf-8"):
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode(encoding)


def run_import(actors, content, *, by=None, name="list.csv", **options):
    batch = imports.import_batch_create(
        team=actors.team, by=by or actors.sdr, upload=SimpleUploadedFile(name, content), **options
    )
    return imports.import_batch_run(batch_id=batch.pk)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_reads_unicode_encodings_and_delimiters(actors, encoding, delimiter):
    batch = run_import(actors, make_csv(delimiter=delimiter, encoding=encoding))
    assert (batch.status, batch.created, batch.failed, batch.duplicates) == ("done", 4, 0, 0)
    assert batch.delimiter == delimiter
    assert set(Lead.objects.values_list("first_name", flat=True)) == {"Kadri", "Анна", "伟", "민준"}


def test_reads_windows_1252(actors):
    rows = [
        ["Jürgen", "Müller", "juergen@müller.example", "Müller & Söhne", "Geschäftsführer", "DE", "", "", ""]
    ]
    rows[0][2] = "juergen@mueller.de"
    batch = run_import(actors, make_csv(rows=rows, delimiter=";", encoding="cp1252"))
    assert batch.encoding == "cp1252" and batch.created == 1
    lead = Lead.objects.get()
    assert (lead.first_name, lead.company, lead.title) == ("Jürgen", "Müller & Söhne", "Geschäftsführer")


def test_cleans_fields_like_the_api(actors):
    run_import(actors, make_csv())
    kadri = Lead.objects.get(email="kadri@nordlys.ee")
    assert (kadri.phone, kadri.timezone, kadri.employee_count, kadri.email_kind) == (
        "+37251234567",
        "Europe/Tallinn",
        120,
        "corporate",
    )
    assert Lead.objects.get(email="wei@gmail.com").email_kind == "free"
    assert Lead.objects.get(email="minjun@hanbit.kr").employee_count == 51
    assert Lead.objects.get(email="anna@example.ru").employee_count == 1200
    assert all(
        lead.source == "list" and lead.import_batch_id and lead.owner_id == actors.sdr.pk
        for lead in Lead.objects.all()
    )
    assert Company.objects.filter(domain="nordlys.ee", name="Nordlys OÜ").exists()


def test_scores_and_makes_mqls_on_import(actors):
    IcpProfileFactory(team=actors.team)
    run_import(actors, make_csv())
    kadri = Lead.objects.get(email="kadri@nordlys.ee")
    assert (kadri.score, kadri.grade, kadri.stage) == (100, "A", "mql") and kadri.mql_at


def test_bad_rows_are_reported_per_row_and_good_rows_still_import(actors):
    rows = [
        *ROWS,
        ["Bad", "Email", "not-an-email", "X", "", "ZZ", "", "", "lots"],
        ["No", "Mail", "", "Y", "", "", "", "", ""],
    ]
    batch = run_import(actors, make_csv(rows=rows))
    assert (batch.created, batch.failed, batch.processed_rows, batch.total_rows) == (4, 2, 6, 6)
    errors = list(ImportRow.objects.filter(batch=batch, action="error").values_list("row_number", "errors"))
    assert errors[0][0] == 5
    assert {e["field"] for e in errors[0][1]} == {"email", "country", "employee_count"}
    assert errors[1] == (
        6,
        [{"row": 6, "field": "email", "message": "An email is required to import a lead."}],
    )


def test_importing_the_same_file_twice_creates_nothing_the_second_time(actors):
    run_import(actors, make_csv())
    again = run_import(actors, make_csv())
    assert (again.created, again.duplicates, again.updated) == (0, 4, 0)
    assert Lead.objects.count() == 4


def test_duplicates_inside_one_file_count_as_duplicates(actors):
    rows = [*ROWS, ["Kadri", "Again", "KADRI@nordlys.ee", "", "", "", "", "", ""]]
    batch = run_import(actors, make_csv(rows=rows))
    assert (batch.created, batch.duplicates) == (4, 1)


def test_explicit_mapping(actors):
    content = make_csv(header=["Who", "Addr", "Org"], rows=[["Mari Tamm", "mari@x.ee", "X"]])
    batch = run_import(actors, content, mapping={"Who": "full_name", "Addr": "email", "Org": "company"})
    lead = Lead.objects.get(import_batch=batch)
    assert (lead.first_name, lead.last_name, lead.email, lead.company) == ("Mari", "Tamm", "mari@x.ee", "X")


@pytest.mark.parametrize(
    "mapping",
    [{"Nope": "email"}, {"Addr": "password"}, {"Who": "email", "Addr": "email"}, {"Who": "first_name"}],
)
def test_bad_mappings_are_refused_before_anything_runs(actors, mapping):
    content = make_csv(header=["Who", "Addr"], rows=[["Mari", "mari@x.ee"]])
    with pytest.raises(ValidationFailed) as error:
        imports.import_batch_create(
            team=actors.team, by=actors.sdr, upload=SimpleUploadedFile("a.csv", content), mapping=mapping
        )
    assert error.value.field == "mapping"
    assert not ImportBatch.objects.exists()


def test_headers_map_themselves():
    assert imports.auto_mapping(["First Name", "E-mail", "Company", "Job title", "Phone Number", "Website", "Имя"]) == {
        "First Name": "first_name", "E-mail": "email", "Company": "company", "Job title": "title",
        "Phone Number": "phone", "Website": "company_domain",
    }  # fmt: skip


def test_dry_run_writes_no_lead_and_reports_each_row(actors):
    LeadFactory(team=actors.team, email="kadri@nordlys.ee", title="")
    LeadFactory(team=actors.team, email="anna@example.ru", title="Директор", company="Пример", country="RU",
                industry="Retail", employee_count=1200, first_name="Анна", last_name="Смирнова")  # fmt: skip
    rows = [*ROWS, ["x", "y", "broken", "", "", "", "", "", ""]]
    batch = run_import(actors, make_csv(rows=rows), dry_run=True, update_existing=True)
    assert Lead.objects.count() == 2
    actions = list(ImportRow.objects.filter(batch=batch).values_list("row_number", "action"))
    assert actions == [(1, "update"), (2, "duplicate"), (3, "create"), (4, "create"), (5, "error")]
    assert (batch.created, batch.updated, batch.duplicates, batch.failed) == (2, 1, 1, 1)


def test_update_existing_fills_and_changes_but_blank_cells_never_erase(actors):
    lead = LeadFactory(
        team=actors.team, email="kadri@nordlys.ee", title="SDR", phone="+3725550000", industry="Software"
    )
    content = make_csv(
        header=["Email", "Title", "Phone", "Industry"], rows=[["kadri@nordlys.ee", "CRO", "", ""]]
    )
    batch = run_import(actors, content, update_existing=True)
    lead.refresh_from_db()
    assert (batch.updated, lead.title, lead.phone, lead.industry) == (1, "CRO", "+3725550000", "Software")
    assert lead.import_batch_id is None  # it keeps the batch that made it
    row = ImportRow.objects.get(batch=batch, action="update")
    assert (row.previous, row.changes) == ({"title": "SDR"}, {"title": "CRO"})
    assert Activity.objects.filter(lead=lead, data__event="imported").count() == 1


def test_without_update_existing_matching_rows_are_duplicates(actors):
    lead = LeadFactory(team=actors.team, email="kadri@nordlys.ee", title="SDR")
    batch = run_import(actors, make_csv(header=["Email", "Title"], rows=[["kadri@nordlys.ee", "CRO"]]))
    lead.refresh_from_db()
    assert (batch.duplicates, lead.title) == (1, "SDR")


def test_revert_deletes_untouched_created_leads_keeps_worked_ones_and_restores_updates(actors):
    existing = LeadFactory(team=actors.team, email="kadri@nordlys.ee", title="SDR")
    batch = run_import(actors, make_csv(), update_existing=True)
    assert (batch.created, batch.updated) == (3, 1)
    worked = Lead.objects.get(email="wei@gmail.com")
    services.activity_log(lead=worked, by=actors.sdr, kind="call", outcome="connected")
    report = imports.import_batch_revert(batch=batch, by=actors.sdr)
    assert report["deleted"] == 2 and report["restored"] == 1
    assert report["not_reverted"] == [
        {"lead": worked.pk, "email": "wei@gmail.com", "reason": "worked since the import"}
    ]
    existing.refresh_from_db()
    assert existing.title == "SDR"
    assert set(Lead.objects.values_list("email", flat=True)) == {"kadri@nordlys.ee", "wei@gmail.com"}
    batch.refresh_from_db()
    assert batch.status == "reverted"


def test_revert_leaves_a_field_someone_changed_since(actors):
    existing = LeadFactory(team=actors.team, email="kadri@nordlys.ee", title="SDR")
    batch = run_import(
        actors, make_csv(header=["Email", "Title"], rows=[["kadri@nordlys.ee", "CRO"]]), update_existing=True
    )
    services.lead_update(lead=Lead.objects.get(pk=existing.pk), by=actors.manager, values={"title": "CEO"})
    report = imports.import_batch_revert(batch=batch, by=actors.manager)
    assert report["restored"] == 0 and report["not_reverted"][0]["reason"] == "changed since: title"
    existing.refresh_from_db()
    assert existing.title == "CEO"


def test_revert_is_refused_for_dry_runs_twice_and_for_others(actors):
    dry = run_import(actors, make_csv(), dry_run=True)
    with pytest.raises(ValidationFailed):
        imports.import_batch_revert(batch=dry, by=actors.sdr)
    batch = run_import(actors, make_csv(rows=ROWS[:1]), by=actors.manager)
    with pytest.raises(NotAllowed):
        imports.import_batch_revert(batch=batch, by=actors.sdr)
    imports.import_batch_revert(batch=batch, by=actors.manager)
    from sdrcrm.core.errors import Conflict

    with pytest.raises(Conflict):
        imports.import_batch_revert(batch=batch, by=actors.manager)


def test_running_twice_has_one_effect(actors):
    batch = run_import(actors, make_csv())
    again = imports.import_batch_run(batch_id=batch.pk)
    assert (again.created, again.duplicates) == (4, 0)
    assert Lead.objects.count() == 4


def test_a_run_left_half_done_by_a_crashed_worker_resumes_with_the_right_counts(actors):
    batch = run_import(actors, make_csv())
    ImportBatch.objects.filter(pk=batch.pk).update(
        status="running", created=2, processed_rows=2, finished_at=None
    )
    again = imports.import_batch_run(batch_id=batch.pk)
    assert (again.status, again.created, again.duplicates, again.processed_rows) == ("done", 4, 0, 4)


def test_progress_is_committed_chunk_by_chunk(actors, monkeypatch):
    monkeypatch.setattr(imports.run, "CHUNK", 2)
    seen = []
    original = imports._Run.process

    def spy(self, chunk):
        original(self, chunk)
        seen.append(ImportBatch.objects.get(pk=self.batch.pk).processed_rows)

    monkeypatch.setattr(imports._Run, "process", spy)
    run_import(actors, make_csv())
    assert seen == [2, 4]


def test_a_file_over_the_limit_is_refused(actors, settings):
    settings.LEADS_IMPORT_MAX_BYTES = 100
    with pytest.raises(ValidationFailed):
        imports.import_batch_create(
            team=actors.team, by=actors.sdr, upload=SimpleUploadedFile("a.csv", make_csv())
        )


def test_an_ae_may_not_import(actors):
    with pytest.raises(NotAllowed):
        imports.import_batch_create(
            team=actors.team, by=actors.ae, upload=SimpleUploadedFile("a.csv", make_csv())
        )


def test_formulas_are_stored_as_typed_and_neutralised_in_errors_csv(actors, api_for):
    rows = [['=HYPERLINK("http://evil")', "+1+1", "not-an-email", "@SUM(A1)", "-2+3", "", "", "", ""]]
    batch = run_import(
        actors, make_csv(rows=[*rows, ["=cmd|' /C calc'!A0", "x", "ok@x.ee", "", "", "", "", "", ""]])
    )
    assert Lead.objects.get().first_name == "=cmd|' /C calc'!A0"
    response = api_for(actors.sdr).get(f"/api/imports/{batch.pk}/errors.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(body)))
    assert lines[0] == [*HEADER, "error"]
    assert lines[1][:5] == ['\'=HYPERLINK("http://evil")', "'+1+1", "not-an-email", "'@SUM(A1)", "'-2+3"]
    assert lines[1][-1] == "email: Enter a valid email address."


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1", "'=1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@a", "'@a"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        (5, 5),
        (None, ""),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_mapping_json_parsing():
    assert imports.parse_mapping('{"A": "email"}') == {"A": "email"}
    assert imports.parse_mapping("") is None
    with pytest.raises(ValidationFailed):
        imports.parse_mapping("{not json")
    with pytest.raises(ValidationFailed):
        imports.parse_mapping(json.dumps(["email"]))


def test_the_sample_file_imports_with_a_few_bad_rows(actors):
    from pathlib import Path

    content = (Path(imports.__file__).parent.parent / "sample_data" / "sample_leads.csv").read_bytes()
    batch = run_import(actors, content)
    assert batch.total_rows == 52
    assert (batch.created, batch.duplicates, batch.failed) == (47, 1, 4)
    assert {error["field"] for row in ImportRow.objects.filter(batch=batch, action="error") for error in row.errors} == {
        "email", "employee_count", "country", "phone"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"First Name,Last Name,Email\n", "header but no rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "not a text (CSV) file"),
    ],
)
def test_a_file_without_rows_or_that_is_not_text_is_refused_at_upload(actors, api_for, content, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from leads.models import ImportBatch

    upload = SimpleUploadedFile("leads.csv", content, content_type="text/csv")
    response = api_for(actors.sdr).post(
        "/api/imports/", {"file": upload, "source": "list"}, format="multipart"
    )
    assert response.status_code == 400
    assert message in response.json()["file"][0]
    assert not ImportBatch.objects.exists()
