"""Issue 15, asking: the Markdown toolbar, an image uploaded through the file picker (shown in the preview and
the post), and a tag picked from the suggestions with the keyboard, at 1280 and 390 px."""
import io
import re
import shutil

import pytest

pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not shutil.which("chromium"):
    pytest.skip("chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

from PIL import Image  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from tests.browser.test_ask_answer_comment import log_in  # noqa: E402

pytestmark = pytest.mark.browser

UPLOADED = re.compile(r"!\[screenshot\]\(/uploads/[0-9a-f]{64}\.png\)")


def screenshot_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 160, 90)).save(out, format="PNG")
    return out.getvalue()


def body_value(page) -> str:
    return page.input_value("#body")


def select_text(page, text: str) -> None:
    page.evaluate("""text => { const t = document.querySelector('#body'); const i = t.value.indexOf(text);
                               t.focus(); t.setSelectionRange(i, i + text.length); }""", text)


def loaded_images(page, selector: str) -> int:
    """How many images matching `selector` the browser actually decoded (CSP and headers let them through)."""
    return page.eval_on_selector_all(selector, "imgs => imgs.filter(i => i.complete && i.naturalWidth > 0).length")


@pytest.mark.parametrize("width", [1280, 390])
def test_toolbar_upload_and_tag_suggestions(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, live_server.usernames[0])
    page.goto(f"{live_server.url}/questions/ask")
    page.fill("#title", f"Sync icon stays grey on a {width} px screen")
    toolbar = page.get_by_role("toolbar", name="Formatting")
    expect(toolbar).to_be_visible()

    page.fill("#body", "The sync icon stays grey after the update.")
    select_text(page, "grey")
    toolbar.get_by_role("button", name="Bold (Ctrl+B)").click()
    assert "stays **grey** after" in body_value(page)
    select_text(page, "sync icon")
    toolbar.get_by_role("button", name="Code").click()
    assert "The `sync icon` stays" in body_value(page)
    select_text(page, "the update")
    page.keyboard.press("Control+k")  # the link shortcut selects the address to type over
    page.keyboard.type("https://example.com/release-notes")
    assert "[the update](https://example.com/release-notes)" in body_value(page)
    page.press("#body", "End")
    page.keyboard.press("Enter")

    page.set_input_files(".md-file", files=[{"name": "screenshot.png", "mimeType": "image/png",
                                             "buffer": screenshot_png()}])
    expect(page.locator("#body")).to_have_value(UPLOADED)
    assert "Uploading" not in body_value(page)
    preview = page.locator(".preview-body img[src^='/uploads/']")
    expect(preview).to_have_count(1)
    expect(preview).to_have_attribute("alt", "screenshot")
    page.wait_for_function("() => { const i = document.querySelector('.preview-body img'); "
                           "return i && i.complete && i.naturalWidth === 40; }")

    # A file that is not an image: the server's explanation, and nothing left in the text.
    before = body_value(page)
    page.set_input_files(".md-file", files=[{"name": "notes.png", "mimeType": "image/png",
                                             "buffer": b"<html><script>alert(1)</script></html>"}])
    expect(page.locator(".upload-error")).to_contain_text("not an image we accept")
    expect(page.locator("#body")).to_have_value(before)

    tags = page.locator("#tags")
    tags.click()
    tags.press_sequentially("brandnewtag")
    expect(page.locator(".tag-refusal")).to_contain_text("Creating a new tag needs 300 reputation; you have 1.")
    tags.fill("")
    tags.press_sequentially("SY")
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(1)
    expect(page.get_by_role("option", name=re.compile(r"^sync"))).to_be_visible()
    expect(page.locator(".tag-refusal")).to_be_hidden()
    tags.press("ArrowDown")
    expect(tags).to_have_attribute("aria-activedescendant", "tags-option-0")
    tags.press("Enter")  # picks the tag; the form is not sent
    expect(tags).to_have_value("sync ")
    tags.press_sequentially("des")
    expect(page.get_by_role("option", name=re.compile(r"^desktop"))).to_be_visible()
    tags.press("ArrowDown")
    tags.press("Enter")
    expect(tags).to_have_value("sync desktop ")
    expect(page.locator("h1")).to_have_text("Ask a question")

    page.get_by_role("button", name="Post your question").click()
    expect(page.locator(".flash", has_text="Your question is posted.")).to_be_visible()
    post = page.locator("#question .post-body")
    expect(post.locator("strong")).to_have_text("grey")
    expect(post.locator("img[src^='/uploads/']")).to_have_attribute("alt", "screenshot")
    page.wait_for_function("() => { const i = document.querySelector('#question .post-body img'); "
                           "return i && i.complete && i.naturalWidth === 40; }")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # The refused upload's 400 is logged by the browser; nothing else may be.
    assert [error for error in page.js_errors if "status of 400" not in error] == []
