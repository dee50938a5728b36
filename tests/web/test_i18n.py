"""The UI speaks Japanese and English: user setting, then language cookie, then Accept-Language."""

from forum.extensions import db
from tests.helpers import login, post_form, text


def test_english_is_the_default(client):
    page = text(client.get("/questions"))
    assert "Ask a question" in page and '<html lang="en">' in page


def test_browser_language_japanese_gets_the_japanese_ui(client):
    page = text(client.get("/questions", headers={"Accept-Language": "ja,en;q=0.8"}))
    assert '<html lang="ja">' in page
    assert "質問する" in page or "質問" in page
    assert "Ask a question" not in page


def test_language_link_sets_a_cookie_that_beats_the_browser(client):
    response = client.get("/lang/ja?next=/tags")
    assert response.status_code == 302 and response.headers["Location"].endswith("/tags")
    page = text(client.get("/tags", headers={"Accept-Language": "en"}))
    assert '<html lang="ja">' in page


def test_language_link_does_not_redirect_off_site(client):
    response = client.get("/lang/en?next=https://evil.example/")
    assert "evil.example" not in response.headers["Location"]


def test_user_setting_beats_cookie_and_browser(client, factories):
    user = factories.user()
    user.locale = "ja"
    db.session.commit()
    client.get("/lang/en")  # a cookie from before signing in
    login(client, user)
    page = text(client.get("/questions", headers={"Accept-Language": "en"}))
    assert '<html lang="ja">' in page


def test_footer_link_switches_a_signed_in_member_and_offers_to_save(client, factories):
    user = factories.user()
    user.locale = "ja"
    db.session.commit()
    login(client, user)
    client.get("/lang/en?next=/tags")
    page = text(client.get("/tags"))
    assert '<html lang="en">' in page and "Save English as my language" in page
    page = text(client.get("/tags"))
    assert '<html lang="en">' in page and "Save English as my language" not in page  # offered once
    db.session.refresh(user)
    assert user.locale == "ja"  # not saved until asked


def test_footer_choice_can_be_saved(client, factories):
    user = factories.user()
    user.locale = "ja"
    db.session.commit()
    login(client, user)
    client.get("/lang/en")
    response = post_form(client, "/lang/en/save", {"next": "/tags"}, page="/tags")
    assert response.status_code == 302 and response.headers["Location"].endswith("/tags")
    db.session.refresh(user)
    assert user.locale == "en"
    assert "Your language is saved." in text(client.get("/tags"))


def test_footer_choice_ends_with_the_sign_in(client, factories):
    user = factories.user()
    user.locale = "ja"
    db.session.commit()
    login(client, user)
    client.get("/lang/en")
    post_form(client, "/logout", page="/questions")
    client.get("/lang/en")  # the cookie, for the signed-out visitor
    login(client, user)
    assert '<html lang="ja">' in text(client.get("/questions"))


def test_validation_errors_are_translated(client, factories):
    login(client, factories.user())
    response = post_form(client, "/questions/ask", {"title": "短い", "body": "短い本文", "tags": "sync"},
                         headers={"Accept-Language": "ja"})
    assert response.status_code == 400
    assert "タイトル" in text(response)


def test_relative_times_are_localised(client, factories):
    factories.question(title="A question to show relative dates in Japanese")
    page = text(client.get("/questions", headers={"Accept-Language": "ja"}))
    assert "前" in page  # e.g. "1 分前"
