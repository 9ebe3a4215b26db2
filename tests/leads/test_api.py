import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from leads.models import Lead
from tests.leads.factories import ActivityFactory, IcpProfileFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_create_lead_returns_the_contract_fields(actors, api_for):
    response = api_for(actors.sdr).post(
        "/api/leads/",
        {
            "first_name": "Mari",
            "email": " Mari@Nordlys.EE",
            "country": "ee",
            "phone": "+372 5123 4567",
            "source": "inbound",
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    for field in ("id", "email", "email_kind", "score", "grade", "score_explanation", "status", "stage", "owner",
                  "team", "import_batch", "created_at", "first_touch_at", "mql_at", "opted_out"):  # fmt: skip
        assert field in body
    assert (body["email"], body["owner"], body["team"], body["status"], body["stage"]) == (
        "mari@nordlys.ee",
        actors.sdr.pk,
        actors.team.pk,
        "new",
        "lead",
    )


def test_duplicate_is_409_with_duplicate_of(actors, api_for):
    lead = LeadFactory(team=actors.team, email="dup@x.ee")
    response = api_for(actors.manager).post("/api/leads/", {"email": "DUP@x.ee"}, format="json")
    assert response.status_code == 409
    assert response.json()["duplicate_of"] == lead.pk and response.json()["detail"]


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "nope"},
        {"country": "XX"},
        {"timezone": "Mars/Base"},
        {"source": "cold"},
        {"employee_count": -1},
    ],
)
def test_bad_input_is_400_naming_the_field(actors, api_for, payload):
    response = api_for(actors.sdr).post("/api/leads/", {"email": "ok@x.ee", **payload}, format="json")
    assert response.status_code == 400
    assert set(response.json()) & set(payload)


def test_admin_names_the_team(actors, api_for):
    assert api_for(actors.admin).post("/api/leads/", {"email": "a@x.ee"}, format="json").status_code == 400
    response = api_for(actors.admin).post(
        "/api/leads/", {"email": "a@x.ee", "team": actors.other_team.pk}, format="json"
    )
    assert response.status_code == 201 and response.json()["team"] == actors.other_team.pk


def test_list_filters_and_search(actors, api_for):
    LeadFactory(
        team=actors.team, owner=actors.sdr, first_name="Kadri", status="working", grade="A", source="inbound"
    )
    LeadFactory(team=actors.team, owner=None, company="Пример", status="new", grade="C")
    LeadFactory(team=actors.team, owner=actors.bdr, first_name="Hidden")
    api = api_for(actors.sdr)

    def names(query):
        return sorted(
            r["first_name"] or r["company"] for r in api.get(f"/api/leads/?{query}").json()["results"]
        )

    assert len(names("")) == 2  # own and unowned, not the BDR's
    assert names("status=working") == ["Kadri"]
    assert names("grade=A,B") == ["Kadri"]
    assert names("source=inbound") == ["Kadri"]
    assert names("owner=me") == ["Kadri"]
    assert len(names("owner=none")) == 1
    assert len(names("q=Пример")) == 1  # SQLite folds ASCII case only; PostgreSQL folds all
    assert names("status=bogus") == []
    assert api.get("/api/leads/?ordering=priority").status_code == 200
    assert api.get("/api/leads/?owner=abc").json()["count"] == 0


def test_list_is_paginated_with_a_constant_number_of_queries(actors, api_for, django_assert_max_num_queries):
    for _ in range(30):
        lead = LeadFactory(team=actors.team, owner=actors.sdr)
        ActivityFactory(lead=lead)
    api = api_for(actors.manager)
    with django_assert_max_num_queries(4):
        response = api.get("/api/leads/?page_size=20&ordering=-score")
    body = response.json()
    assert body["count"] == 30 and len(body["results"]) == 20 and body["next"]


def test_detail_patch_and_delete(actors, api_for):
    IcpProfileFactory(team=actors.team)
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    api = api_for(actors.sdr)
    assert api.get(f"/api/leads/{lead.pk}/").json()["id"] == lead.pk
    response = api.patch(f"/api/leads/{lead.pk}/", {"industry": "Software", "budget": "50k"}, format="json")
    assert response.status_code == 200
    assert (response.json()["score"], response.json()["budget"]) == (30, "50k")
    assert response.json()["score_explanation"][0] == {
        "criterion": "industry", "matched": True, "weight": 30, "detail": "Software is a target industry."
    }  # fmt: skip
    assert api.delete(f"/api/leads/{lead.pk}/").status_code == 403
    assert api_for(actors.manager).delete(f"/api/leads/{lead.pk}/").status_code == 204
    assert not Lead.objects.exists()


def test_claim_disqualify_nurture(actors, api_for):
    lead = LeadFactory(team=actors.team, owner=None)
    api = api_for(actors.sdr)
    assert api.post(f"/api/leads/{lead.pk}/claim/").json()["owner"] == actors.sdr.pk
    assert api.post(f"/api/leads/{lead.pk}/disqualify/", {"reason": ""}, format="json").status_code == 400
    response = api.post(f"/api/leads/{lead.pk}/disqualify/", {"reason": "No budget"}, format="json")
    assert (response.json()["status"], response.json()["disqualify_reason"]) == ("disqualified", "No budget")
    assert api.post(f"/api/leads/{lead.pk}/disqualify/", {"reason": "x"}, format="json").status_code == 409
    assert api.post(f"/api/leads/{lead.pk}/nurture/").json()["status"] == "nurture"


def test_claim_by_a_race_loser_is_409(actors, api_for):
    lead = LeadFactory(team=actors.team, owner=None)
    Lead.objects.filter(pk=lead.pk).update(owner=actors.bdr)
    # The SDR no longer sees it in lists, but the claim says why it failed.
    response = api_for(actors.sdr).post(f"/api/leads/{lead.pk}/claim/")
    assert (response.status_code, response.json()["code"]) == (409, "owned")


