"""Single sign-on through HTTP: the app's OpenID Connect client against a real provider on loopback
(tests/oidc_provider.py). The browser's part is played by the test client and `requests` (the provider's form)."""
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from forum.extensions import db
from forum.models import AuditLogEntry, ExternalIdentity, Role, User
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_token, login, post_form, text
from tests.oidc_provider import OidcProvider

CALLBACK = "http://localhost/sso/callback"


@pytest.fixture(scope="module")
def provider():
    running = OidcProvider().start()
    yield running
    running.stop()


@pytest.fixture
def oidc_client(provider):
    return provider.add_client(CALLBACK)


@pytest.fixture
def app_config(request, provider, oidc_client):
    """SSO on, with the provider's settings; `@pytest.mark.sso(OIDC_...=...)` changes some."""
    marker = request.node.get_closest_marker("sso")
    return {"PRIVILEGE_PRESET": "small", **provider.settings(oidc_client, **(marker.kwargs if marker else {}))}


def at_provider(client, username="", consent="allow", start="/sso/login"):
    """Start at `start` (a URL, or the app's redirect already in hand), sign in at the provider's form; the app's
    callback URL (path and query) the provider sends back."""
    response = client.get(start) if isinstance(start, str) else start
    assert response.status_code == 302, text(response)[:300]
    answer = requests.post(response.headers["Location"], data={"username": username, "consent": consent},
                           allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    return f"{location.path}?{location.query}"


def sso_sign_in(client, username, **kwargs):
    return client.get(at_provider(client, username, **kwargs))


def signed_in_as(client) -> str | None:
    response = client.get("/users/settings")
    return None if response.status_code != 200 else text(response)


def identities() -> list[ExternalIdentity]:
    db.session.expire_all()
    return list(db.session.scalars(select(ExternalIdentity)))


def user_named(username: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


# --- The buttons ----------------------------------------------------------------------------------------------

def test_login_and_sign_up_pages_offer_the_provider(client):
    for page in ("/login", "/register"):
        html = text(client.get(page))
        assert "Sign in with Example ID" in html and 'href="/sso/login"' in html
        assert 'name="password"' in html  # passwords still work alongside
    assert 'href="/sso/login?next=/tags"' in text(client.get("/login?next=/tags"))


def test_the_button_is_translated(client):
    html = text(client.get("/login", headers={"Accept-Language": "ja"}))
    assert "Example ID" in html and 'id="sso-sign-in"' in html


@pytest.mark.sso(OIDC_ISSUER="")
def test_without_an_issuer_there_is_no_single_sign_on(client):
    assert "sso-sign-in" not in text(client.get("/login"))
    assert client.get("/sso/login").status_code == 404
    assert client.get("/sso/callback?code=x&state=y").status_code == 404


# --- First sign-in, linking ------------------------------------------------------------------------------------

def test_first_sign_in_creates_an_account_with_the_authorization_code_flow_and_pkce(client, provider):
    person = provider.add_person("hanako", email="Hanako@example.co.jp", name="Hanako Sato")
    response = sso_sign_in(client, "hanako")
    assert response.status_code == 302 and response.headers["Location"] == "/questions"
    user = user_named("hanako")
    assert user.email == "hanako@example.co.jp" and user.email_verified and user.role == Role.MEMBER
    assert [(i.user_id, i.subject) for i in identities()] == [(user.id, person.sub)]
    assert "hanako@example.co.jp" in signed_in_as(client)
    sent = provider.token_requests[-1]
    assert sent["grant_type"] == "authorization_code" and len(sent["code_verifier"]) >= 43  # PKCE


def test_the_next_sign_in_finds_the_same_account(client, provider):
    provider.add_person("jiro", email="jiro@example.co.jp")
    sso_sign_in(client, "jiro")
    post_form(client, "/logout", page="/users/settings")
    assert signed_in_as(client) is None
    sso_sign_in(client, "jiro")
    assert "jiro@example.co.jp" in signed_in_as(client)
    assert db.session.scalar(select(db.func.count(User.id)).where(User.email == "jiro@example.co.jp")) == 1


def test_a_verified_address_links_the_existing_account(app, client, provider):
    member = make_user(username="kenji", email="kenji@example.co.jp")
    provider.add_person("kenji.w", email="kenji@example.co.jp", email_verified=True)
    response = sso_sign_in(client, "kenji.w")
    assert response.status_code == 302
    assert [i.user_id for i in identities()] == [member.id]
    assert "kenji@example.co.jp" in signed_in_as(client)
    assert db.session.scalar(select(AuditLogEntry.action).where(AuditLogEntry.target_id == member.id)) \
        == "account.sso_link"


def test_an_unverified_address_does_not_link_an_existing_account(client, provider):
    make_user(username="mika", email="mika@example.co.jp")
    provider.add_person("mika-idp", email="mika@example.co.jp", email_verified=False)
    response = sso_sign_in(client, "mika-idp")
    assert response.status_code == 403
    assert "has not confirmed that this address is yours" in text(response)
    assert identities() == [] and signed_in_as(client) is None


def test_an_unconfirmed_local_account_is_taken_over_by_the_verified_owner(client, provider):
    squatter = make_user(username="early", email="owner@example.co.jp", verified=False)
    provider.add_person("owner", email="owner@example.co.jp")
    sso_sign_in(client, "owner")
    user = user_named("early")
    assert user.id == squatter.id and user.email_verified
    assert user.password_hash.startswith("!")  # the password set by whoever signed up first no longer works


def test_a_taken_username_gets_a_suffix(client, provider):
    make_user(username="taro")
    provider.add_person("taro", email="taro.yamada@example.co.jp")
    sso_sign_in(client, "taro")
    assert user_named("taro-2").email == "taro.yamada@example.co.jp"


@pytest.mark.sso(OIDC_CREATE_ACCOUNTS=False)
def test_without_account_creation_strangers_are_refused(client, provider):
    provider.add_person("stranger", email="stranger@example.co.jp")
    response = sso_sign_in(client, "stranger")
    assert response.status_code == 403 and "Ask an administrator" in text(response)
    assert user_named("stranger") is None


def test_next_page_is_kept_and_other_sites_are_not(client, provider):
    provider.add_person("nana", email="nana@example.co.jp")
    assert sso_sign_in(client, "nana", start="/sso/login?next=/tags").headers["Location"] == "/tags"
    post_form(client, "/logout", page="/users/settings")
    assert sso_sign_in(client, "nana", start="/sso/login?next=https://evil.example/").headers["Location"] \
        == "/questions"


# --- Refusals -------------------------------------------------------------------------------------------------

def test_a_forged_state_is_refused(client, provider):
    provider.add_person("victim", email="victim@example.co.jp")
    callback = at_provider(client, "victim")
    forged = callback.replace("state=", "state=forged")
    response = client.get(forged)
    assert response.status_code == 400 and "not started from this browser" in text(response)
    assert signed_in_as(client) is None


def test_a_callback_from_another_browser_is_refused(client, served_app, provider):
    """Login CSRF: an attacker's own code and state, sent to the victim, do not sign the victim in."""
    provider.add_person("attacker", email="attacker@example.co.jp")
    attacker_callback = at_provider(client, "attacker")
    victim = served_app.test_client()
    assert victim.get(attacker_callback).status_code == 400
    assert signed_in_as(victim) is None


def test_a_callback_works_once(client, provider):
    provider.add_person("once", email="once@example.co.jp")
    callback = at_provider(client, "once")
    assert client.get(callback).status_code == 302
    post_form(client, "/logout", page="/users/settings")
    assert client.get(callback).status_code == 400


def test_a_wrong_nonce_is_refused(client, provider):
    provider.add_person("replay", email="replay@example.co.jp")
    provider.wrong_nonce = True
    try:
        response = sso_sign_in(client, "replay")
    finally:
        provider.wrong_nonce = False
    assert response.status_code == 400 and "could not be verified" in text(response)
    assert user_named("replay") is None and signed_in_as(client) is None


def test_declining_at_the_provider_says_so(client, provider):
    response = client.get(at_provider(client, "nobody", consent="deny"))
    assert response.status_code == 403 and "cancelled at Example ID" in text(response)


def test_the_japanese_refusal_page(client, provider):
    response = client.get("/sso/callback?code=x&state=forged", headers={"Accept-Language": "ja"})
    assert response.status_code == 400 and "<html" in text(response) and "Traceback" not in text(response)


@pytest.mark.sso(OIDC_ISSUER="http://127.0.0.1:9")
def test_an_unreachable_provider_is_a_502_page(client):
    response = client.get("/sso/login")
    assert response.status_code == 502 and "cannot be reached" in text(response)


# --- Roles ----------------------------------------------------------------------------------------------------

@pytest.mark.sso(OIDC_ROLE_MAP="support-staff=moderator,it-admins=admin")
def test_the_role_map_gives_and_takes_mapped_roles(client, provider):
    person = provider.add_person("sora", email="sora@example.co.jp", groups=["support-staff", "tokyo"])
    sso_sign_in(client, "sora")
    assert user_named("sora").role == Role.MODERATOR
    post_form(client, "/logout", page="/users/settings")
    person.groups = ["tokyo"]
    sso_sign_in(client, "sora")
    assert user_named("sora").role == Role.MEMBER
    changes = db.session.scalars(select(AuditLogEntry.detail).where(AuditLogEntry.action == "user.role_sso")).all()
    assert len(changes) == 2 and '"new": "moderator"' in changes[0]


@pytest.mark.sso(OIDC_ROLE_MAP="support-staff=moderator", OIDC_ROLE_DOWNGRADE=False)
def test_roles_outside_the_map_or_without_downgrades_stay(client, provider):
    make_user(username="boss", email="boss@example.co.jp", role=Role.ADMIN)
    provider.add_person("boss", email="boss@example.co.jp", groups=["support-staff"])
    sso_sign_in(client, "boss")
    assert user_named("boss").role == Role.ADMIN  # admin is not the map's to give or take


# --- Linking from the settings --------------------------------------------------------------------------------

def test_a_member_links_and_unlinks_the_provider(client, provider):
    member = make_user(username="rin", email="rin@example.co.jp")
    provider.add_person("rin.other", email="rin.private@example.com", email_verified=False)
    login(client, member)
    assert 'id="sso-link"' in text(client.get("/users/settings"))
    start = client.post("/sso/link", data={"csrf_token": csrf_token(client, "/users/settings")})
    response = client.get(at_provider(client, "rin.other", start=start))
    assert response.status_code == 302 and response.headers["Location"] == "/users/settings"
    assert [i.user_id for i in identities()] == [member.id]
    html = text(client.get("/users/settings"))
    assert "rin.private@example.com" in html and 'id="sso-unlink"' in html
    response = post_form(client, "/sso/unlink", {"issuer": provider.issuer}, page="/users/settings")
    assert response.status_code == 302 and identities() == []


def test_linking_needs_a_signed_in_member_and_the_form_token(client):
    assert client.post("/sso/link").status_code == 400  # no CSRF token
    response = client.post("/sso/link", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_an_account_without_a_password_cannot_drop_its_only_way_in(client, provider):
    provider.add_person("yui", email="yui@example.co.jp")
    sso_sign_in(client, "yui")
    assert "only way in" in text(client.get("/users/settings"))
    response = post_form(client, "/sso/unlink", {"issuer": provider.issuer}, page="/users/settings")
    assert response.status_code == 409 and len(identities()) == 1


def test_a_deleted_account_forgets_its_link(client, provider, app):
    from forum.services.people import deletion

    provider.add_person("gone", email="gone@example.co.jp")
    sso_sign_in(client, "gone")
    admin = make_user(role=Role.ADMIN)
    deletion.delete_account_as_admin(admin, user_named("gone"), deletion.ANONYMISE, app.config["REPUTATION"])
    db.session.commit()
    assert identities() == []


# --- SSO-only -------------------------------------------------------------------------------------------------

@pytest.mark.sso(OIDC_SSO_ONLY=True)
def test_sso_only_turns_passwords_off(client, provider):
    member = make_user(username="ichiro")
    html = text(client.get("/login"))
    assert 'id="sso-sign-in"' in html and 'name="password"' not in html and "/register" not in html
    assert client.get("/register").status_code == 404
    assert client.get("/password/forgot").status_code == 404
    # The break-glass form hands out a token; a member's right password is still refused.
    response = client.post("/login", data={"csrf_token": csrf_token(client, "/login?password=1"),
                                           "login": member.username, "password": PASSWORD})
    assert response.status_code == 403 and "Passwords are switched off" in text(response)
    assert signed_in_as(client) is None


@pytest.mark.sso(OIDC_SSO_ONLY=True)
def test_sso_only_keeps_a_break_glass_for_administrators(client, provider):
    admin = make_user(username="root-admin", role=Role.ADMIN)
    assert 'name="password"' in text(client.get("/login?password=1"))
    response = client.post("/login?password=1", data={"csrf_token": csrf_token(client, "/login?password=1"),
                                                      "login": admin.username, "password": PASSWORD})
    assert response.status_code == 302 and signed_in_as(client)


# No page hands a visitor a form token here (there is no form left), so this one test goes without CSRF.
@pytest.mark.sso(OIDC_SSO_ONLY=True, OIDC_ADMIN_PASSWORDS=False, WTF_CSRF_ENABLED=False)
def test_sso_only_without_break_glass_refuses_every_password(client):
    admin = make_user(role=Role.ADMIN)
    assert 'name="password"' not in text(client.get("/login?password=1"))
    response = client.post("/login", data={"login": admin.username, "password": PASSWORD})
    assert response.status_code == 403


@pytest.mark.sso(OIDC_SSO_ONLY=True)
def test_sso_only_members_have_no_password_page(client, provider):
    provider.add_person("emi", email="emi@example.co.jp")
    sso_sign_in(client, "emi")
    assert client.get("/users/password").status_code == 404
    assert "Change password" not in text(client.get("/users/settings"))


def test_a_member_without_a_password_confirms_with_the_username_and_changes_the_address_at_the_provider(client):
    member = make_user(username="kaito")
    login(client, member)
    member.password_hash = "!sso-only"  # as if the account had been made by single sign-on
    db.session.commit()
    page = client.get("/users/settings/email").get_data(as_text=True)
    assert "change it there" in page and 'name="password"' not in page
    changed = post_form(client, "/users/settings/email", {"email": "x@example.com"}, page="/users/settings/privacy/delete")
    assert changed.status_code == 403
    page = client.get("/users/settings/privacy/delete").get_data(as_text=True)
    assert 'name="username"' in page and 'name="password"' not in page
    refused = post_form(client, "/users/settings/privacy/delete", {"username": "Kaito", "confirm": "y"}, page="/users/settings/privacy/delete")
    assert refused.status_code == 400 and "Type your username exactly" in refused.get_data(as_text=True)
    done = post_form(client, "/users/settings/privacy/delete", {"username": "kaito", "confirm": "y"}, page="/users/settings/privacy/delete")
    assert done.status_code == 302
    db.session.refresh(member)
    assert member.is_deleted
