"""Signing up, in and out through the real forms (CSRF on), and the `users create` command."""
import re

import pytest
from sqlalchemy import select

from forum.models import Role, User
from tests.factories import PASSWORD
from tests.helpers import csrf_token, login, post_form, text

GENERIC_LOGIN_ERROR = "Incorrect username, e-mail or password."


def register(client, username="newbie", email="newbie@example.com", password="long enough pw", **extra):
    data = {"username": username, "email": email, "password": password, "confirm": password, **extra}
    return post_form(client, "/register", data, page="/register")


def signed_in_as(client) -> str | None:
    """The username shown in the header's account link, or None when signed out."""
    match = re.search(r'<span class="me-name">([^<]+)</span>', text(client.get("/questions")))
    return match.group(1) if match else None


def form_error(response) -> str:
    match = re.search(r'<div class="flash flash-error" role="alert">(.*?)</div>', text(response), re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split()) if match else ""


# --- registration -------------------------------------------------------------------------------------------

def test_register_creates_the_account_and_signs_in(client, db):
    response = register(client, username="Newbie")
    assert response.status_code == 302
    assert response.headers["Location"] == "/questions"
    assert "Welcome to the community, Newbie!" in text(client.get("/questions"))
    assert signed_in_as(client) == "Newbie"
    user = db.session.scalar(select(User).where(User.username_key == "newbie"))
    assert user.role == Role.MEMBER


def test_register_follows_a_safe_next(client, db):
    response = register(client, next="/users")
    assert response.headers["Location"] == "/users"


def test_register_with_a_taken_username_shows_an_error_and_keeps_the_typed_values(client, factories):
    factories.user(username="Aoi")
    response = register(client, username="aoi", email="typed@example.com")
    assert response.status_code == 400
    page = text(response)
    assert "That username is taken." in page
    assert 'value="aoi"' in page
    assert 'value="typed@example.com"' in page
    assert 'value="long enough pw"' not in page  # passwords are never echoed back
    assert signed_in_as(client) is None


def test_register_with_a_taken_email_shows_an_error(client, factories):
    factories.user(email="aoi@example.com")
    response = register(client, username="another", email="AOI@example.com")
    assert response.status_code == 400
    assert "An account with that e-mail address already exists." in text(response)


@pytest.mark.parametrize("field, value, message", [
    ("username", "has space", "Use 3-30 letters"),
    ("email", "not-an-email", "Enter a valid e-mail address."),
    ("password", "short", "between 8 and 256 characters"),
])
def test_register_with_invalid_input_is_400_with_a_message(client, db, field, value, message):
    data = {"username": "valid_name", "email": "valid@example.com", "password": "long enough pw"}
    data[field] = value
    response = register(client, **data)
    assert response.status_code == 400
    assert message in text(response)
    assert db.session.scalar(select(User.id)) is None


def test_register_with_mismatched_passwords_is_refused(client, db):
    data = {"username": "mismatch", "email": "m@example.com", "password": "long enough pw",
            "confirm": "something else"}
    response = post_form(client, "/register", data, page="/register")
    assert response.status_code == 400
    assert "The passwords do not match." in text(response)


# --- logging in ---------------------------------------------------------------------------------------------

def test_login_with_username_or_email_in_any_case(client, factories):
    factories.user(username="Kenji", email="kenji@example.com")
    for login_as in ("Kenji", "kenji", "kenji@example.com", "KENJI@EXAMPLE.COM"):
        browser = client.application.test_client()
        response = post_form(browser, "/login", {"login": login_as, "password": PASSWORD})
        assert response.status_code == 302, login_as
        assert signed_in_as(browser) == "Kenji", login_as


def test_wrong_password_and_unknown_user_get_the_same_generic_message(client, factories):
    factories.user(username="kenji")
    wrong_password = post_form(client, "/login", {"login": "kenji", "password": "not the password"})
    unknown_user = post_form(client, "/login", {"login": "nobody", "password": "not the password"})
    assert wrong_password.status_code == unknown_user.status_code == 400
    assert form_error(wrong_password) == form_error(unknown_user) == GENERIC_LOGIN_ERROR
    assert "kenji" not in form_error(wrong_password)
    assert signed_in_as(client) is None


def test_login_keeps_the_typed_login_but_not_the_password(client, factories):
    factories.user(username="kenji")
    response = post_form(client, "/login", {"login": "kenji", "password": "not the password"})
    assert 'value="kenji"' in text(response)
    assert "not the password" not in text(response)


def test_pages_that_need_an_account_send_visitors_to_login_with_next(client, db):
    response = client.get("/questions/ask")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "Please log in to continue." in text(client.get(response.headers["Location"]))


NEXT_TARGETS = {
    "/questions/1": "/questions/1",
    "/users?sort=name": "/users?sort=name",
    "https://evil.example/": "/questions",
    "//evil.example": "/questions",
    "/\\evil.example": "/questions",
    "/\\\\evil.example": "/questions",
    "\\\\evil.example": "/questions",
    "/\t/evil.example": "/questions",
    "javascript:alert(1)": "/questions",
    "http:/evil.example": "/questions",
    "": "/questions",
}


