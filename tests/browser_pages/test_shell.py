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
