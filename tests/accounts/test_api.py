import pytest
from django.core.cache import cache

from sdrcrm.accounts.models import Team, User
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_token_login_returns_a_token_that_authenticates(api, actors):
    response = api.post("/api/auth/token/", {"username": "kadri", "password": TEST_PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/users/me/")
    assert me.status_code == 200
    assert me.json() == {
        "id": actors.sdr.id,
        "username": "kadri",
        "name": "Kadri Kask",
        "first_name": "Kadri",
        "last_name": "Kask",
        "email": "kadri@example.com",
        "role": "sdr",
        "team": actors.team.id,
        "timezone": "Europe/Tallinn",
        "away_until": None,
        "is_active": True,
    }


def test_token_login_with_a_wrong_password_is_a_400(api, actors):
    response = api.post("/api/auth/token/", {"username": "kadri", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_token_login_is_throttled(api, actors, settings):
    cache.clear()
    statuses = [
        api.post("/api/auth/token/", {"username": "kadri", "password": "nope"}, format="json").status_code
        for _ in range(12)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10:] == [429, 429]
    cache.clear()


def test_admin_creates_a_team_and_sees_its_key_once(api_for, actors):
    response = api_for(actors.admin).post(
        "/api/teams/", {"name": "Aurora", "mql_threshold": 65, "handoff_sla_hours": 8}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Aurora" and body["mql_threshold"] == 65 and body["handoff_sla_hours"] == 8
    assert body["speed_to_lead_minutes"] == 60
    assert body["api_key"].startswith("sdr_")
    detail = api_for(actors.admin).get(f"/api/teams/{body['id']}/").json()
    assert "api_key" not in detail
    assert detail["api_key_prefix"] == body["api_key"][:10]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "X", "mql_threshold": 150}, "mql_threshold"),
        ({"name": "X", "handoff_sla_hours": "soon"}, "handoff_sla_hours"),
        ({"name": "Nordlys"}, "name"),
    ],
)
def test_bad_team_input_names_the_field(api_for, actors, payload, field):
    response = api_for(actors.admin).post("/api/teams/", payload, format="json")
    assert response.status_code in (400, 409)
    assert field in response.json()
    assert Team.objects.count() == 2


def test_admin_creates_a_user_in_a_team(api_for, actors):
    response = api_for(actors.admin).post(
        "/api/users/",
        {
            "username": "jaan",
            "password": "a-long-pass-phrase-9",
            "role": "bdr",
            "team": actors.team.id,
            "first_name": "Jaan",
            "last_name": "Õunapuu",
            "timezone": "Europe/Tallinn",
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["role"], body["team"], body["name"]) == ("bdr", actors.team.id, "Jaan Õunapuu")
    assert "password" not in body
    assert User.objects.get(username="jaan").check_password("a-long-pass-phrase-9")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"username": "x", "password": "a-long-pass-phrase-9", "role": "king", "team": 1}, "role"),
        ({"username": "x", "password": "short", "role": "sdr"}, "password"),
        ({"username": "x", "password": "a-long-pass-phrase-9", "role": "sdr", "team": 99999}, "team"),
        (
            {"username": "x", "password": "a-long-pass-phrase-9", "role": "sdr", "timezone": "Nowhere/Land"},
            "timezone",
        ),
        ({"username": "kadri", "password": "a-long-pass-phrase-9", "role": "sdr"}, "username"),
    ],
)
def test_bad_user_input_names_the_field(api_for, actors, payload, field):
    payload = {"team": actors.team.id, **payload}
    response = api_for(actors.admin).post("/api/users/", payload, format="json")
    assert response.status_code in (400, 409)
    assert field in response.json()


def test_manager_marks_a_rep_away_but_cannot_change_roles(api_for, actors):
    client = api_for(actors.manager)
    response = client.patch(f"/api/users/{actors.sdr.id}/", {"away_until": "2030-02-01"}, format="json")
    assert response.status_code == 200
    assert response.json()["away_until"] == "2030-02-01"
    response = client.patch(f"/api/users/{actors.sdr.id}/", {"role": "manager"}, format="json")
    assert response.status_code == 403
    actors.sdr.refresh_from_db()
    assert actors.sdr.role == "sdr"


def test_manager_lists_only_own_team(api_for, actors):
    response = api_for(actors.manager).get("/api/users/")
    assert response.status_code == 200
    body = response.json()
    usernames = {u["username"] for u in body["results"]}
    assert usernames == {"kadri", "minjun", "dmitri", "maria"}
    assert body["count"] == 4


def test_page_size_is_capped_at_200(api_for, actors):
    User.objects.bulk_create(User(username=f"rep{n}", team=actors.team, role="sdr") for n in range(200))
    response = api_for(actors.admin).get("/api/users/?page_size=1000")
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == 200
    assert body["count"] == 208
    assert body["next"].endswith("page=2&page_size=1000")


def test_a_page_past_the_end_is_a_404_not_a_500(api_for, actors):
    assert api_for(actors.admin).get("/api/users/?page=99").status_code == 404
    assert api_for(actors.admin).get("/api/users/?page=abc").status_code == 404


def test_unknown_api_path_answers_json_404(api_for, actors):
    response = api_for(actors.sdr).get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_malformed_json_is_a_400(api_for, actors):
    response = api_for(actors.admin).post("/api/teams/", data="{not json", content_type="application/json")
    assert response.status_code == 400


def test_the_openapi_schema_describes_the_contract(api_for, actors):
    response = api_for(actors.sdr).get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/auth/token/", "/api/teams/", "/api/users/", "/api/users/me/", "/api/notifications/"):
        assert path in paths


def test_notifications_list_and_read(api_for, actors):
    from sdrcrm.accounts.services import notification_create

    first = notification_create(user=actors.sdr, kind="handoff_decided", title="Handoff rejected: no budget")
    notification_create(user=actors.sdr, kind="reminder_due", title="Call back Анна")
    client = api_for(actors.sdr)
    body = client.get("/api/notifications/").json()
    assert [n["title"] for n in body["results"]] == ["Call back Анна", "Handoff rejected: no budget"]
    assert client.post("/api/notifications/read/", {"ids": [first.id]}, format="json").json() == {
        "marked_read": 1
    }
    assert [n["is_read"] for n in client.get("/api/notifications/").json()["results"]] == [False, True]
    assert client.get("/api/notifications/?unread=1").json()["count"] == 1


def test_a_user_without_a_team_is_refused_naming_the_field(api_for, actors):
    response = api_for(actors.admin).post(
        "/api/users/", {"username": "role", "password": "a-long-pass-phrase-9", "role": "sdr"}, format="json"
    )
    assert response.status_code == 400
    assert "team" in response.json()


def test_ids_past_64_bits_are_a_400(api_for, actors):
    response = api_for(actors.sdr).post(
        "/api/notifications/read/", {"ids": [2491881788303270215680]}, format="json"
    )
    assert response.status_code == 400
    assert "ids" in response.json()


def test_nul_bytes_in_a_query_are_refused_at_the_door(api_for, actors):
    response = api_for(actors.manager).get("/api/users/?role=%00sdr")
    assert response.status_code == 400
    assert response.json() == {"detail": "NUL characters are not allowed."}


def test_an_id_past_64_bits_in_the_path_is_not_a_500(api_for, actors):
    response = api_for(actors.admin).get("/api/users/99999999999999999999999999/")
    assert response.status_code in (400, 404)
