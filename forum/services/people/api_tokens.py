"""Personal API tokens: created and revoked by their owner (staff may revoke any), checked on every API call.

A token is a random secret shown once at creation. The database keeps only its SHA-256 (a token is 256 random
bits, so a fast hash is enough: there is nothing to guess) and its first characters, to tell tokens apart.
"""
import hashlib
import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ...extensions import db
from ...models import ApiToken, TokenScope, User, utcnow
from ..audit_log import log_action
from ..errors import Forbidden, Invalid, NotFound

PREFIX = "kotae_"
NAME_MAX = 60
EXPIRY_DAYS = (None, 7, 30, 90, 365)  # the choices offered; None: never expires
TOKENS_PER_USER = 20
TOUCH_EVERY = timedelta(minutes=5)  # `last_used_at` is written at most this often per token


class TokenRefused(Exception):
    """The bearer token is unknown, revoked or expired (HTTP 401)."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, name: str, scope: str, expires_in_days: int | None) -> tuple[ApiToken, str]:
    """A new token for `user` and its secret (the only time the secret exists outside the caller)."""
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= NAME_MAX:
        raise Invalid(_l("Give the token a name of 1 to %(max)d characters.", max=NAME_MAX), field="name")
    if scope not in TokenScope.ALL:
        raise Invalid(_l("Choose read or read-write access."), field="scope")
    if expires_in_days not in EXPIRY_DAYS:
        raise Invalid(_l("Choose one of the offered expiry periods."), field="expires_in_days")
    if len(tokens_of(user)) >= TOKENS_PER_USER:
        raise Invalid(_l("You have %(count)d live tokens; revoke one before creating another.",
                         count=TOKENS_PER_USER))
    secret = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(user_id=user.id, name=name, token_hash=_hash(secret), prefix=secret[:len(PREFIX) + 4],
                     scope=scope, created_at=now,
                     expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None)
    db.session.add(token)
    db.session.flush()
    return token, secret


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens that still work, newest first."""
    now = utcnow()
    found = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                               .order_by(ApiToken.id.desc())).all()
    return [token for token in found if token.is_live(now)]


def all_tokens(staff: User, limit: int = 200) -> list[ApiToken]:
    """Every live token on the site, for staff (newest first)."""
    if not staff.is_staff:
        raise Forbidden(_l("Only staff can see other members' tokens."))
    now = utcnow()
    found = db.session.scalars(select(ApiToken).where(ApiToken.revoked_at.is_(None))
                               .order_by(ApiToken.id.desc()).limit(limit)).all()
    return [token for token in found if token.is_live(now)]


def revoke(actor: User, token_id: int) -> ApiToken:
    """Revoke a token: its owner may, and staff may revoke anyone's (logged)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.id and not actor.is_staff):
        raise NotFound(_l("There is no such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        if token.user_id != actor.id:
            log_action(actor, "api_token.revoke", token.user, token=token.prefix, name=token.name)
    return token


def authenticate(secret: str) -> tuple[ApiToken, bool]:
    """The live token with this secret (one indexed query) and whether its last use was noted (a write the caller
    commits before reading more); `TokenRefused` otherwise. A suspended member's token still reads: the
    services refuse their writes with the reason, as the pages do."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 100:
        raise TokenRefused()
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(secret)))
    now = utcnow()
    if token is None or not token.is_live(now):
        raise TokenRefused()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return token, False
    db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now)
                       .execution_options(synchronize_session=False))
    return token, True
