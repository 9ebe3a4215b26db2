"""`q=` finds leads by any word of their name, email or company, in any case, on the page and the API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from leads import imports, search, services
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(actors):
    def lead(**fields):
        return LeadFactory(team=actors.team, owner=None, **fields)

    return {
        "anna": lead(first_name="Anna", last_name="Tammsaare", email="anna@kask.example", company="Kask OÜ"),
        "mart": lead(first_name="Mart", last_name="Kuusk", email="mart@tamm.example", company="Pärn AS"),
        "liis": lead(first_name="Liis", last_name="Saar", email="liis@mand.example", company="Tammiku Talu"),
        "jaan": lead(first_name="Jaan", last_name="Sepp", email="jaan_50%@sepp.example", company="Sepp & Co"),
    }


def _found(api, query: str) -> set[str]:
    response = api.get("/api/leads/", {"q": query})
    assert response.status_code == 200
    return {row["first_name"] for row in response.json()["results"]}


def test_a_word_matches_inside_the_name_the_email_or_the_company(actors, api_for, crowd):
    api = api_for(actors.manager)
    assert _found(api, "tamm") == {"Anna", "Mart", "Liis"}
    assert _found(api, "TAMM") == {"Anna", "Mart", "Liis"}
    assert _found(api, "kask.example") == {"Anna"}


def test_every_word_must_match(actors, api_for, crowd):
    api = api_for(actors.manager)
    assert _found(api, "tamm anna") == {"Anna"}
    assert _found(api, "  tamm   talu ") == {"Liis"}
    assert _found(api, "tamm sepp") == set()


def test_a_word_does_not_run_from_one_field_into_the_next(actors, api_for, crowd):
    assert _found(api_for(actors.manager), "annatamm") == set()


def test_percent_and_underscore_are_plain_characters(actors, api_for, crowd):
    api = api_for(actors.manager)
    assert _found(api, "_50%") == {"Jaan"}
    assert _found(api, "%") == {"Jaan"}
    assert _found(api, "n_a") == set()


def test_search_keeps_the_visibility_rule(actors, api_for, crowd):
    LeadFactory(team=actors.team, owner=actors.bdr, first_name="Hidden", last_name="Tamm")
    assert "Hidden" not in _found(api_for(actors.sdr), "tamm")
    assert "Hidden" in _found(api_for(actors.manager), "tamm")


def test_the_page_search_finds_the_same_leads(actors, client, crowd):
    client.force_login(actors.manager)
    html = client.get("/leads/", {"q": "tamm talu"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Liis Saar" in html and "Anna" not in html and "1 lead" in html


def test_an_edited_lead_is_found_by_its_new_name_only(actors, api_for, crowd):
    api = api_for(actors.manager)
    services.lead_update(
        lead=crowd["mart"], by=actors.manager, values={"last_name": "Vaher", "company": "Vaher AS"}
    )
    assert _found(api, "vaher") == {"Mart"}
    assert _found(api, "kuusk") == set()


def test_a_deleted_lead_leaves_nothing_to_find(actors, api_for, crowd):
    crowd["anna"].delete()
    assert _found(api_for(actors.manager), "tamm") == {"Mart", "Liis"}


def test_imported_leads_are_found_once_the_import_is_done(
    actors, api_for, crowd, django_capture_on_commit_callbacks
):
    content = b"First Name,Last Name,E-mail,Company\r\nKadri,Tammeorg,kadri@nordlys.ee,Nordlys\r\n"
    batch = imports.import_batch_create(
        team=actors.team, by=actors.manager, upload=SimpleUploadedFile("list.csv", content)
    )
    with django_capture_on_commit_callbacks(execute=True):  # the run queues its search indexing on commit
        imports.import_batch_run(batch_id=batch.pk)
    assert _found(api_for(actors.manager), "tammeorg nordlys") == {"Kadri"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the search table is PostgreSQL's")
def test_leads_written_while_indexing_was_deferred_are_caught_up(actors, api_for, crowd):
    with transaction.atomic(), search.deferred():
        LeadFactory(team=actors.team, owner=None, first_name="Ülle", last_name="Pihlakas")
    api = api_for(actors.manager)
    assert _found(api, "pihlakas") == set()
    assert search.catch_up() == 1
    assert _found(api, "pihlakas") == {"Ülle"}
    assert search.catch_up() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the search table is PostgreSQL's")
def test_an_error_while_indexing_is_deferred_is_raised_as_it_is(actors, crowd):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic(), search.deferred():
        LeadFactory(team=actors.team, owner=None, email=crowd["anna"].email)  # the team has this address


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the search table is PostgreSQL's")
def test_the_search_text_is_lowered_by_the_database_in_every_alphabet(actors, api_for, crowd):
    LeadFactory(team=actors.team, owner=None, first_name="ÖÖBIK", last_name="Смирнова")
    assert _found(api_for(actors.manager), "ööbik СМИРНОВА") == {"ÖÖBIK"}
