"""Issue 15, content in two languages: the question list shows the reader's UI language, "All languages" is one
click away, and tabs keep the choice; the filter fits a 390 px phone and a 1280 px desktop."""
import shutil

import pytest

pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not shutil.which("chromium"):
    pytest.skip("chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from forum.extensions import db  # noqa: E402
from tests.factories import make_question  # noqa: E402

pytestmark = pytest.mark.browser

JA_TITLE = "同期が五分で止まってしまいます"
EN_TITLE = "Sync stops after five minutes on the desktop app"


@pytest.fixture(scope="module")
def questions(live_server):
    with live_server.app.app_context():
        make_question(title=JA_TITLE, body="デスクトップのアプリで同期を始めると、五分ほどで止まってしまいます。",
                      tags="sync desktop")
        make_question(title=EN_TITLE, body="The desktop app stops syncing after about five minutes, every time.",
                      tags="sync desktop")
        db.session.remove()


def titles(page) -> list[str]:
    return page.locator(".question-list h3 a").all_inner_texts()


@pytest.mark.parametrize("width", [1280, 390])
def test_switching_the_language_filter_on_the_question_list(page, live_server, questions, width):
    page.set_viewport_size({"width": width, "height": 844})
    page.goto(f"{live_server.url}/questions")
    shown = titles(page)
    assert EN_TITLE in shown and JA_TITLE not in shown  # an English browser: English questions
    filter_nav = page.locator("nav.language-filter")
    expect(filter_nav.locator('[aria-current="true"]')).to_have_text("English")

    filter_nav.get_by_role("link", name="All languages").click()
    expect(page).to_have_url(f"{live_server.url}/questions?lang=all")
    shown = titles(page)
    assert EN_TITLE in shown and JA_TITLE in shown
    page.locator("nav.tabs").get_by_role("link", name="Votes").click()  # the tab keeps the choice
    assert "lang=all" in page.url and "tab=votes" in page.url
    assert JA_TITLE in titles(page)

    page.locator("nav.language-filter").get_by_role("link", name="日本語").click()
    shown = titles(page)
    assert JA_TITLE in shown and EN_TITLE not in shown
    # Every filter link is on screen and the page does not scroll sideways.
    for link in page.locator("nav.language-filter a").all():
        expect(link).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.js_errors == []


def test_a_japanese_browser_sees_japanese_questions_first(browser, live_server, questions):
    context = browser.new_context(locale="ja-JP")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/questions")
        shown = titles(page)
        assert JA_TITLE in shown and EN_TITLE not in shown
        page.locator("nav.language-filter a[data-lang=all]").click()
        assert EN_TITLE in titles(page)
    finally:
        context.close()
