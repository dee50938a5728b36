"""The OpenID Connect client for the company's identity provider (Authlib), configured from the OIDC_* settings.

Authlib does the protocol: discovery (<issuer>/.well-known/openid-configuration), the authorization code flow
with a PKCE S256 challenge, a random `state` and `nonce` kept in this browser's session, and the ID token's
checks (signature against the provider's JWKS, issuer, audience, expiry, nonce). This module turns its outcome,
or its failure, into `ProviderClaims` or an `SsoError` with a status and a message for the member; which account
the claims sign in as is decided in forum/services/people/identity.py.
"""
import logging
from dataclasses import dataclass

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, redirect, request, session, url_for
from flask_babel import gettext as _
from joserfc.errors import JoseError

from .services.people.identity import ProviderClaims, SsoPolicy, parse_role_map

log = logging.getLogger(__name__)

EXTENSION = "kotae_sso"
NAME = "oidc"  # Authlib's name for the client; its state keys in the session start with _state_oidc_


@dataclass
class SsoError(Exception):
    """A sign-in that cannot go on: the status (400, 403, 502) and what to tell the member."""
    status: int
    message: str


def init_app(app: Flask) -> None:
    """Register the client when OIDC_ISSUER is set; templates get `sso` (enabled, button label, SSO-only)."""
    if app.config.get("OIDC_ISSUER"):
        parse_role_map(app.config.get("OIDC_ROLE_MAP", ""))  # a typo in the map stops the app at startup
        scopes = app.config.get("OIDC_SCOPES") or "openid email profile"
        if "openid" not in scopes.split():
            scopes = "openid " + scopes  # without it there is no ID token, so no nonce or signature to check
        oauth = OAuth(app)
        oauth.register(
            NAME, client_id=app.config["OIDC_CLIENT_ID"], client_secret=app.config["OIDC_CLIENT_SECRET"],
            server_metadata_url=app.config["OIDC_ISSUER"].rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={"scope": scopes, "code_challenge_method": "S256",
                           "default_timeout": app.config.get("OIDC_TIMEOUT", 10)},
        )
        app.extensions[EXTENSION] = oauth

    @app.context_processor
    def sso_template_values():
        if not enabled():
            return {"sso": {"enabled": False, "sso_only": False}}
        return {"sso": {"enabled": True, "name": provider_name(), "label": button_label(), "sso_only": sso_only()}}


def enabled() -> bool:
    return EXTENSION in current_app.extensions


def sso_only() -> bool:
    return enabled() and bool(current_app.config.get("OIDC_SSO_ONLY"))


def password_sign_in_allowed(user=None) -> bool:
    """Passwords work unless SSO-only; then only administrators' (break-glass), if OIDC_ADMIN_PASSWORDS."""
    if not sso_only():
        return True
    if not current_app.config.get("OIDC_ADMIN_PASSWORDS", True):
        return False
    return user is None or user.is_admin


def policy() -> SsoPolicy:
    return SsoPolicy.from_config(current_app.config)


def provider_name() -> str:
    return current_app.config.get("OIDC_PROVIDER_NAME") or _("your company account")


def button_label() -> str:
    return _("Sign in with %(provider)s", provider=provider_name())


def _client():
    return current_app.extensions[EXTENSION].create_client(NAME)


def start(intent: str, next_url: str):
    """Redirect to the provider's authorization page; `intent` ("login" or "link") and `next_url` come back with
    the state, so two sign-ins in two tabs do not mix."""
    client = _client()
    redirect_uri = url_for("sso.callback", _external=True)
    try:
        rv = client.create_authorization_url(redirect_uri)
    except requests.RequestException as error:
        log.warning("identity provider unreachable: %s", error)
        raise SsoError(502, _("%(provider)s cannot be reached right now. Please try again in a few minutes.",
                              provider=provider_name())) from None
    client.save_authorize_data(redirect_uri=redirect_uri, intent=intent, next=next_url, **rv)
    return redirect(rv["url"])


def finish() -> tuple[ProviderClaims, dict]:
    """Check the provider's answer on the callback; the verified claims and what `start` saved with the state."""
    client = _client()
    state = request.args.get("state")
    data = client.framework.get_state_data(session, state) if state else None
    if not data:
        # Not started from this browser (a forged or replayed link), or already used.
        raise SsoError(400, _("This sign-in could not be verified: it was not started from this browser, or it "
                              "was already used. Please start again."))
    if request.args.get("error"):
        client.framework.clear_state_data(session, state)
        if request.args["error"] == "access_denied":
            raise SsoError(403, _("The sign-in was cancelled at %(provider)s.", provider=provider_name()))
        log.warning("identity provider refused: %s %s", request.args["error"], request.args.get("error_description"))
        raise SsoError(400, _("%(provider)s could not sign you in. Please try again.", provider=provider_name()))
    try:
        token = client.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        if not claims:
            raise SsoError(502, _("%(provider)s did not send an ID token.", provider=provider_name()))
        claims = _with_userinfo(client, token, claims)
    except requests.RequestException as error:
        log.warning("identity provider unreachable: %s", error)
        raise SsoError(502, _("%(provider)s cannot be reached right now. Please try again in a few minutes.",
                              provider=provider_name())) from None
    except (AuthlibBaseError, JoseError) as error:
        # A wrong nonce, a bad signature, an expired token, a refused code: nothing from this answer is used.
        log.warning("identity provider answer refused: %r", error)
        raise SsoError(400, _("The answer from %(provider)s could not be verified, so you were not signed in. "
                              "Please start again.", provider=provider_name())) from None
    role_claim = current_app.config.get("OIDC_ROLE_CLAIM", "groups")
    return ProviderClaims.from_claims(claims["iss"], claims, role_claim), data


def _with_userinfo(client, token: dict, claims: dict) -> dict:
    """Fill in what the ID token left out (some providers send e-mail or groups only from userinfo)."""
    if not client.load_server_metadata().get("userinfo_endpoint"):
        return claims
    extra = client.userinfo(token=token)
    if str(extra.get("sub")) != str(claims["sub"]):  # OpenID Connect Core 5.3.2: must be the same person
        raise SsoError(502, _("%(provider)s sent details of another person.", provider=provider_name()))
    return {**extra, **claims}
