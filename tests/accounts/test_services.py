import hashlib

import pytest

from sdrcrm.accounts import services
from sdrcrm.accounts.models import Notification, Role, Team, User
from sdrcrm.core.errors import Conflict, ValidationFailed
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_team_create_stores_only_a_hash_of_its_api_key():
    team, raw_key = services.team_create(name="Aurora", mql_threshold=70)
    assert raw_key.startswith("sdr_") and len(raw_key) > 40
    team.refresh_from_db()
    assert team.api_key_hash == hashlib.sha256(raw_key.encode()).hexdigest()
    assert raw_key not in (team.api_key_hash, team.api_key_prefix)
    assert team.api_key_prefix == raw_key[:10]
    assert team.mql_threshold == 70
    assert services.team_for_api_key(raw_key=raw_key) == team


def test_rotating_the_key_retires_the_old_one_at_once():
    team, old_key = services.team_create(name="Aurora")
    new_key = services.team_rotate_api_key(team=team)
    assert new_key != old_key
    assert services.team_for_api_key(raw_key=old_key) is None
    assert services.team_for_api_key(raw_key=new_key) == team


@pytest.mark.parametrize("raw_key", ["", "sdr_", "not-a-key", "sdr_" + "x" * 43])
def test_unknown_api_keys_find_no_team(raw_key):
    services.team_create(name="Aurora")
    assert services.team_for_api_key(raw_key=raw_key) is None


def test_team_names_are_unique_ignoring_case():
    services.team_create(name="Aurora")
    with pytest.raises(Conflict) as error:
        services.team_create(name="aurora")
    assert error.value.field == "name"
    assert Team.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mql_threshold", 101),
        ("handoff_sla_hours", 0),
        ("speed_to_lead_minutes", 0),
        ("daily_touch_goal", 5000),
    ],
)
def test_team_settings_out_of_range_are_refused_and_nothing_is_stored(field, value):
    with pytest.raises(ValidationFailed) as error:
        services.team_create(name="Aurora", **{field: value})
    assert error.value.field == field
    assert not Team.objects.exists()


def test_user_create_validates_password_role_team_and_timezone():
    team = TeamFactory()
    with pytest.raises(ValidationFailed) as error:
        services.user_create(username="kadri", password="123", role=Role.SDR, team=team)
    assert error.value.field == "password"
    with pytest.raises(ValidationFailed) as error:
        services.user_create(username="kadri", password="long-enough-phrase-1", role="ceo", team=team)
    assert error.value.field == "role"
    with pytest.raises(ValidationFailed) as error:
        services.user_create(username="kadri", password="long-enough-phrase-1", role=Role.SDR, team=None)
    assert error.value.field == "team"
    with pytest.raises(ValidationFailed) as error:
        services.user_create(
            username="kadri",
            password="long-enough-phrase-1",
            role=Role.SDR,
            team=team,
            timezone_name="Mars/Olympus",
        )
    assert error.value.field == "timezone"
    assert not User.objects.filter(username="kadri").exists()


def test_user_create_makes_a_rep_who_can_sign_in():
    team = TeamFactory()
    user = services.user_create(
        username="anna",
        password="long-enough-phrase-1",
        role=Role.SDR,
        team=team,
        first_name="Анна",
        last_name="Смирнова",
        email=" Anna@Example.COM ",
        timezone_name="Europe/Moscow",
    )
    assert user.check_password("long-enough-phrase-1")
    assert (user.email, user.display_name, user.timezone) == (
        "anna@example.com",
        "Анна Смирнова",
        "Europe/Moscow",
    )


def test_a_taken_username_is_a_conflict():
    team = TeamFactory()
    UserFactory(username="wei", team=team)
    with pytest.raises(Conflict) as error:
        services.user_create(username="wei", password="long-enough-phrase-1", role=Role.SDR, team=team)
    assert error.value.field == "username"


def test_superuser_acts_as_admin_whatever_its_role_field_says():
    user = UserFactory(role=Role.SDR, is_superuser=True)
    assert user.effective_role == Role.ADMIN
    assert user.is_admin and not user.is_prospector


def test_a_notification_with_a_dedupe_key_is_stored_once():
    user = UserFactory()
    first = services.notification_create(
        user=user, kind="sla_breach", title="SLA breached", dedupe_key="sla:7"
    )
    second = services.notification_create(
        user=user, kind="sla_breach", title="SLA breached", dedupe_key="sla:7"
    )
    assert first is not None and second is None
    assert Notification.objects.filter(user=user).count() == 1


def test_marking_notifications_read_touches_only_the_callers():
    user, other = UserFactory(), UserFactory()
    mine = services.notification_create(user=user, kind="system", title="one")
    services.notification_create(user=user, kind="system", title="two")
    theirs = services.notification_create(user=other, kind="system", title="three")
    assert services.notification_mark_read(user=user, notification_ids=[mine.id, theirs.id]) == 1
    assert services.notification_mark_read(user=user) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None
