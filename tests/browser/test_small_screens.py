"""Issue 15 on a 390 px phone and a 1280 px desktop: the menu button, no gap under the navigation, staff tables
that stay on screen, and the audit log's action names in Japanese."""
import shutil

import pytest

from tests.factories import PASSWORD, make_user

pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not shutil.which("chromium"):
    pytest.skip("chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from forum.extensions import db  # noqa: E402
from forum.i18n import translated_in  # noqa: E402
from forum.models import Role, Webhook  # noqa: E402
from forum.services.audit_log import ACTION_LABELS, log_action  # noqa: E402
from tests.browser.test_ask_answer_comment import log_in  # noqa: E402

pytestmark = pytest.mark.browser

WIDTHS = [1280, 390]
STAFF_PAGES = ["/admin/audit", "/admin/", "/admin/feedback", "/admin/outcomes", "/admin/webhooks", "/admin/tokens",
               "/admin/settings/hours", "/faq/candidates", "/questions"]
LONG_URL = "https://hooks.example.com/services/T0000000/B0000000/" + "x" * 90


@pytest.fixture(scope="module")
def staff(live_server):
    """An admin, and one audit entry for every action the code logs (long details included)."""
    with live_server.app.test_request_context():
        admin = make_user(username="admin15", role=Role.ADMIN)
        hook = Webhook(name="moderators channel", url=LONG_URL, events="flag.new")
        db.session.add(hook)
        db.session.flush()
        for action in ACTION_LABELS:
            log_action(admin, action, hook, "Checked on the phone", url=LONG_URL, note="detail " * 12)
        db.session.commit()
        with translated_in("ja"):
            japanese = {action: str(label) for action, label in ACTION_LABELS.items()}
        db.session.remove()
    return {"username": "admin15", "japanese": japanese}


def boxes(page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(selector, "els => els.map(e => e.getBoundingClientRect().toJSON())")


def gap_under_navigation(page) -> float:
    """Pixels between the bottom of the navigation above the content (the top bar, and the side navigation when
    it is unfolded above the content) and the first thing in <main>."""
    return page.evaluate("""() => {
        const first = document.querySelector('main#main > *').getBoundingClientRect();
        let above = document.querySelector('.topbar').getBoundingClientRect().bottom;
        const nav = document.querySelector('#site-nav').getBoundingClientRect();
        if (nav.height && nav.bottom <= first.top) above = Math.max(above, nav.bottom);
        return first.top - above;
    }""")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_menu_button_reaches_every_link_including_faq(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 844})
    page.goto(live_server.url + "/questions")
    button = page.locator(".topbar .menu-toggle")
    faq = page.locator("#site-nav").get_by_role("link", name="FAQ", exact=True)
    if width >= 1080:  # the side navigation is always there
        expect(button).to_be_hidden()
        expect(faq).to_be_visible()
        return
    expect(button).to_be_visible()
    expect(button).to_have_accessible_name("Menu")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_have_attribute("aria-controls", "site-nav")
    expect(faq).to_be_hidden()
    assert gap_under_navigation(page) < 30  # folded: the content starts right under the top bar

    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(faq).to_be_visible()
    box = faq.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= width, box  # on screen, not in a sideways scroller
    page.keyboard.press("Escape")
    expect(faq).to_be_hidden()
    expect(button).to_be_focused()
    page.keyboard.press("Space")
    faq.click()
    expect(page).to_have_url(live_server.url + "/faq")
    assert page.js_errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_staff_pages_start_right_under_the_navigation(page, live_server, staff, width):
    page.set_viewport_size({"width": width, "height": 844})
    log_in(page, live_server.url, staff["username"])
    for path in ("/admin/audit", "/admin/", "/questions"):
        page.goto(live_server.url + path)
        assert gap_under_navigation(page) < 30, path
        if width < 1080:  # unfolded, the staff links wrap under the others: no tall column, no blank band
            page.locator(".menu-toggle").click()
            expect(page.locator("#site-nav").get_by_role("link", name="Admin")).to_be_visible()
            links = boxes(page, "#site-nav a")
            nav = page.locator("#site-nav").bounding_box()
            assert nav["y"] + nav["height"] - max(b["bottom"] for b in links) < 20, path
            assert max(b["right"] for b in links) <= width, path
            assert gap_under_navigation(page) < 30, path


@pytest.mark.parametrize("width", WIDTHS)
def test_staff_pages_fit_the_screen(page, live_server, staff, width):
    page.set_viewport_size({"width": width, "height": 844})
    log_in(page, live_server.url, staff["username"])
    for path in STAFF_PAGES:
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    page.goto(live_server.url + "/admin/audit")
    rows = boxes(page, ".audit-row")
    assert rows and max(row["right"] for row in rows) <= width
    first = page.locator(".audit-row").first
    expect(first).to_contain_text("Checked on the phone")
    expect(first.locator("code").last).to_be_in_viewport()


@pytest.mark.parametrize("width", WIDTHS)
def test_audit_log_names_every_action_in_japanese(page, live_server, staff, width):
    page.set_viewport_size({"width": width, "height": 844})
    page.goto(f"{live_server.url}/login")
    page.fill("#login", staff["username"])
    page.fill("#password", PASSWORD)
    page.locator("form.card-form button[type=submit]").click()
    page.goto(live_server.url + "/lang/ja?next=/admin/audit")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    options = dict(page.eval_on_selector_all("#audit-action option[value]:not([value=''])",
                                             "els => els.map(e => [e.value, e.textContent.trim()])"))
    assert set(options) == set(ACTION_LABELS)
    raw = sorted(key for key, label in options.items() if label == key)
    assert not raw, f"shown as raw keys: {raw}"
    assert options == staff["japanese"]
    assert options["faq.category.create"] == "FAQカテゴリを追加"
    page.select_option("#audit-action", "faq.category.create")
    page.locator("form.audit-filters button[type=submit]").click()
    expect(page.locator(".audit-row")).to_have_count(1)
    expect(page.locator(".audit-row")).to_contain_text("FAQカテゴリを追加")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_without_javascript_the_navigation_stays_unfolded(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844}, locale="en-US")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/questions")
        expect(page.locator(".menu-toggle")).to_be_hidden()  # it could not open anything
        faq = page.locator("#site-nav").get_by_role("link", name="FAQ", exact=True)
        expect(faq).to_be_visible()
        box = faq.bounding_box()
        assert box["x"] + box["width"] <= 390, box
    finally:
        context.close()
