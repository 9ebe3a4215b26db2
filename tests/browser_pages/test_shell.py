"""The layout as a person meets it: sign in, land on the role's home, see the navigation."""

import pytest

from tests.browser import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sdr_signs_in_lands_on_today_and_signs_out(page, live_server, actors):
    sign_in(page, live_server, actors.sdr)
    assert page.url.endswith("/today/")
    assert page.locator(".page-title").inner_text() == "Today"
    assert "Kadri Kask" in page.locator(".user-chip").inner_text()
    nav = page.locator("nav .nav-link").all_inner_texts()
    assert nav[0] == "Today"
    screenshot(page, "today-empty")
    page.click("text=Sign out")
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert page.js_errors == []


def test_wrong_password_shows_a_clear_error(page, live_server, actors):
    sign_in(page, live_server, actors.sdr, password="not-the-password")
    assert "/accounts/login/" in page.url
    assert "correct username and password" in page.locator(".flash--error").inner_text()
    screenshot(page, "login-error")


@pytest.mark.parametrize(("role", "home"), [("ae", "/handoffs/"), ("manager", "/dashboard/")])
def test_each_role_lands_on_its_home(page, live_server, actors, role, home):
    sign_in(page, live_server, getattr(actors, role))
    assert page.url.endswith(home)
    assert page.js_errors == []


def test_manager_rotates_the_api_key_and_marks_a_rep_away(page, live_server, actors):
    sign_in(page, live_server, actors.manager)
    page.click("nav >> text=Team")
    page.wait_for_url(f"{live_server.url}/team/")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("text=Make a new key")
    page.wait_for_selector(".key-reveal")
    assert page.locator(".key-reveal").inner_text().startswith("sdr_")
    row = page.locator(f"#member-{actors.sdr.pk}")
    row.locator("input[type=date]").fill("2030-03-01")
    row.locator("button").click()
    page.wait_for_selector(f"#member-{actors.sdr.pk} .badge--warning")
    screenshot(page, "team-settings")
    actors.sdr.refresh_from_db()
    assert str(actors.sdr.away_until) == "2030-03-01"
    assert page.js_errors == []
