"""The served OpenAPI schema describes what the API answers: refusals, times, blank values, pages."""

import re

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

SCHEMA_JSON = "application/vnd.oai.openapi+json"


@pytest.fixture
def openapi(api_for, actors) -> dict:
    response = api_for(actors.sdr).get("/api/schema/", HTTP_ACCEPT=SCHEMA_JSON)
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_served_to_signed_in_callers_only():
    assert APIClient().get("/api/schema/", HTTP_ACCEPT=SCHEMA_JSON).status_code == 401


def test_every_refusal_an_operation_can_answer_is_documented_with_the_shared_error_body(openapi):
    lead_update = openapi["paths"]["/api/leads/{lead_id}/"]["patch"]["responses"]
    assert {status: lead_update[status] for status in ("400", "401", "403", "404", "409")} == {
        "400": {"$ref": "#/components/responses/BadRequest"},
        "401": {"$ref": "#/components/responses/Unauthenticated"},
        "403": {"$ref": "#/components/responses/Forbidden"},
        "404": {"$ref": "#/components/responses/NotFound"},
        "409": {"$ref": "#/components/responses/Conflict"},
    }
    not_found = openapi["components"]["responses"]["NotFound"]
    assert not_found["content"] == {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    error = openapi["components"]["schemas"]["Error"]["properties"]
    assert error["detail"]["oneOf"] == [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
    assert error["code"] == {"type": "string"}


def test_an_operation_with_a_body_documents_a_body_too_large_and_of_the_wrong_media_type(openapi):
    assert {"413", "415"} <= set(openapi["paths"]["/api/leads/{lead_id}/disqualify/"]["post"]["responses"])
    assert "413" not in openapi["paths"]["/api/leads/{lead_id}/"]["get"]["responses"]


def test_sign_in_documents_bad_credentials_and_throttling_but_no_authentication_error(openapi):
    assert set(openapi["paths"]["/api/auth/token/"]["post"]["responses"]) == {
        "200",
        "400",
        "413",
        "415",
        "429",
    }


def test_a_read_without_input_documents_no_bad_request(openapi):
    assert set(openapi["paths"]["/api/users/me/"]["get"]["responses"]) == {"200", "401", "403"}


def test_a_status_an_operation_declares_itself_is_kept(openapi):
    upload_too_big = openapi["paths"]["/api/imports/"]["post"]["responses"]["413"]
    assert "$ref" not in upload_too_big


def test_a_time_answered_as_hours_and_minutes_is_described_by_that_pattern(openapi):
    schemas = openapi["components"]["schemas"]
    answered = schemas["CadenceOut"]["properties"]["window_start"]
    accepted = schemas["CadenceCreateInRequest"]["properties"]["window_start"]
    assert "format" not in answered
    assert re.fullmatch(answered["pattern"], "08:00")
    assert not re.fullmatch(answered["pattern"], "08:00:00")
    assert not re.fullmatch(answered["pattern"], "24:00")
    assert re.fullmatch(accepted["pattern"], "08:00")
    assert re.fullmatch(accepted["pattern"], "08:00:30")


def test_a_read_only_url_the_model_lets_be_blank_is_described_as_a_url_or_blank(openapi):
    linkedin_url = openapi["components"]["schemas"]["LeadOut"]["properties"]["linkedin_url"]
    assert linkedin_url["oneOf"] == [{"type": "string", "format": "uri"}, {"type": "string", "maxLength": 0}]
    assert linkedin_url["readOnly"] is True


def test_pages_document_that_their_count_may_be_an_estimate(openapi):
    page = openapi["components"]["schemas"]["PaginatedLeadOutList"]
    assert page["properties"]["count_is_estimate"] == {"type": "boolean"}


def test_a_refused_export_answers_with_the_json_error_body_even_when_csv_is_asked_for(api_for, actors):
    response = api_for(actors.manager).get("/api/metrics/funnel/export/", {"format": "csv", "owner": "x"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"owner": ["Enter a whole number."]}


def test_a_body_with_too_many_fields_answers_the_json_error_body_not_an_html_page(api_for, actors):
    too_many = {f"field{number}": "x" for number in range(1001)}

    response = api_for(actors.sdr).post("/api/notifications/read/", too_many, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"detail": "The request is malformed."}


def test_a_body_over_the_size_limit_answers_413_with_the_json_error_body(api_for, actors, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = api_for(actors.sdr).post("/api/notifications/read/", {"ids": "1" * 2000}, format="multipart")

    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is too large."}


def test_the_api_docs_page_loads_swagger_ui_from_our_own_static_files(api_for, actors):
    page = api_for(actors.sdr).get("/api/docs/").content.decode()

    assert re.findall(r'<script src="([^"]+)"', page) == [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
    ]
    assert "//cdn" not in page
