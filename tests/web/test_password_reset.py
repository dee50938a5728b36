"""A forgotten password: the link by e-mail, what it refuses (expired, reused, outdated, tampered), the same answer
for unknown addresses, rate limits, CSRF, and every session ending."""
import re
import time
from contextlib import contextmanager

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from forum.extensions import db
from forum.models import AuditLogEntry, User
from forum.services.people import tokens
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_token, login, post_form, text
from tests.mailbox import MAIL_CONFIG, link_in, outbox, smtp, smtp_handler, stop_sender  # noqa: F401 (fixtures)

NEW_PASSWORD = "a brand new secret"


@pytest.fixture
def app_config(smtp, request):
    """E-mail on; `indirect` parametrisation adds settings (rate limits)."""
    return {**MAIL_CONFIG, "MAIL_PORT": smtp.port, **getattr(request, "param", {})}


@contextmanager
def links_made_ago(seconds: int):
    """Links made inside the block carry a time `seconds` in the past."""
    original = TimestampSigner.get_timestamp
    TimestampSigner.get_timestamp = lambda self: int(time.time()) - seconds
    try:
        yield
    finally:
        TimestampSigner.get_timestamp = original


def ask_for_link(client, email: str):
    return post_form(client, "/password/forgot", {"email": email}, page="/password/forgot")


def reset_link(client, user) -> str:
    response = ask_for_link(client, user.email)
    assert response.status_code == 200
    return link_in(outbox(to=user.email)[-1], "/password/reset/")


def set_password(client, link: str, password: str = NEW_PASSWORD, confirm: str | None = None, page=None):
    """Post the new-password form (its CSRF token from the form, or from `page` when the link shows none)."""
    return post_form(client, link, {"password": password, "confirm": confirm or password}, page=page or link)


def signed_in(client) -> bool:
    return client.get("/inbox").status_code == 200


def test_the_sign_in_page_links_to_the_reset_form(client):
    page = text(client.get("/login"))
    assert 'href="/password/forgot"' in page and "Forgot your password?" in page


def test_the_link_by_e_mail_sets_a_new_password_and_ends_every_session(served_app, client, smtp_handler):
    user = make_user(email="hana@example.com")
    phone = served_app.test_client()
    login(phone, user)
    link = reset_link(client, user)

    [message] = smtp_handler.wait_for(1)
    assert message["To"] == "hana@example.com" and "Choose a new password" in message["Subject"]
    assert client.get(link).status_code == 200
    response = set_password(client, link)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Your password is changed" in text(client.get("/login"))
    assert not signed_in(phone), "the other browser was signed out"

    assert post_form(client, "/login", {"login": user.username, "password": PASSWORD}).status_code == 400
    login(client, user, password=NEW_PASSWORD)
    entry = db.session.scalar(select(AuditLogEntry).where(AuditLogEntry.action == "account.password_reset"))
    assert entry.target_id == user.id and entry.actor_id == user.id


