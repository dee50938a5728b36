"""Signed links sent by e-mail: resetting a password, confirming an address.

Nothing is stored. A token is signed with SECRET_KEY and a salt per purpose (so one kind cannot stand in for
another), carries the time it was made (so it expires), and names a fingerprint of what it may change: the
password hash and address for a reset, the current address for a confirmation. Using the link changes that
state, so the same link then stops working; so does any password or address change made meanwhile.
"""
import hashlib

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ...extensions import db
from ...models import User
from ..errors import Invalid

RESET_SALT = "kotae-password-reset"
VERIFY_SALT = "kotae-email-verification"


class LinkError(Invalid):
    """A link that cannot be used; `reason` tells the page which explanation to show."""

    def __init__(self, message, reason: str):
        super().__init__(message)
        self.reason = reason


def expired() -> LinkError:
    return LinkError(_l("This link has expired. Ask for a new one."), reason="expired")


def used() -> LinkError:
    return LinkError(_l("This link was already used, or the account changed since it was sent. "
                        "Ask for a new one if you still need it."), reason="used")


def invalid() -> LinkError:
    return LinkError(_l("This link is not valid. Check that you copied the whole address from the e-mail."),
                     reason="invalid")


def fingerprint(*parts: str | None) -> str:
    """A short digest of account state; the token is signed, so this only has to change when the state does."""
    return hashlib.sha256("\x1f".join(part or "" for part in parts).encode()).hexdigest()[:24]


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def make(salt: str, payload: dict) -> str:
    return _serializer(salt).dumps(payload)


def read(salt: str, token: str, max_age: int) -> tuple[dict, User]:
    """The payload and live account a token names; a LinkError if it is forged, mangled, expired or orphaned."""
    if not token or len(token) > 500:
        raise invalid()
    try:
        payload = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise expired() from None
    except BadSignature:
        raise invalid() from None
    user_id = payload.get("u") if isinstance(payload, dict) else None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.deleted_at is not None:
        raise used()
    return payload, user


def reset_fingerprint(user: User) -> str:
    return fingerprint(user.password_hash, user.email)


def password_reset_token(user: User) -> str:
    return make(RESET_SALT, {"u": user.id, "f": reset_fingerprint(user)})


def user_for_reset(token: str) -> User:
    """The account a reset link was sent for, while the link is fresh and unused."""
    payload, user = read(RESET_SALT, token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    if payload.get("f") != reset_fingerprint(user):
        raise used()
    return user


def verification_token(user: User, address: str) -> str:
    """A link confirming `address` for `user`: their own address, or a new one they asked to switch to."""
    return make(VERIFY_SALT, {"u": user.id, "e": address, "f": fingerprint(user.email)})


def read_verification(token: str) -> tuple[User, str, bool]:
    """(user, address, still_current): still_current is False once the account's address changed since."""
    payload, user = read(VERIFY_SALT, token, current_app.config["EMAIL_VERIFICATION_MAX_AGE"])
    address = payload.get("e")
    if not isinstance(address, str) or not address:
        raise invalid()
    return user, address, payload.get("f") == fingerprint(user.email)
