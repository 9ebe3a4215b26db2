import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query", ["?rep=abc", "?team=abc", "?touches=-5&within=abc", "?from=2026-13-40&period=custom"]
)
def test_bad_dashboard_filters_answer_400_with_the_reason_not_500(client, actors, query):
    client.force_login(actors.manager)
    response = client.get(f"/dashboard/{query}")
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert 'class="flash flash--error"' in response.content.decode()


def test_a_domain_error_in_an_htmx_request_returns_just_the_message(client, actors):
    client.force_login(actors.manager)
    response = client.get("/dashboard/?rep=abc", headers={"HX-Request": "true"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" not in html and "whole number" in html
