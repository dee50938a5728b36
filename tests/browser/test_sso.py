"""Single sign-on in a real Chromium: the app served on loopback, the identity provider of tests/oidc_provider.py
on another port, and the browser going between them as a person would (the provider's own sign-in form)."""
import shutil
import threading
from dataclasses import dataclass

import pytest

pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not shutil.which("chromium"):
    pytest.skip("chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402  (only once we know it is there)
from sqlalchemy import select  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from forum import create_app  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.models import ExternalIdentity, Role, User  # noqa: E402
from tests.conftest import make_config  # noqa: E402
from tests.factories import make_user  # noqa: E402
from tests.oidc_provider import OidcProvider  # noqa: E402

pytestmark = pytest.mark.browser


@dataclass
class SsoSite:
    url: str
    app: object
    provider: OidcProvider


@pytest.fixture(scope="module")
def site(databases, tmp_path_factory):
    """The app with SSO configured (role map: support-staff -> moderator), CSRF on, and its provider."""
    provider = OidcProvider().start()
    client = provider.add_client("placeholder")
    workdir = tmp_path_factory.mktemp("browser-sso")
    url = databases.create(workdir)
    app = create_app(make_config(url, workdir / "search-index", OIDC_ROLE_MAP="support-staff=moderator",
                                 **provider.settings(client)))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    client.redirect_uris[:] = [f"http://127.0.0.1:{server.server_port}/sso/callback"]
    thread = threading.Thread(target=server.serve_forever, name="live-server-sso", daemon=True)
    thread.start()
    yield SsoSite(url=f"http://127.0.0.1:{server.server_port}", app=app, provider=provider)
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()
    provider.stop()
    with app.app_context():
        db.engine.dispose()
    databases.drop(url)


def user_by_email(site: SsoSite, email: str) -> User | None:
    with site.app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        linked = user and db.session.scalar(select(ExternalIdentity.subject).where(ExternalIdentity.user_id == user.id))
        if user:
            user.linked_subject = linked
        db.session.remove()
        return user


def sign_in_at_provider(page, username: str, consent: str = "allow"):
    expect(page.locator("h1")).to_have_text("Example ID")
    page.fill("#username", username)
    page.click(f"#{consent}")


def start_sign_in(page, site: SsoSite):
    page.goto(f"{site.url}/login")
    page.click("#sso-sign-in")


def test_first_sign_in_creates_an_account(site, page):
    person = site.provider.add_person("haruka", email="haruka@example.co.jp", name="Haruka Ito")
    start_sign_in(page, site)
    sign_in_at_provider(page, "haruka")
    expect(page.locator(".flash-success")).to_contain_text("Welcome to the community, haruka!")
    expect(page.locator(".me-name")).to_have_text("haruka")
    user = user_by_email(site, "haruka@example.co.jp")
    assert user.linked_subject == person.sub and user.email_verified_at is not None
    assert page.js_errors == []


def test_sign_in_links_an_existing_account_by_its_verified_address(site, page):
    with site.app.app_context():
        make_user(username="masaki", email="masaki@example.co.jp")
        db.session.remove()
    person = site.provider.add_person("m.kato", email="masaki@example.co.jp", email_verified=True)
    start_sign_in(page, site)
    sign_in_at_provider(page, "m.kato")
    expect(page.locator(".flash-success")).to_contain_text("Your account is now linked to Example ID.")
    expect(page.locator(".me-name")).to_have_text("masaki")
    assert user_by_email(site, "masaki@example.co.jp").linked_subject == person.sub


def test_a_forged_state_is_refused(site, page, browser):
    """An attacker stops at his own callback and sends the link to the victim, whose browser never started it."""
    site.provider.add_person("mallory", email="mallory@example.co.jp")
    attacker = browser.new_context()
    attacker_page = attacker.new_page()
    captured = []

    def stop_before_the_callback(route):
        # The provider's answer to "Allow" is a redirect to the app's callback: keep its URL, do not follow it.
        if route.request.method != "POST":
            return route.continue_()
        answer = route.fetch(max_redirects=0)
        captured.append(answer.headers["location"])
        route.fulfill(status=200, body="stopped")

    attacker_page.route("**/authorize?*", stop_before_the_callback)
    start_sign_in(attacker_page, site)
    sign_in_at_provider(attacker_page, "mallory")
    expect(attacker_page.locator("body")).to_have_text("stopped")
    attacker.close()
    assert captured and "state=" in captured[0]

    page.goto(captured[0])
    expect(page.locator("h1")).to_have_text("Single sign-on failed")
    expect(page.locator(".sso-problem")).to_contain_text("not started from this browser")
    expect(page.locator(".me-name")).to_have_count(0)
    assert user_by_email(site, "mallory@example.co.jp") is None


def test_a_wrong_nonce_is_refused(site, page):
    site.provider.add_person("replayed", email="replayed@example.co.jp")
    site.provider.wrong_nonce = True
    try:
        start_sign_in(page, site)
        sign_in_at_provider(page, "replayed")
        expect(page.locator(".sso-problem")).to_contain_text("could not be verified")
    finally:
        site.provider.wrong_nonce = False
    expect(page.locator(".me-name")).to_have_count(0)
    assert user_by_email(site, "replayed@example.co.jp") is None


def test_the_role_map_makes_a_moderator(site, page):
    site.provider.add_person("staff.aiko", email="aiko@example.co.jp", groups=["support-staff"])
    start_sign_in(page, site)
    sign_in_at_provider(page, "staff.aiko")
    expect(page.locator(".me-name")).to_have_text("staff.aiko")
    assert user_by_email(site, "aiko@example.co.jp").role == Role.MODERATOR
    page.goto(f"{site.url}/admin/audit")  # staff only: the new moderator gets in
    expect(page.locator("body")).to_contain_text("Role changed by single sign-on")


def test_sso_only_mode_hides_the_password_form(site, page):
    site.app.config["OIDC_SSO_ONLY"] = True
    try:
        page.goto(f"{site.url}/login")
        expect(page.locator("#sso-sign-in")).to_have_text("Sign in with Example ID")
        expect(page.locator("input[name=password]")).to_have_count(0)
        expect(page.get_by_role("link", name="Sign up")).to_have_count(0)
        assert page.goto(f"{site.url}/register").status == 404
    finally:
        site.app.config["OIDC_SSO_ONLY"] = False


def test_the_pages_speak_japanese(site, browser):
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    try:
        page.goto(f"{site.url}/sso/callback?code=x&state=forged")
        assert page.locator("html").get_attribute("lang") == "ja"
        expect(page.get_by_role("link", name="質問一覧に戻る")).to_be_visible()
    finally:
        context.close()
