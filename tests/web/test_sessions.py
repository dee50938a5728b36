"""Sessions live on the server: logout, a password change and a suspension end them, and old cookies stop working."""
from datetime import timedelta

import pytest

from forum.extensions import db
from forum.models import Role, UserSession, utcnow
from tests.factories import PASSWORD, make_user
from tests.helpers import login, post_form, text


def signed_in(client) -> bool:
    """The inbox needs a signed-in user; a signed-out one is sent to the login page."""
    response = client.get("/inbox")
    return response.status_code == 200


def test_a_cookie_saved_before_logout_no_longer_opens_the_inbox(served_app, client):
    user = make_user()
    login(client, user)
    saved = client.get_cookie("session").value
    post_form(client, "/logout", page="/inbox")
    assert not signed_in(client)

    replay = served_app.test_client()
    replay.set_cookie("session", saved)
    response = replay.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_remember_me_cookie_is_revoked_with_its_session(served_app, client):
    user = make_user()
    post_form(client, "/login", {"login": user.username, "password": PASSWORD, "remember": "y"})
    remembered = client.get_cookie("remember_token").value

    fresh = served_app.test_client()  # a browser restart: no session cookie, only "remember me"
    fresh.set_cookie("remember_token", remembered)
    assert signed_in(fresh)

    post_form(client, "/logout", page="/inbox")
    after = served_app.test_client()
    after.set_cookie("remember_token", remembered)
    assert not signed_in(after)


def test_a_password_change_signs_out_every_other_session(served_app, client):
    user = make_user()
    other = served_app.test_client()
    login(client, user)
    login(other, user)

    response = post_form(client, "/users/password", {"current_password": PASSWORD, "new_password": "a-new-secret-9",
                                                     "confirm": "a-new-secret-9"}, page="/users/password")
    assert response.status_code == 302
    assert signed_in(client), "the browser that changed the password stays signed in"
    assert not signed_in(other)


def test_a_suspension_signs_the_user_out_everywhere(served_app, client):
    moderator = make_user(role=Role.MODERATOR)
    user = make_user()
    users_browser = served_app.test_client()
    login(users_browser, user)
    login(client, moderator)
    post_form(client, f"/users/{user.id}/suspend", {"days": "3", "reason": "Posting spam links"},
              page=f"/users/{user.id}")
    assert not signed_in(users_browser)
    assert signed_in(client)


def test_the_sessions_page_lists_browsers_and_signs_one_out(served_app, client):
    user = make_user()
    phone = served_app.test_client()
    login(phone, user)
    login(client, user)

    page = text(client.get("/users/sessions"))
    assert page.count('data-session-id=') == 2 and "This browser" in page
    phone_session = db.session.scalars(
        db.select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)).first()

    response = post_form(client, f"/users/sessions/{phone_session.id}/end", page="/users/sessions")
    assert response.status_code == 302
    assert not signed_in(phone) and signed_in(client)
    assert text(client.get("/users/sessions")).count('data-session-id=') == 1


def test_nobody_can_end_someone_elses_session(served_app, client):
    victim, attacker = make_user(), make_user()
    victims_browser = served_app.test_client()
    login(victims_browser, victim)
    victim_session = db.session.scalar(db.select(UserSession).where(UserSession.user_id == victim.id))
    login(client, attacker)

    response = post_form(client, f"/users/sessions/{victim_session.id}/end", page="/users/sessions")
    assert response.status_code == 404
    assert signed_in(victims_browser)


def test_sign_out_all_other_sessions_keeps_this_one(served_app, client):
    user = make_user()
    others = [served_app.test_client() for _ in range(2)]
    for browser in others:
        login(browser, user)
    login(client, user)
    response = post_form(client, "/users/sessions/others/end", page="/users/sessions")
    assert response.status_code == 302
    assert signed_in(client) and not any(signed_in(browser) for browser in others)


def test_ending_sessions_needs_the_csrf_token(client):
    login(client, make_user())
    assert client.post("/users/sessions/others/end").status_code == 400


def test_a_session_idle_longer_than_allowed_is_refused(app, client):
    user = make_user()
    login(client, user)
    idle = timedelta(days=app.config["SESSION_MAX_IDLE_DAYS"] + 1)
    db.session.execute(db.update(UserSession).values(last_seen_at=utcnow() - idle))
    db.session.commit()
    assert not signed_in(client)


@pytest.mark.parametrize("bare_id", ["1", "0"])
def test_a_cookie_holding_a_bare_user_id_signs_nobody_in(served_app, bare_id):
    """Cookies from before server-side sessions named the user id: they must not sign anyone in now."""
    make_user()
    browser = served_app.test_client()
    with browser.session_transaction() as session:
        session["_user_id"], session["_fresh"] = bare_id, True
    assert not signed_in(browser)
