"""Similar questions appear under the title while asking, in a real Chromium (the page works without them)."""
import shutil

import pytest

pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not shutil.which("chromium"):
    pytest.skip("chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402  (only once we know it is there)

from tests.browser.test_ask_answer_comment import log_in  # noqa: E402

pytestmark = pytest.mark.browser


def test_similar_questions_show_up_while_typing_a_title(live_server, page):
    log_in(page, live_server.url, live_server.usernames[0])
    page.goto(f"{live_server.url}/questions/ask")
    page.fill("#title", "The sync problem is back again")
    similar = page.locator(".similar-questions")
    expect(similar).to_be_visible()
    expect(similar.get_by_role("link", name="How do I fix sync problem number")).to_be_visible()
    page.fill("#title", "zz")
    expect(similar).to_be_hidden()
    assert page.js_errors == []
