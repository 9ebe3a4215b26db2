import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leads import imports
from leads.models import IcpProfile, Lead
from tests.leads.factories import ActivityFactory, IcpProfileFactory, LeadFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def signed_in(client, actors):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def test_url_names_the_sidebar_uses():
    assert reverse("lead-list") == "/leads/"
    assert reverse("lead-detail", args=[1]) == "/leads/1/"
    assert reverse("import-list") == "/imports/"
    assert reverse("import-detail", args=[1]) == "/imports/1/"
    assert reverse("icp") == "/icp/"


def test_lead_list_full_page_and_htmx_partial(actors, signed_in, django_assert_max_num_queries):
    for i in range(12):
        lead = LeadFactory(
            team=actors.team, owner=actors.sdr, first_name=f"Kadri{i}", grade="A" if i % 2 else "C"
        )
        ActivityFactory(lead=lead)
    LeadFactory(team=actors.team, owner=actors.bdr, first_name="NotMine")
    client = signed_in(actors.sdr)
    full = client.get("/leads/")
    assert full.status_code == 200
    html = full.content.decode()
    assert "<html" in html and 'id="lead-table"' in html and "Kadri3" in html and "NotMine" not in html
    assert 'href="/leads/"' in html  # the sidebar picked the page up
    with django_assert_max_num_queries(12):
        partial = client.get("/leads/?grade=A&ordering=-score", **HX)
    body = partial.content.decode()
    assert "<html" not in body and body.strip().startswith('<section id="lead-table"')
    assert "Kadri1" in body and "Kadri2<" not in body
    assert "6 leads" in body


def test_lead_list_has_the_bulk_actions_slot(actors, signed_in):
    LeadFactory(team=actors.team, owner=None)
    html = signed_in(actors.sdr).get("/leads/").content.decode()
    assert 'id="lead-bulk-form"' in html and 'value="claim"' in html


def test_bulk_claim(actors, signed_in):
    leads = [LeadFactory(team=actors.team, owner=None) for _ in range(3)]
    response = signed_in(actors.sdr).post(
        "/leads/bulk/", {"action": "claim", "lead": [lead.pk for lead in leads[:2]]}
    )
    assert response.status_code == 302
    assert Lead.objects.filter(owner=actors.sdr).count() == 2


def test_lead_detail_page(actors, signed_in):
    IcpProfileFactory(team=actors.team)
    lead = LeadFactory(
        team=actors.team, owner=None, first_name="Анна", phone="+37251234567", linkedin_url="https://www.linkedin.com/in/anna",
        score=75, grade="B", score_explanation=[{"criterion": "industry", "matched": True, "weight": 30, "detail": "Software is a target industry."}],
    )  # fmt: skip
    html = signed_in(actors.sdr).get(f"/leads/{lead.pk}/").content.decode()
    for expected in (f"mailto:{lead.email}", "tel:+37251234567", "https://www.linkedin.com/in/anna", "Software is a target industry.",
                     "Claim", "Qualification", "Research notes", "Timeline", 'data-testid="lead-score">75'):  # fmt: skip
        assert expected in html


def test_lead_pages_hide_what_the_user_may_not_see(actors, signed_in):
    lead = LeadFactory(team=actors.team, owner=actors.bdr)
    assert signed_in(actors.sdr).get(f"/leads/{lead.pk}/").status_code == 404
    assert signed_in(actors.other_manager).get(f"/leads/{lead.pk}/").status_code == 404


