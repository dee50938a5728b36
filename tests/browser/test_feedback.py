"""'Did this solve your problem?' in Chromium: answered and changed without a reload, by visitors and members."""
import shutil

import pytest

from tests.factories import make_question

pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not shutil.which("chromium"):
    pytest.skip("chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from tests.browser.test_ask_answer_comment import log_in  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def thread_url(live_server):
    with live_server.app.app_context():
        question = make_question(title="Why does the widget forget my reading position?", tags="sync desktop")
        return f"{live_server.url}/questions/{question.id}/{question.slug}"


def choice(page, name: str):
    return page.locator("#feedback").get_by_role("button", name=name, exact=True)


def answer_without_reload(page, name: str, message: str) -> None:
    page.evaluate("window.notReloaded = true")
    choice(page, name).click()
    expect(page.locator("#feedback .feedback-message")).to_have_text(message)
    expect(choice(page, name)).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.notReloaded") is True


def test_a_visitor_answers_and_changes_their_mind(page, live_server, thread_url):
    page.goto(thread_url)
    expect(choice(page, "Resolved")).to_have_attribute("aria-pressed", "false")
    answer_without_reload(page, "Helpful, but not resolved", "Thank you for your feedback.")
    answer_without_reload(page, "Resolved", "Your answer is changed. Thank you.")
    expect(choice(page, "Helpful, but not resolved")).to_have_attribute("aria-pressed", "false")
    page.reload()  # the visitor cookie remembers the answer
    expect(choice(page, "Resolved")).to_have_attribute("aria-pressed", "true")
    assert page.js_errors == []


def test_a_member_answers_with_their_csrf_token(page, live_server, thread_url):
    log_in(page, live_server.url, live_server.usernames[1])
    page.goto(thread_url)
    answer_without_reload(page, "Not helpful", "Thank you for your feedback.")
    page.reload()
    expect(choice(page, "Not helpful")).to_have_attribute("aria-pressed", "true")
    assert page.js_errors == []
