"""Confirming e-mail addresses: at sign-up (banner, resend, no notifications until confirmed) and before a new
address from the settings replaces the old one."""
import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import AuditLogEntry, User
from tests.factories import PASSWORD, make_question, make_user
from tests.helpers import login, post_form, question_url, text
from tests.mailbox import MAIL_CONFIG, link_in, outbox, smtp, smtp_handler, stop_sender  # noqa: F401 (fixtures)
from tests.web.test_password_reset import links_made_ago

ANSWER = "Sign out, sign in again and then re-run the sync from the menu."


@pytest.fixture
def app_config(smtp, request):
    return {**MAIL_CONFIG, "MAIL_PORT": smtp.port, **getattr(request, "param", {})}


def sign_up(client, username="newbie", email="newbie@example.com"):
    data = {"username": username, "email": email, "password": "long enough pw", "confirm": "long enough pw"}
    response = post_form(client, "/register", data, page="/register")
    assert response.status_code == 302, text(response)[:300]
    return db.session.scalar(select(User).where(User.username_key == username))


def fresh(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def answer(client, question):
    login(client, make_user())
    return post_form(client, f"/questions/{question.id}/answer", {"body": ANSWER}, page=question_url(question))


def change_email(client, email, password=PASSWORD):
    return post_form(client, "/users/settings/email", {"email": email, "password": password},
                     page="/users/settings/email")


def test_sign_up_sends_a_link_and_shows_a_banner_until_it_is_followed(client):
    user = sign_up(client)
    assert user.email_verified_at is None
    page = text(client.get("/questions"))
    assert "We sent a link to newbie@example.com" in page
    assert "Please confirm your e-mail address newbie@example.com" in page and "Send the link again" in page
    [email] = outbox(to="newbie@example.com")
    assert "Confirm your e-mail address" in email.subject

    response = client.get(link_in(email, "/verify-email/"))
    assert response.status_code == 302
    page = text(client.get("/questions"))
    assert "your e-mail address is confirmed" in page and "Please confirm your e-mail address" not in page
    assert fresh(user).email_verified_at is not None
    client.get(link_in(email, "/verify-email/"))
    assert "already confirmed" in text(client.get("/questions"))


def test_an_unconfirmed_member_may_ask_but_gets_no_e_mail_until_confirmed(client, served_app):
    asker_browser = served_app.test_client()
    asker = sign_up(asker_browser, "asker", "asker@example.com")
    ask = post_form(asker_browser, "/questions/ask", {"title": "Sync stops after five minutes on Windows",
                                                      "body": "The desktop app stops syncing after five minutes.",
                                                      "tags": "sync"}, page="/questions/ask")
    assert ask.status_code == 302, "unconfirmed members may ask"
    question = make_question(author=fresh(asker))
    answer(client, question)
    assert [e.subject for e in outbox(to="asker@example.com")] == ["[Kotae] Confirm your e-mail address"]
    assert "answered your question" in text(asker_browser.get("/inbox")), "the inbox still has it"

    asker_browser.get(link_in(outbox(to="asker@example.com")[0], "/verify-email/"))
    answer(served_app.test_client(), question)
    assert any("answered your question" in e.subject for e in outbox(to="asker@example.com"))


@pytest.mark.parametrize("app_config", [{"REQUIRE_VERIFIED_EMAIL_FOR_MAIL": False}], indirect=True, ids=["off"])
def test_the_rule_can_be_switched_off(client):
    asker = make_user(email="asker@example.com", verified=False)
    answer(client, make_question(author=asker))
    assert any("answered your question" in e.subject for e in outbox(to="asker@example.com"))


def test_resend_needs_csrf_and_sends_a_new_link(client):
    sign_up(client)
    assert client.post("/verify-email/resend").status_code == 400
    response = post_form(client, "/verify-email/resend", {"next": "/tags"}, page="/questions")
    assert response.status_code == 302 and response.headers["Location"] == "/tags"
    assert len(outbox(to="newbie@example.com")) == 2


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "VERIFICATION_EMAIL_RATE_LIMIT": "2 per hour"}],
                         indirect=True, ids=["limited"])
def test_resend_is_rate_limited(client):
    sign_up(client)
    codes = [post_form(client, "/verify-email/resend", page="/questions").status_code for _ in range(3)]
    assert codes == [302, 302, 429]


