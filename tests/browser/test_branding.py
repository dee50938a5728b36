"""Issue 15, branding, in Chromium at 1280 and 390 px: an admin names the site, uploads a logo and picks an
accent; every page then shows the logo in the header and the accent on buttons and links, and the help widget on
another site names the community in its colour."""
import io
import re
import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from forum.extensions import db
from forum.models import Role
from forum.services import site_settings
from tests.factories import make_user

pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not shutil.which("chromium"):
    pytest.skip("chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from tests.browser.test_ask_answer_comment import log_in  # noqa: E402

pytestmark = pytest.mark.browser

ACCENT, ACCENT_RGB = "#6f42c1", "rgb(111, 66, 193)"
HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Help</title><link rel="icon" href="data:,">
</head><body><div id="kotae-help"></div>
<script src="{base}/static/widget/kotae-widget.js" data-target="kotae-help" data-lang="en" defer></script></body></html>"""


def logo_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (240, 80), (111, 66, 193, 255)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def branded(live_server, browser):
    """An admin brands the site through the settings page, as they would."""
    with live_server.app.test_request_context():
        make_user(username="brandadmin", role=Role.ADMIN)
        db.session.remove()
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, live_server.url, "brandadmin")
    page.goto(f"{live_server.url}/admin/settings/branding")
    page.fill("#name_en", "Acme Support")
    page.fill("#name_ja", "アクメ サポート")
    page.fill("#tagline_en", "Customers helping customers")
    page.fill("#accent", "#ffcc00")  # too pale: refused with its ratio
    page.get_by_role("button", name="Save branding").click()
    expect(page.locator(".field.has-error")).to_contain_text("4.5:1")
    page.fill("#accent", ACCENT)
    page.set_input_files("#logo", files=[{"name": "logo.png", "mimeType": "image/png", "buffer": logo_png()}])
    page.get_by_role("button", name="Save branding").click()
    expect(page.locator(".flash", has_text="Branding saved.")).to_be_visible()
    context.close()
    return live_server


@pytest.mark.parametrize("width", [1280, 390])
def test_logo_name_and_accent_on_every_page(branded, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    for path in ("/questions", "/faq", "/help/guidelines"):
        page.goto(f"{branded.url}{path}")
        expect(page).to_have_title(re.compile(r" - Acme Support$"))
        logo = page.locator(".topbar img.brand-logo")
        expect(logo).to_be_visible()
        assert re.fullmatch(r"/brand/[0-9a-f]{20}\.png", logo.get_attribute("src"))
        assert logo.evaluate("img => img.complete && img.naturalWidth") == 240
        box = logo.bounding_box()
        assert box["height"] == 28 and 0 <= box["x"] and box["x"] + box["width"] <= width
        expect(page.locator(".topbar .brand-name")).to_have_text("Acme Support")
        expect(page.locator(".footer")).to_contain_text("Acme Support · Customers helping customers")
        ask = page.locator(".topbar .button.primary")
        assert ask.evaluate("el => getComputedStyle(el).backgroundColor") == ACCENT_RGB
        assert page.locator(".topbar").evaluate("el => getComputedStyle(el).borderTopColor") == ACCENT_RGB
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        assert "Kotae" not in page.content()
    assert not page.js_errors


def test_japanese_readers_see_the_japanese_name(branded, browser):
    context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(f"{branded.url}/questions")
    expect(page.locator(".topbar .brand-name")).to_have_text("アクメ サポート")
    expect(page).to_have_title(re.compile(r" - アクメ サポート$"))
    context.close()


@pytest.fixture
def help_site(branded, tmp_path):
    (tmp_path / "index.html").write_text(HOST_PAGE.format(base=branded.url), encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_port}"
    with branded.app.test_request_context():
        admin = make_user(role=Role.ADMIN)
        site_settings.save_widget_settings(admin, origin, "")
        db.session.commit()
        db.session.remove()
    yield origin
    server.shutdown()
    server.server_close()


def test_the_widget_names_the_community_in_its_colour(help_site, page):
    page.goto(help_site)
    credit = page.locator("#kotae-help .from")
    expect(credit).to_have_text("Answers from Acme Support")
    accent = page.locator("#kotae-help .box").evaluate("el => getComputedStyle(el).getPropertyValue('--accent')")
    assert accent.strip() == ACCENT