def test_an_unknown_address_gets_the_same_answer_and_no_e_mail(client):
    make_user(email="known@example.com")
    known = ask_for_link(client, "known@example.com")
    unknown = ask_for_link(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200

    def answer(response):
        return re.search(r'<main id="main".*</main>', text(response), re.S).group(0)

    assert answer(known) == answer(unknown)
    assert "If an account uses that address" in text(unknown)
    assert [email.to_address for email in outbox()] == ["known@example.com"]


def test_the_address_is_matched_regardless_of_case_and_width(client):
    user = make_user(email="aoi@example.com")
    ask_for_link(client, "ＡＯＩ@Example.com")
    assert len(outbox(to=user.email)) == 1


def test_a_link_works_once(client):
    user = make_user()
    link = reset_link(client, user)
    assert set_password(client, link).status_code == 302
    again = client.get(link)
    assert again.status_code == 400
    assert "This link was already used" in text(again)
    assert set_password(client, link, "yet another one", page="/login").status_code == 400
    login(client, user, password=NEW_PASSWORD)


def test_a_link_stops_working_after_a_password_change(client):
    user = make_user()
    link = reset_link(client, user)
    login(client, user)
    changed = post_form(client, "/users/password", {"current_password": PASSWORD, "new_password": "changed-it-9",
                                                     "confirm": "changed-it-9"}, page="/users/password")
    assert changed.status_code == 302
    response = client.get(link)
    assert response.status_code == 400 and "already used, or the account changed" in text(response)


def test_an_expired_link_says_so(client, app):
    user = make_user()
    with links_made_ago(app.config["PASSWORD_RESET_MAX_AGE"] + 5):
        link = reset_link(client, user)
    response = client.get(link)
    assert response.status_code == 400
    assert "This link has expired" in text(response)
    assert 'href="/password/forgot"' in text(response)


def test_the_expiry_is_configurable_and_defaults_to_an_hour(client, served_app):
    assert served_app.config["PASSWORD_RESET_MAX_AGE"] == 3600
    user = make_user()
    with links_made_ago(90):
        link = reset_link(client, user)
    assert client.get(link).status_code == 200
    served_app.config["PASSWORD_RESET_MAX_AGE"] = 60
    assert client.get(link).status_code == 400


@pytest.mark.parametrize("mangle", [
    lambda token: token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"),
    lambda token: "x" + token,
    lambda token: "not-a-token",
], ids=["signature", "payload", "garbage"])
def test_a_tampered_link_is_a_clear_400_page(client, mangle):
    user = make_user()
    token = reset_link(client, user).rsplit("/", 1)[1]
    response = client.get(f"/password/reset/{mangle(token)}")
    assert response.status_code == 400
    assert "This link is not valid" in text(response)
    assert set_password(client, f"/password/reset/{mangle(token)}", page="/login").status_code == 400


def test_a_verification_link_cannot_reset_a_password(client, app):
    """Tokens of one purpose are refused for another (each has its own salt)."""
    user = make_user()
    with app.test_request_context():
        token = tokens.verification_token(user, user.email)
    assert client.get(f"/password/reset/{token}").status_code == 400


def test_the_new_password_follows_the_registration_rules(client):
    user = make_user()
    link = reset_link(client, user)
    short = set_password(client, link, "short")
    assert short.status_code == 400 and "At least 8 characters" in text(short)
    mismatch = set_password(client, link, NEW_PASSWORD, confirm="something else")
    assert mismatch.status_code == 400 and "The passwords do not match." in text(mismatch)
    assert set_password(client, link).status_code == 302, "the link still works after a refused form"


def test_every_form_needs_its_csrf_token(client):
    user = make_user()
    assert client.post("/password/forgot", data={"email": user.email}).status_code == 400
    link = reset_link(client, user)
    assert client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == user.password_hash


def test_a_reset_confirms_an_unconfirmed_address(client):
    user = make_user(verified=False)
    set_password(client, reset_link(client, user))
    db.session.expire_all()
    assert db.session.get(User, user.id).email_verified_at is not None


def test_without_e_mail_the_page_says_to_ask_the_administrators(client, served_app):
    served_app.config["MAIL_SERVER"] = None
    page = client.get("/password/forgot")
    assert page.status_code == 200 and "cannot send e-mail yet" in text(page)
    make_user(email="someone@example.com")
    token = csrf_token(client, "/login")
    client.post("/password/forgot", data={"email": "someone@example.com", "csrf_token": token})
    assert outbox() == []


def test_japanese_readers_get_the_pages_and_the_e_mail_in_japanese(client):
    user = make_user(email="ja@example.com")
    user.locale = "ja"
    db.session.commit()
    client.set_cookie("locale", "ja")
    assert "パスワードをお忘れですか" in text(client.get("/login"))
    answer = ask_for_link(client, user.email)
    assert "新しいパスワードを設定するリンクをお送りしました" in text(answer)
    [email] = outbox(to=user.email)
    assert "新しいパスワードの設定" in email.subject and "60 分間" in email.body


LIMITED = {"RATELIMIT_ENABLED": True, "PASSWORD_RESET_RATE_LIMIT": "4 per hour",
           "PASSWORD_RESET_ADDRESS_RATE_LIMIT": "2 per hour"}


@pytest.mark.parametrize("app_config", [LIMITED], indirect=True, ids=["limited"])
def test_requests_are_limited_per_address_typed(client, served_app):
    make_user(email="target@example.com")
    assert [ask_for_link(client, "target@example.com").status_code for _ in range(3)] == [200, 200, 429]
    elsewhere = served_app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert ask_for_link(elsewhere, "target@example.com").status_code == 429, "per address, from anywhere"
    assert ask_for_link(elsewhere, "other@example.com").status_code == 200
    assert len(outbox(to="target@example.com")) == 2


@pytest.mark.parametrize("app_config", [LIMITED], indirect=True, ids=["limited"])
def test_requests_are_limited_per_client_address(client):
    answers = [ask_for_link(client, f"someone{n}@example.com").status_code for n in range(5)]
    assert answers == [200, 200, 200, 200, 429]
    assert "Too many requests" in text(ask_for_link(client, "more@example.com"))
    assert client.get("/password/forgot").status_code == 200, "reading the form is not limited"
