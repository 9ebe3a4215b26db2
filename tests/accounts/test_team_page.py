import pytest

from sdrcrm.accounts.services import team_for_api_key

pytestmark = pytest.mark.django_db


def test_manager_edits_team_settings(client, actors):
    client.force_login(actors.manager)
    page = client.get("/team/")
    assert page.status_code == 200
    assert "Kadri Kask" in page.content.decode()
    response = client.post(
        "/team/",
        {"mql_threshold": 70, "handoff_sla_hours": 12, "speed_to_lead_minutes": 15, "daily_touch_goal": 80},
    )
    assert response.status_code == 302
    actors.team.refresh_from_db()
    assert (actors.team.mql_threshold, actors.team.handoff_sla_hours, actors.team.daily_touch_goal) == (
        70,
        12,
        80,
    )


def test_bad_team_settings_show_the_field_error_and_change_nothing(client, actors):
    client.force_login(actors.manager)
    response = client.post(
        "/team/",
        {"mql_threshold": 170, "handoff_sla_hours": 12, "speed_to_lead_minutes": 15, "daily_touch_goal": 80},
    )
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    actors.team.refresh_from_db()
    assert actors.team.mql_threshold == 60


def test_rotating_the_key_on_the_page_shows_the_new_key_once(client, actors):
    client.force_login(actors.manager)
    response = client.post("/team/rotate-key/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="api-key"' in html
    key = html.split('class="mono key-reveal">')[1].split("<")[0]
    assert team_for_api_key(raw_key=key) == actors.team
    assert key not in client.get("/team/").content.decode()


def test_manager_marks_a_rep_away_from_the_team_page(client, actors):
    client.force_login(actors.manager)
    response = client.post(
        f"/team/members/{actors.sdr.pk}/away/", {"away_until": "2030-03-01"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert f'id="member-{actors.sdr.pk}"' in response.content.decode()
    actors.sdr.refresh_from_db()
    assert str(actors.sdr.away_until) == "2030-03-01"


@pytest.mark.parametrize("actor", ["sdr", "ae", "other_manager"])
def test_others_cannot_reach_the_team_page_or_its_actions(client, actors, actor):
    client.force_login(getattr(actors, actor))
    assert client.get(f"/team/?team={actors.team.pk}").status_code == 404
    assert client.post("/team/rotate-key/", {"team": actors.team.pk}).status_code == 404
    assert (
        client.post(f"/team/members/{actors.sdr.pk}/away/", {"away_until": "2030-03-01"}).status_code == 404
    )
    actors.sdr.refresh_from_db()
    assert actors.sdr.away_until is None


def test_admin_without_a_team_lands_on_the_first_team(client, actors):
    client.force_login(actors.admin)
    assert client.get("/team/").status_code == 200


def test_an_away_date_in_the_past_is_refused_with_a_message(client, actors):
    client.force_login(actors.manager)
    response = client.post(
        f"/team/members/{actors.sdr.pk}/away/", {"away_until": "2020-01-01"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert "Pick today or a later date" in response.content.decode()
    actors.sdr.refresh_from_db()
    assert actors.sdr.away_until is None