def test_an_expired_or_tampered_confirmation_link_is_a_clear_page(client, app):
    with links_made_ago(app.config["EMAIL_VERIFICATION_MAX_AGE"] + 5):
        user = sign_up(client)
    link = link_in(outbox(to=user.email)[0], "/verify-email/")
    expired = client.get(link)
    assert expired.status_code == 400 and "This link has expired" in text(expired)
    tampered = client.get(link[:-2] + "xx")
    assert tampered.status_code == 400 and "This link is not valid" in text(tampered)
    assert fresh(user).email_verified_at is None


def test_a_new_address_is_used_only_once_confirmed_and_the_old_one_is_told(client):
    user = make_user(username="hana", email="old@example.com")
    login(client, user)
    response = change_email(client, "New@Example.com")
    assert response.status_code == 302
    assert "Your address changes once you follow it" in text(client.get("/users/settings"))
    assert fresh(user).email == "old@example.com"
    [email] = outbox(to="new@example.com")
    assert "new@example.com" in email.body

    assert client.get(link_in(email, "/verify-email/")).status_code == 302
    assert "Your e-mail address is now new@example.com" in text(client.get("/questions"))
    changed = fresh(user)
    assert changed.email == "new@example.com" and changed.email_verified_at is not None
    [notice] = outbox(to="old@example.com")
    assert "was changed" in notice.subject and "n***@example.com" in notice.body and "new@example.com" not in notice.body
    assert db.session.scalar(select(AuditLogEntry.id).where(AuditLogEntry.action == "account.email_change"))
    again = client.get(link_in(email, "/verify-email/"))  # a second click: nothing left to do, and nothing breaks
    assert again.status_code == 302 and "already confirmed" in text(client.get("/questions"))


def test_changing_the_address_needs_the_password_and_a_free_address(client):
    make_user(email="taken@example.com")
    user = make_user(email="mine@example.com")
    login(client, user)
    wrong = change_email(client, "new@example.com", password="not my password")
    assert wrong.status_code == 400 and "Your password is not correct." in text(wrong)
    taken = change_email(client, "TAKEN@example.com")
    assert taken.status_code == 400 and "already exists" in text(taken)
    assert outbox() == []
    assert client.post("/users/settings/email", data={"email": "x@example.com", "password": PASSWORD}).status_code \
        == 400, "CSRF"


def test_a_link_for_an_address_taken_meanwhile_is_refused(client):
    user = make_user(email="mine@example.com")
    login(client, user)
    change_email(client, "wanted@example.com")
    link = link_in(outbox(to="wanted@example.com")[0], "/verify-email/")
    make_user(email="wanted@example.com")
    response = client.get(link)
    assert response.status_code == 409
    assert fresh(user).email == "mine@example.com"


def test_an_older_change_link_dies_once_another_change_went_through(client):
    user = make_user(email="mine@example.com")
    login(client, user)
    change_email(client, "first@example.com")
    change_email(client, "second@example.com")
    first = link_in(outbox(to="first@example.com")[0], "/verify-email/")
    client.get(link_in(outbox(to="second@example.com")[0], "/verify-email/"))
    response = client.get(first)
    assert response.status_code == 400 and "already used" in text(response)
    assert fresh(user).email == "second@example.com"


def test_without_e_mail_a_change_is_refused_with_a_reason(client, served_app):
    served_app.config["MAIL_SERVER"] = None
    user = make_user(email="mine@example.com")
    login(client, user)
    assert "cannot send e-mail yet" in text(client.get("/users/settings/email"))
    response = change_email(client, "new@example.com")
    assert response.status_code == 400 and "cannot be confirmed" in text(response)
    assert fresh(user).email == "mine@example.com"
    assert "Please confirm your e-mail address" not in text(client.get("/questions")), "no banner without e-mail"


def test_settings_link_to_the_address_and_privacy_pages(client):
    login(client, make_user())
    page = text(client.get("/users/settings"))
    assert 'href="/users/settings/email"' in page and 'href="/users/settings/privacy"' in page


def test_japanese_members_get_the_confirmation_in_japanese(client):
    client.set_cookie("locale", "ja")
    user = sign_up(client, "hikari", "hikari@example.com")
    user.locale = "ja"
    db.session.commit()
    send = post_form(client, "/verify-email/resend", page="/questions")
    assert send.status_code == 302
    latest = outbox(to="hikari@example.com")[-1]
    assert "メールアドレスの確認" in latest.subject and "リンクの有効期間は 3 日です" in latest.body
    assert "メールアドレス hikari@example.com を確認してください" in text(client.get("/questions"))
