"""Rate limits on signing in: a brute-force attempt gets a helpful 429, per address, in HTML or JSON."""
import pytest

from tests.factories import PASSWORD, make_user
from tests.helpers import post_form, text

JSON = {"Accept": "application/json"}
RATE_LIMITED = {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}


@pytest.mark.parametrize("app_config", [RATE_LIMITED], ids=["login-3-per-minute"])
def test_fourth_login_attempt_in_a_minute_is_429_with_a_helpful_page(client, factories):
    user = make_user()
    for _ in range(3):
        response = post_form(client, "/login", {"login": user.username, "password": "wrong password"})
        assert response.status_code == 400
    response = post_form(client, "/login", {"login": user.username, "password": PASSWORD})
    assert response.status_code == 429
    page = text(response)
    assert "Too many requests" in page
    assert "Please wait a little and try again." in page
    assert 'class="error-page"' in page
    assert client.get("/login").status_code == 200  # reading the form is not limited


@pytest.mark.parametrize("app_config", [RATE_LIMITED], ids=["login-3-per-minute"])
def test_login_limit_is_per_address(client, factories):
    user = make_user()
    for _ in range(4):
        post_form(client, "/login", {"login": user.username, "password": "wrong password"})
    elsewhere = client.application.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    response = post_form(elsewhere, "/login", {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("app_config", [RATE_LIMITED], ids=["login-3-per-minute"])
def test_rate_limit_answers_json_clients_with_json(client, factories):
    user = make_user()
    for _ in range(3):
        post_form(client, "/login", {"login": user.username, "password": "wrong password"})
    response = post_form(client, "/login", {"login": user.username, "password": "wrong"}, headers=JSON)
    assert response.status_code == 429
    assert response.get_json()["status"] == 429
