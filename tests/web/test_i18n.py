"""The UI speaks Japanese and English: user setting, then language cookie, then Accept-Language."""
import pytest

from forum.extensions import db
from tests.helpers import login, text


@pytest.fixture(autouse=True)
def compiled_catalogs(app):
    """`make test` compiles the catalogs; compile here too so `pytest` alone works."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from forum.i18n import TRANSLATIONS

    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)


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
    login(client, user)
    client.get("/lang/en")
    page = text(client.get("/questions", headers={"Accept-Language": "en"}))
    assert '<html lang="ja">' in page


def test_validation_errors_are_translated(client, factories):
    from tests.helpers import post_form

    login(client, factories.user())
    response = post_form(client, "/questions/ask", {"title": "短い", "body": "短い本文", "tags": "sync"},
                         headers={"Accept-Language": "ja"})
    assert response.status_code == 400
    assert "タイトル" in text(response)


def test_relative_times_are_localised(client, factories):
    factories.question(title="A question to show relative dates in Japanese")
    page = text(client.get("/questions", headers={"Accept-Language": "ja"}))
    assert "前" in page  # e.g. "1 分前"
