"""Rate limits on signing in and registering: a brute-force attempt gets a helpful 429 in HTML or JSON; only failed
sign-ins count, per address, per account on one address and per account from everywhere."""
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
    assert "Too many failed sign-ins. Please wait 1 minute and try again." in page
    assert 1 <= int(response.headers["Retry-After"]) <= 61
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


def from_address(client, address: str):
    other = client.application.test_client()
    other.environ_base["REMOTE_ADDR"] = address
    return other


def sign_in(client, login: str, password: str) -> int:
    return post_form(client, "/login", {"login": login, "password": password}).status_code


@pytest.mark.parametrize("app_config", [RATE_LIMITED], ids=["login-3-per-minute"])
def test_successful_sign_ins_do_not_use_up_the_limit(client, factories):
    user = make_user()
    assert sign_in(client, user.username, "wrong password") == 400
    for _ in range(5):  # an office where people sign in all day from one address
        assert sign_in(from_address(client, "127.0.0.1"), user.username, PASSWORD) == 302
    assert sign_in(client, user.username, "wrong password") == 400
    assert sign_in(client, user.username, "wrong password") == 400
    assert sign_in(client, user.username, PASSWORD) == 429


ACCOUNT_ON_ONE_ADDRESS = {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "100 per minute",
                          "LOGIN_ACCOUNT_ADDRESS_RATE_LIMIT": "3 per 5 minutes"}


@pytest.mark.parametrize("app_config", [ACCOUNT_ON_ONE_ADDRESS], ids=["account-address-3"])
def test_an_attacker_on_one_address_locks_out_that_address_not_the_user(client, factories):
    victim, neighbour = make_user(), make_user()
    attacker = from_address(client, "198.51.100.9")
    for _ in range(3):
        assert sign_in(attacker, victim.username, "guess") == 400
    assert sign_in(attacker, victim.email, PASSWORD) == 429  # the e-mail address names the same account
    assert sign_in(from_address(client, "203.0.113.7"), victim.username, PASSWORD) == 302  # the user, at home
    assert sign_in(from_address(client, "198.51.100.9"), neighbour.username, PASSWORD) == 302  # someone else


@pytest.mark.parametrize("app_config", [ACCOUNT_ON_ONE_ADDRESS], ids=["account-address-3"])
def test_unknown_names_are_limited_too(client, factories):
    for _ in range(3):
        assert sign_in(client, "nobody-here", "guess") == 400
    assert sign_in(client, "Nobody-Here", "guess") == 429


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "100 per minute",
                                         "LOGIN_ACCOUNT_RATE_LIMIT": "4 per 15 minutes"}], ids=["account-4"])
def test_guesses_against_one_account_from_many_addresses_are_limited(client, factories):
    victim = make_user()
    for n in range(4):
        assert sign_in(from_address(client, f"192.0.2.{n + 1}"), victim.username, "guess") == 400
    assert sign_in(from_address(client, "192.0.2.99"), victim.username, "guess") == 429
    assert sign_in(from_address(client, "192.0.2.99"), make_user().username, PASSWORD) == 302


def test_an_unknown_name_costs_the_same_password_check_as_a_known_one(client, factories, monkeypatch):
    from forum import passwords

    checks = []
    real_check = passwords.check_password_hash
    monkeypatch.setattr(passwords, "check_password_hash",
                        lambda stored, given: checks.append(stored.split("$")[0]) or real_check(stored, given))
    user = make_user()
    assert sign_in(client, user.username, "wrong password") == 400
    assert sign_in(client, "no-such-user", "wrong password") == 400
    assert len(checks) == 2 and checks[0] == checks[1]  # one hash check each, with the same method and cost


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "REGISTER_RATE_LIMIT": "2 per hour"}],
                         ids=["register-2-per-hour"])
def test_registration_is_rate_limited_per_address(client):
    statuses = []
    for n in range(3):
        fresh = from_address(client, "127.0.0.1")
        statuses.append(post_form(fresh, "/register", {
            "username": f"newcomer{n}", "email": f"newcomer{n}@example.com", "password": PASSWORD,
            "confirm": PASSWORD}, page="/register").status_code)
    assert statuses == [302, 302, 429]
    assert post_form(from_address(client, "203.0.113.5"), "/register", {
        "username": "elsewhere", "email": "elsewhere@example.com", "password": PASSWORD, "confirm": PASSWORD},
        page="/register").status_code == 302


BEHIND_ONE_PROXY = {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "2 per minute", "PROXY_FIX_X_FOR": 1}


@pytest.mark.parametrize("app_config", [BEHIND_ONE_PROXY], ids=["one-proxy"])
def test_behind_a_proxy_the_client_address_comes_from_the_forwarded_header(client, factories):
    user = make_user()
    for _ in range(2):
        post_form(client, "/login", {"login": user.username, "password": "guess"},
                  headers={"X-Forwarded-For": "198.51.100.1"})
    blocked = post_form(client, "/login", {"login": user.username, "password": PASSWORD},
                        headers={"X-Forwarded-For": "198.51.100.1"})
    other = post_form(client.application.test_client(), "/login", {"login": user.username, "password": PASSWORD},
                      headers={"X-Forwarded-For": "198.51.100.2"})
    assert (blocked.status_code, other.status_code) == (429, 302)


@pytest.mark.parametrize("app_config", [RATE_LIMITED], ids=["no-proxy"])
def test_without_a_trusted_proxy_a_forged_forwarded_header_changes_nothing(client, factories):
    user = make_user()
    statuses = [post_form(client, "/login", {"login": user.username, "password": "guess"},
                          headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code for n in range(4)]
    assert statuses == [400, 400, 400, 429]
