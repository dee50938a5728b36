"""One member asks (with the live preview), another answers and comments, in a real Chromium with CSRF on."""
import shutil

import pytest

from tests.factories import PASSWORD

pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not shutil.which("chromium"):
    pytest.skip("chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402  (only once we know it is there)

pytestmark = pytest.mark.browser

TITLE = "Sync stops with error E1023 after the update"
BODY = (
    "Since version 4.2 the desktop app stops syncing after a few minutes.\n\n"
    "```python\nclient.sync(folder='Documents')  # raises SyncError: E1023\n```\n"
)
ANSWER = "Clear the sync cache under Settings > Advanced, then sign in again; E1023 goes away."
COMMENT = "Does this also happen on the mobile app?"


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#login", username)
    page.fill("#password", PASSWORD)
    page.locator("form.card-form button[type=submit]").click()
    expect(page.locator(".topbar .me-name")).to_have_text(username)


def log_out(page) -> None:
    page.locator(".topbar").get_by_role("button", name="Log out").click()
    expect(page.locator(".flash", has_text="You have logged out.")).to_be_visible()
    expect(page.locator(".topbar").get_by_role("link", name="Log in")).to_be_visible()


def ask_question(page) -> None:
    page.locator(".topbar").get_by_role("link", name="Ask a question").click()
    expect(page.locator("h1")).to_have_text("Ask a question")
    page.fill("#title", TITLE)
    page.fill("#body", BODY)
    # The preview is rendered by the server (a POST carrying the CSRF header) after a short pause.
    preview = page.locator(".preview")
    expect(preview).to_be_visible()
    expect(preview.locator(".preview-body div.highlight")).to_contain_text("client.sync(folder='Documents')")
    expect(preview.locator(".preview-body p")).to_contain_text("stops syncing after a few minutes")
    page.fill("#tags", "sync desktop")  # tags seeded by live_server
    page.get_by_role("button", name="Post your question").click()
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator(".flash", has_text="Your question is posted.")).to_be_visible()
    expect(page.locator("#question .post-body div.highlight")).to_contain_text("SyncError: E1023")
    expect(page.locator("#question .tags")).to_contain_text("desktop")


def answer_question(page, base_url: str, author: str) -> None:
    page.goto(f"{base_url}/questions")
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator("#answers h2")).to_have_text("0 answers")
    page.fill("#body", ANSWER)
    page.get_by_role("button", name="Post your answer").click()
    expect(page.locator(".flash", has_text="Thank you for answering!")).to_be_visible()
    expect(page.locator("#answers h2")).to_have_text("1 answer")
    answer = page.locator(".post.answer")
    expect(answer.locator(".post-body")).to_contain_text("Clear the sync cache")
    expect(answer.locator(".user-link")).to_have_text(author)


def comment_on_question(page, author: str) -> None:
    comments = page.locator("#question .comments")
    textarea = comments.locator("textarea[name=body]")
    expect(textarea).to_be_hidden()  # closed <details> until the reader asks for the box
    comments.get_by_text("Add a comment").click()
    textarea.fill(COMMENT)
    comments.get_by_role("button", name="Add comment").click()
    comment = page.locator("#question .comment-list .comment")
    expect(comment).to_have_count(1)
    expect(comment.locator(".comment-body")).to_have_text(COMMENT)
    expect(comment.locator(".user-link")).to_have_text(author)


def delete_own_comment(page) -> None:
    """The delete button asks first: dismissing keeps the comment, accepting deletes it."""
    dialogs = []

    def answer_dialog(dialog):
        dialogs.append((dialog.type, dialog.message))
        if len(dialogs) == 1:
            dialog.dismiss()
        else:
            dialog.accept()

    page.on("dialog", answer_dialog)
    delete = page.locator("#question .comment").get_by_role("button", name="delete")
    page.evaluate("window.stillThisPage = true")  # a navigation (the form posting anyway) would drop it
    delete.click()
    assert page.evaluate("window.stillThisPage === true"), "the form was sent although the dialog was dismissed"
    expect(page.locator("#question .comment-body")).to_have_text(COMMENT)
    delete.click()
    expect(page.locator(".flash", has_text="The comment is deleted.")).to_be_visible()
    expect(page.locator("#question .comment")).to_have_count(0)
    assert dialogs == [("confirm", "Delete this comment?")] * 2
    page.remove_listener("dialog", answer_dialog)


def test_ask_answer_comment(live_server, page):
    asker, helper = live_server.usernames

    log_in(page, live_server.url, asker)
    ask_question(page)
    log_out(page)

    log_in(page, live_server.url, helper)
    answer_question(page, live_server.url, helper)
    comment_on_question(page, helper)
    delete_own_comment(page)
    expect(page.locator(".post.answer .post-body")).to_contain_text("Clear the sync cache")

    assert page.js_errors == []