def test_activities_get_and_post(actors, api_for):
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    api = api_for(actors.sdr)
    response = api.post(
        f"/api/leads/{lead.pk}/activities/", {"kind": "call", "outcome": "voicemail"}, format="json"
    )
    assert response.status_code == 201 and response.json()["actor"] == actors.sdr.pk
    lead.refresh_from_db()
    assert lead.status == "working" and lead.first_touch_at
    assert api.post(f"/api/leads/{lead.pk}/activities/", {"kind": "fax"}, format="json").status_code == 400
    listed = api.get(f"/api/leads/{lead.pk}/activities/").json()
    assert listed["count"] == 1 and listed["results"][0]["outcome"] == "voicemail"


def test_import_api_flow(actors, api_for, django_capture_on_commit_callbacks):
    content = b"Name,Email,Company\nMari Tamm,mari@x.ee,X\nBad,bad,Y\n"
    api = api_for(actors.sdr)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/imports/",
            {"file": SimpleUploadedFile("l.csv", content), "source": "event"},
            format="multipart",
        )
    assert response.status_code == 202 and response.json()["status"] == "queued"
    batch_id = response.json()["id"]
    detail = api.get(f"/api/imports/{batch_id}/").json()
    assert {k: detail[k] for k in ("status", "total_rows", "processed_rows", "created", "updated", "duplicates", "failed")} == {
        "status": "done", "total_rows": 2, "processed_rows": 2, "created": 1, "updated": 0, "duplicates": 0, "failed": 1
    }  # fmt: skip
    assert detail["errors"] == [{"row": 2, "field": "email", "message": "Enter a valid email address."}]
    assert (
        api.get(f"/api/imports/{batch_id}/rows/").json()["count"] == 1
    )  # a real run keeps failed and updated rows
    assert api.get("/api/imports/").json()["count"] == 1
    assert Lead.objects.get().source == "event"
    reverted = api.post(f"/api/imports/{batch_id}/revert/").json()
    assert reverted == {"deleted": 1, "restored": 0, "not_reverted": []}


def test_import_dry_run_rows_endpoint(actors, api_for, django_capture_on_commit_callbacks):
    LeadFactory(team=actors.team, email="a@x.ee")
    content = b"Email\na@x.ee\nb@x.ee\nnope\n"
    api = api_for(actors.sdr)
    with django_capture_on_commit_callbacks(execute=True):
        batch_id = api.post(
            "/api/imports/",
            {"file": SimpleUploadedFile("l.csv", content), "dry_run": "true"},
            format="multipart",
        ).json()["id"]
    rows = api.get(f"/api/imports/{batch_id}/rows/").json()["results"]
    assert [(r["row"], r["action"]) for r in rows] == [(1, "duplicate"), (2, "create"), (3, "error")]
    assert Lead.objects.count() == 1


def test_import_with_mapping_json_string(actors, api_for, django_capture_on_commit_callbacks):
    content = b"Who,Addr\nMari,mari@x.ee\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(actors.sdr).post(
            "/api/imports/",
            {
                "file": SimpleUploadedFile("l.csv", content),
                "mapping": '{"Who": "first_name", "Addr": "email"}',
            },
            format="multipart",
        )
    assert response.status_code == 202
    assert Lead.objects.get().first_name == "Mari"


def test_import_over_the_limit_is_413(actors, api_for, settings):
    settings.LEADS_IMPORT_MAX_BYTES = 1024
    content = b"Email\n" + b"a@x.ee\n" * 400
    response = api_for(actors.sdr).post(
        "/api/imports/", {"file": SimpleUploadedFile("l.csv", content)}, format="multipart"
    )
    assert response.status_code == 413


def test_import_without_file_or_email_column_is_400(actors, api_for):
    api = api_for(actors.sdr)
    assert api.post("/api/imports/", {}, format="multipart").status_code == 400
    response = api.post(
        "/api/imports/", {"file": SimpleUploadedFile("l.csv", b"Name\nMari\n")}, format="multipart"
    )
    assert response.status_code == 400 and "mapping" in response.json()


def test_icp_api(actors, api_for, django_capture_on_commit_callbacks):
    payload = {
        "name": "Baltic SaaS", "is_active": True, "industries": ["Software"], "employee_min": 10,
        "employee_max": 200, "countries": ["ee", "LV"], "title_keywords": ["sales"],
        "weights": {"industry": 40, "employees": 20, "country": 20, "title": 20},
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(actors.manager).post("/api/icp-profiles/", payload, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["countries"] == ["EE", "LV"] and body["weights"]["industry"] == 40
    assert api_for(actors.sdr).get("/api/icp-profiles/").json()["count"] == 1
    assert (
        api_for(actors.sdr)
        .patch(f"/api/icp-profiles/{body['id']}/", {"name": "x"}, format="json")
        .status_code
        == 403
    )
    bad = api_for(actors.manager).patch(
        f"/api/icp-profiles/{body['id']}/", {"employee_min": 500}, format="json"
    )
    assert bad.status_code == 400 and "employee_max" in bad.json()


def test_schema_lists_the_leads_endpoints(actors, api_for):
    schema = api_for(actors.sdr).get("/api/schema/?format=json").json()
    for path in ("/api/leads/", "/api/leads/{lead_id}/", "/api/leads/{lead_id}/claim/", "/api/imports/",
                 "/api/imports/{batch_id}/rows/", "/api/imports/{batch_id}/revert/", "/api/icp-profiles/"):  # fmt: skip
        assert path in schema["paths"]
