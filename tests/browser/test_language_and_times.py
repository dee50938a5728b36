"""Issue 15: the footer's language link for a member who saved a language, and "just now" for fresh posts."""
import shutil

import pytest

from tests.factories import PASSWORD, make_question, make_user

pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not shutil.which("chromium"):
    pytest.skip("chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from forum.extensions import db  # noqa: E402
from forum.models import User  # noqa: E402

pytestmark = pytest.mark.browser

WIDTHS = [1280, 390]


@pytest.fixture(scope="module")
def members(live_server):
    """Members who saved Japanese (one per width for the footer test, "kana" to comment) and a question."""
    with live_server.app.app_context():
        for username in [f"kana{width}" for width in WIDTHS] + ["kana"]:
            user = make_user(username=username)
            user.locale = "ja"
            user.reputation = live_server.app.config["PRIVILEGES"]["comment"]
        question = make_question(title="同期が数分で止まります: エラー E1023 の直し方は?", tags="sync desktop")
        db.session.commit()
        url = f"/questions/{question.id}/{question.slug}"
        db.session.remove()
    return {"question": url}


def saved_locale(live_server, username: str) -> str | None:
    with live_server.app.app_context():
        locale = db.session.scalar(db.select(User.locale).where(User.username == username))
        db.session.remove()
    return locale


def log_in_japanese(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#login", username)
    page.fill("#password", PASSWORD)
    page.locator("form.card-form button[type=submit]").click()
    expect(page.locator(".topbar .me-name")).to_have_text(username)
    expect(page.locator("html")).to_have_attribute("lang", "ja")


@pytest.mark.parametrize("width", WIDTHS)
def test_footer_link_switches_a_member_who_saved_a_language_and_offers_to_save(page, live_server, members, width):
    page.set_viewport_size({"width": width, "height": 900})
    username = f"kana{width}"
    log_in_japanese(page, live_server.url, username)

    page.goto(live_server.url + "/tags")
    page.locator(".footer .languages").get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith("/tags")
    expect(page.locator(".footer .languages a[lang=en]")).to_have_attribute("aria-current", "true")
    offer = page.locator(".language-offer")
    expect(offer).to_contain_text("You are reading Kotae in English until you log out.")
    save = offer.get_by_role("button", name="Save English as my language")
    expect(save).to_be_visible()
    assert saved_locale(live_server, username) == "ja"  # switching alone saves nothing

    page.goto(live_server.url + "/users")
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the switch lasts
    expect(page.locator(".language-offer")).to_have_count(0)  # and is offered once
    page.goto(live_server.url + "/lang/ja?next=/tags")  # back to the saved language: nothing to offer
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator(".language-offer")).to_have_count(0)

    page.locator(".footer .languages").get_by_role("link", name="English").click()
    page.locator(".language-offer").get_by_role("button", name="Save English as my language").click()
    expect(page.locator(".flash", has_text="Your language is saved.")).to_be_visible()
    assert page.url.endswith("/tags")
    assert saved_locale(live_server, username) == "en"
    assert page.js_errors == []


def test_a_fresh_comment_and_last_seen_read_just_now_in_japanese(page, live_server, members):
    log_in_japanese(page, live_server.url, "kana")
    page.goto(live_server.url + members["question"])
    comments = page.locator("#question .comments")
    comments.locator(".comment-form summary").click()
    comments.locator("textarea[name=body]").fill("アプリのバージョンはいくつですか? 設定画面で確認できます。")
    comments.locator(".comment-form button[type=submit]").click()
    stamp = page.locator("#question .comment-list .comment time").last
    expect(stamp).to_have_text("たった今")  # was "0 秒後": a time in the future

    page.locator(".topbar .me").click()
    expect(page.locator("h1")).to_contain_text("kana")
    expect(page.locator(".profile-head")).to_contain_text("最終アクセス: たった今")  # signed in a moment ago
    assert "後" not in page.locator(".profile-head").inner_text()
    assert page.js_errors == []
