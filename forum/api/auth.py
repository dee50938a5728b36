"""Who is calling: a personal token sent as `Authorization: Bearer kotae_...`, or nobody (anonymous reads).

The API never signs anyone in from the site's session cookie, so a page on another site cannot make a visitor's
browser write through the API (no CSRF), and a token's scope is the only thing that grants writes.
"""
from __future__ import annotations

import hashlib
import re
from functools import wraps

from flask import g, request
from flask_babel import gettext as _

from ..extensions import login_manager
from ..models import HelpSource, TokenScope
from ..services.insights import feedback
from ..services.people import api_tokens
from ..unit_of_work import checkpoint
from .problems import ApiProblem

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="kotae"'}


def load_caller() -> None:
    """Before each API request: `g.api_token` and `g.api_user` from the bearer token (None for anonymous)."""
    g.api_token = g.api_user = None
    header = request.headers.get("Authorization", "")
    if not header:
        return
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiProblem(401, _("Send the token as 'Authorization: Bearer <token>'."), "token", headers=_CHALLENGE)
    try:
        token, touched = api_tokens.authenticate(secret.strip())
    except api_tokens.TokenRefused:
        raise ApiProblem(401, _("This token is unknown, revoked or expired."), "token",
                         headers={"WWW-Authenticate": 'Bearer realm="kotae", error="invalid_token"'}) from None
    if touched:
        checkpoint()  # the last-use stamp, committed before the request's reads (see unit_of_work)
    g.api_token, g.api_user = token, token.user


def caller():
    """The token's owner, or an anonymous user for the services' permission checks."""
    return g.get("api_user") or login_manager.anonymous_user()


def requires(scope: str):
    """The view needs a token with this scope: 401 without one, 403 with a weaker one."""
    def decorate(view):
        @wraps(view)
        def checked(*args, **kwargs):
            token = g.get("api_token")
            if token is None:
                raise ApiProblem(401, _("Sign in with a personal API token to do this."), "token",
                                 headers=_CHALLENGE)
            if not token.allows(scope):
                raise ApiProblem(403, _("This token can only read; create a read-write token to do this."),
                                 "scope")
            return view(*args, **kwargs)
        checked.api_scope = scope  # for the OpenAPI document's security requirement
        return checked
    return decorate


WRITE = requires(TokenScope.WRITE)

VISITOR_ID = re.compile(r"[A-Za-z0-9_-]{20,48}")  # the shape the pages' visitor cookie has too


def visitor() -> tuple[str | None, str]:
    """Who is looking for help, for feedback and deflection: (visitor key, source). A token's owner is a member
    (source "api"); the help widget sends a random id as `X-Kotae-Visitor` (source "widget"); else nobody."""
    user = g.get("api_user")
    if user is not None:
        return feedback.user_key(user.id), HelpSource.API
    header = request.headers.get("X-Kotae-Visitor", "")
    if VISITOR_ID.fullmatch(header):
        return feedback.anonymous_key(header), HelpSource.WIDGET
    return None, HelpSource.API


def rate_limit_key() -> str:
    """Per token when one is sent, else per address. Flask-Limiter asks before `load_caller` has run, so the
    bucket is named by a hash of the secret as sent (an unknown one is refused with a 401 right after)."""
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        return "api-token:" + hashlib.sha256(secret.strip().encode()).hexdigest()[:32]
    return f"api-ip:{request.remote_addr}"
