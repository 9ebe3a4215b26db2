import pytest
from django.core.cache import cache

from sdrcrm.accounts.services import notification_create
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "home"),
    [
        ("sdr", "/today/"),
        ("bdr", "/today/"),
        ("ae", "/handoffs/"),
        ("manager", "/dashboard/"),
        ("admin", "/dashboard/"),
    ],
)
def test_home_sends_each_role_to_its_page(client, actors, role, home):
    client.force_login(getattr(actors, role))
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == home
    assert client.get(home).status_code == 200


def test_pages_need_a_sign_in(client):
    response = client.get("/today/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/today/"


def test_login_page_signs_in_and_redirects_home(client, actors):
    response = client.post("/accounts/login/", {"username": "maria", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.url == "/"


def test_repeated_failed_logins_are_throttled_even_with_the_right_password(client, actors, settings):
    cache.clear()
    settings.LOGIN_ATTEMPTS_LIMIT = 3
    for _ in range(3):
        response = client.post("/accounts/login/", {"username": "maria", "password": "guess"})
        assert response.status_code == 200
    response = client.post("/accounts/login/", {"username": "maria", "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.content.decode()
    cache.clear()


def test_layout_shows_the_user_role_navigation_and_unread_count(client, actors):
    notification_create(user=actors.sdr, kind="system", title="Welcome")
    client.force_login(actors.sdr)
    html = client.get("/today/").content.decode()
    assert "Kadri Kask" in html
    assert 'class="bell-count">1<' in html
    assert 'href="/today/"' in html
    assert "htmx.min.js" in html
    assert "X-CSRFToken" in html


def test_the_bell_stops_counting_at_99(client, actors):
    for number in range(101):
        notification_create(user=actors.sdr, kind="system", title=f"Note {number}")
    client.force_login(actors.sdr)
    assert 'class="bell-count">99+<' in client.get("/today/").content.decode()


def test_the_bell_counts_only_the_users_unread_notifications(actors):
    from sdrcrm.accounts.selectors import notification_unread_count
    from sdrcrm.accounts.services import notification_mark_read

    for number in range(3):
        notification_create(user=actors.sdr, kind="system", title=f"Note {number}")
    notification_create(user=actors.bdr, kind="system", title="Someone else's")
    assert notification_unread_count(user=actors.sdr) == 3
    assert notification_unread_count(user=actors.sdr, up_to=1) == 2
    notification_mark_read(user=actors.sdr)
    assert notification_unread_count(user=actors.sdr) == 0
    assert notification_unread_count(user=actors.bdr) == 1


def test_pages_carry_a_content_security_policy(client, actors):
    client.force_login(actors.sdr)
    policy = client.get("/today/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_notifications_page_full_and_htmx_partial(client, actors):
    notification_create(user=actors.sdr, kind="handoff_decided", title="<b>Rejected</b>: no budget")
    client.force_login(actors.sdr)
    full = client.get("/notifications/").content.decode()
    assert "<html" in full
    assert "&lt;b&gt;Rejected&lt;/b&gt;" in full and "<b>Rejected</b>" not in full
    partial = client.get("/notifications/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial
    assert 'id="notification-list"' in partial


def test_mark_all_read_clears_the_bell(client, actors):
    notification_create(user=actors.sdr, kind="system", title="One")
    client.force_login(actors.sdr)
    response = client.post("/notifications/read/")
    assert response.status_code == 302
    assert "bell-count" not in client.get("/today/").content.decode()


def test_unknown_page_is_a_friendly_404(client, actors):
    client.force_login(actors.sdr)
    response = client.get("/no-such-page/")
    assert response.status_code == 404


def test_the_layout_reads_the_signed_in_users_team_with_the_user(client, actors):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(actors.manager)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/notifications/")
    assert response.status_code == 200 and actors.team.name in response.content.decode()
    assert not [query for query in queries if query["sql"].startswith('SELECT "accounts_team"')]