def test_login_follows_next_only_for_same_site_paths(client, factories):
    user = factories.user()
    for target, expected in NEXT_TARGETS.items():
        browser = client.application.test_client()
        response = post_form(browser, "/login", {"login": user.username, "password": PASSWORD, "next": target})
        assert response.status_code == 302, target
        assert response.headers["Location"] == expected, target


def test_signed_in_visit_to_login_follows_only_safe_next(client, factories):
    login(client, factories.user())
    for target, expected in NEXT_TARGETS.items():
        response = client.get("/login", query_string={"next": target})
        assert response.status_code == 302, target
        assert response.headers["Location"] == expected, target


def test_language_switch_does_not_redirect_off_site(client, db):
    response = client.get("/lang/ja", query_string={"next": "//evil.example"})
    assert response.headers["Location"] == "/questions"
    assert client.get("/lang/ja", query_string={"next": "/tags"}).headers["Location"] == "/tags"


# --- logging out --------------------------------------------------------------------------------------------

def test_logout_by_get_is_not_allowed(client, factories):
    login(client, factories.user(username="kenji"))
    assert client.get("/logout").status_code == 405
    assert signed_in_as(client) == "kenji"


def test_logout_post_without_csrf_token_is_refused(client, factories):
    login(client, factories.user(username="kenji"))
    response = client.post("/logout")
    assert response.status_code == 400
    assert signed_in_as(client) == "kenji"


def test_logout_post_with_token_signs_out(client, factories):
    login(client, factories.user(username="kenji"))
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/questions")})
    assert response.status_code == 302
    assert signed_in_as(client) is None
    assert client.get("/questions/ask").status_code == 302  # back to needing a login


# --- changing the password ----------------------------------------------------------------------------------

def change_password(client, current, new, confirm=None):
    return post_form(client, "/users/password", {
        "current_password": current, "new_password": new, "confirm": confirm or new,
    }, page="/users/password")


def test_change_password_through_the_form(client, factories):
    user = factories.user(username="kenji")
    login(client, user)
    response = change_password(client, PASSWORD, "my new password")
    assert response.status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/questions")})
    old = post_form(client, "/login", {"login": "kenji", "password": PASSWORD})
    assert old.status_code == 400
    new = post_form(client, "/login", {"login": "kenji", "password": "my new password"})
    assert new.status_code == 302


def test_change_password_with_wrong_current_password_shows_an_error(client, factories):
    login(client, factories.user(username="kenji"))
    response = change_password(client, "not my password", "my new password")
    assert response.status_code == 400
    assert "Your current password is not correct." in text(response)


def test_change_password_with_mismatched_confirmation_shows_an_error(client, factories):
    login(client, factories.user(username="kenji"))
    response = change_password(client, PASSWORD, "my new password", confirm="my other password")
    assert response.status_code == 400
    assert "The passwords do not match." in text(response)


def test_change_password_needs_a_login(client, db):
    assert client.get("/users/password").status_code == 302


# --- the command line ---------------------------------------------------------------------------------------

def test_users_create_command_creates_an_admin(runner, db):
    result = runner.invoke(args=["users", "create", "boss", "--email", "b@example.com",
                                 "--password", "longpassword", "--role", "admin"])
    assert result.exit_code == 0, result.output
    assert "Created admin boss" in result.output
    user = db.session.scalar(select(User).where(User.username_key == "boss"))
    assert user.role == Role.ADMIN
    assert user.email == "b@example.com"
    assert user.password_hash != "longpassword"
    assert user.email_verified_at is not None, "an administrator vouches for the address"


def test_users_create_command_refuses_a_duplicate_with_a_clear_message(runner, db):
    args = ["users", "create", "boss", "--email", "b@example.com", "--password", "longpassword", "--role", "admin"]
    assert runner.invoke(args=args).exit_code == 0
    duplicate = runner.invoke(args=["users", "create", "BOSS", "--email", "other@example.com",
                                    "--password", "longpassword"])
    assert duplicate.exit_code != 0
    assert "That username is taken." in duplicate.output
    assert "Traceback" not in duplicate.output
    assert db.session.scalar(select(User.email).where(User.username_key == "boss")) == "b@example.com"


def test_users_create_command_refuses_a_short_password(runner, db):
    result = runner.invoke(args=["users", "create", "boss", "--email", "b@example.com", "--password", "short"])
    assert result.exit_code != 0
    assert "at least 8 characters" in result.output


def test_created_admin_can_sign_in_through_the_form(runner, client, db):
    runner.invoke(args=["users", "create", "boss", "--email", "b@example.com", "--password", "longpassword",
                        "--role", "admin"])
    response = post_form(client, "/login", {"login": "b@example.com", "password": "longpassword"})
    assert response.status_code == 302
    assert signed_in_as(client) == "boss"