def test_qualification_saves_with_htmx_partial(actors, signed_in):
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    response = signed_in(actors.sdr).post(
        f"/leads/{lead.pk}/edit/",
        {"budget": "€40k", "need": "Visibility", "research_notes": "Raised series A"},
        **HX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.strip().startswith('<section id="lead-qualification"') and "Saved" in body
    lead.refresh_from_db()
    assert (lead.budget, lead.need, lead.research_notes) == ("€40k", "Visibility", "Raised series A")


def test_log_activity_returns_the_timeline(actors, signed_in):
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    response = signed_in(actors.sdr).post(
        f"/leads/{lead.pk}/activities/",
        {"kind": "call", "outcome": "voicemail", "body": "Left a message"},
        **HX,
    )
    assert response.status_code == 200 and "Left a message" in response.content.decode()
    bad = signed_in(actors.sdr).post(f"/leads/{lead.pk}/activities/", {"kind": "note", "body": ""}, **HX)
    assert bad.status_code == 400 and "A note needs some text." in bad.content.decode()


def test_actions_claim_disqualify_nurture(actors, signed_in):
    lead = LeadFactory(team=actors.team, owner=None)
    client = signed_in(actors.sdr)
    client.post(f"/leads/{lead.pk}/claim/")
    client.post(f"/leads/{lead.pk}/disqualify/", {"reason": "Wrong person"})
    lead.refresh_from_db()
    assert (lead.owner, lead.status, lead.disqualify_reason) == (actors.sdr, "disqualified", "Wrong person")
    client.post(f"/leads/{lead.pk}/nurture/")
    lead.refresh_from_db()
    assert lead.status == "nurture"


def test_a_rep_who_lost_the_claim_race_hears_who_was_first(actors, signed_in):
    lead = LeadFactory(team=actors.team, owner=actors.bdr)
    client = signed_in(actors.sdr)
    response = client.post(f"/leads/{lead.pk}/claim/", follow=True)
    assert response.redirect_chain[-1][0] == "/leads/"
    assert "Someone else owns this lead." in response.content.decode()
    lead.refresh_from_db()
    assert lead.owner == actors.bdr
    stranger = LeadFactory(team=actors.other_sdr.team, owner=None)
    assert client.post(f"/leads/{stranger.pk}/claim/").status_code == 404


def test_import_pages(actors, signed_in, django_capture_on_commit_callbacks):
    client = signed_in(actors.sdr)
    assert client.get("/imports/").status_code == 200
    content = b"Name,Email,Company\nMari Tamm,mari@x.ee,X\nBad,bad,Y\n"
    preview = client.post("/imports/preview/", {"file": SimpleUploadedFile("l.csv", content)}, **HX)
    body = preview.content.decode()
    assert (
        body.strip().startswith('<div id="import-mapping"') and 'name="map_1"' in body and "mari@x.ee" in body
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/imports/",
            {
                "file": SimpleUploadedFile("l.csv", content),
                "source": "list",
                "map_0": "full_name",
                "map_1": "email",
            },
        )
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert (
        "Rows that could not be imported" in detail
        and "Enter a valid email address." in detail
        and "errors.csv" in detail
    )
    partial = client.get(response["Location"], **HX).content.decode()
    assert partial.strip().startswith('<section id="import-progress"') and "<progress" in partial
    assert 'hx-trigger="every 1s"' not in partial  # finished: no more polling
    assert Lead.objects.get().company == ""  # Company was not mapped


def test_import_page_polls_while_running(actors, signed_in):
    batch = imports.import_batch_create(
        team=actors.team, by=actors.sdr, upload=SimpleUploadedFile("l.csv", b"Email\na@x.ee\n")
    )
    html = signed_in(actors.sdr).get(f"/imports/{batch.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in html


def test_import_over_the_limit_is_413_on_the_page(actors, signed_in, settings):
    settings.LEADS_IMPORT_MAX_BYTES = 10
    response = signed_in(actors.sdr).post(
        "/imports/", {"file": SimpleUploadedFile("l.csv", b"Email\na@x.ee\n")}
    )
    assert response.status_code == 413


def test_sample_csv_downloads(actors, signed_in):
    response = signed_in(actors.sdr).get("/imports/sample.csv")
    assert response.status_code == 200 and b"Email" in b"".join(response.streaming_content)


def test_icp_page_and_preview(actors, signed_in, django_capture_on_commit_callbacks):
    LeadFactory(team=actors.team, industry="Software", country="EE")
    LeadFactory(team=actors.team, industry="Retail")
    client = signed_in(actors.manager)
    assert client.get("/icp/").status_code == 200
    form = {"name": "Baltic SaaS", "is_active": "1", "industries": "Software", "countries": "EE", "title_keywords": "",
            "weight_industry": "50", "weight_employees": "0", "weight_country": "50", "weight_title": "0"}  # fmt: skip
    preview = client.post("/icp/preview/", form, **HX).content.decode()
    assert preview.strip().startswith('<section id="icp-preview"')
    assert 'data-testid="preview-A">1<' in preview and 'data-testid="preview-D">1<' in preview
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/icp/", form)
    assert response.status_code == 302
    assert IcpProfile.objects.get().countries == ["EE"]
    assert Lead.objects.get(industry="Software").grade == "A"


def test_icp_page_is_read_only_for_sdrs_and_refused_to_aes(actors, signed_in):
    IcpProfileFactory(team=actors.team)
    html = signed_in(actors.sdr).get("/icp/").content.decode()
    assert "disabled" in html and "Save and rescore" not in html
    assert signed_in(actors.sdr).post("/icp/", {"name": "x"}).status_code == 403
    assert signed_in(actors.ae).get("/icp/").status_code == 403


def test_an_admin_without_a_team_is_told_to_use_the_api(actors, signed_in):
    client = signed_in(actors.admin)
    assert client.get("/imports/").status_code == 200
    response = client.post("/imports/", {"file": SimpleUploadedFile("l.csv", b"Email\na@x.ee\n")})
    assert response.status_code == 400 and "no team" in response.content.decode()
    assert client.post("/icp/", {"name": "x", "weight_industry": "10"}).status_code == 400
    assert client.get("/leads/").status_code == 200
