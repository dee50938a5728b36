"""Confirming e-mail addresses: at sign-up, and before a new address from the settings replaces the old one.

An unconfirmed account may read and ask, but gets no e-mail notifications (REQUIRE_VERIFIED_EMAIL_FOR_MAIL).
A new address only becomes the account's once the link sent to it is followed; the old address is then told.
Without an SMTP server nothing can be confirmed, so changing the address is refused rather than done blind.
"""
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import User, utcnow
from ..audit_log import log_action
from ..errors import Conflict, Invalid
from ..outreach import mail
from . import tokens
from .accounts import normalize_email, password_matches, require_free_email


def verify_path(token: str) -> str:
    return f"/verify-email/{token}"


def _days() -> int:
    return max(1, current_app.config["EMAIL_VERIFICATION_MAX_AGE"] // 86400)


def send_verification(user: User) -> bool:
    """Queue a link confirming the account's own address; False when there is nothing to send (already
    confirmed, an undeliverable address, or e-mail is off on this site)."""
    if user.email_verified_at is not None or not mail.enabled() or not mail.looks_deliverable(user.email):
        return False
    link = mail.absolute_url(verify_path(tokens.verification_token(user, user.email)))
    mail.queue(user, "verify_email", link=link, days=_days(), address=user.email, change=False)
    return True


def require_mail() -> None:
    if not mail.enabled():
        raise Conflict(_l("This site cannot send e-mail yet, so addresses cannot be confirmed. "
                          "Please ask the administrators."))


def request_email_change(user: User, new_email: str, password: str) -> str:
    """Send a confirmation link to the new address; the account keeps its old address until it is followed."""
    if not password_matches(user, password):
        raise Invalid(_l("Your password is not correct."), field="password")
    address = normalize_email(new_email)
    if address == user.email:
        raise Invalid(_l("That is already your e-mail address."), field="email")
    if not mail.looks_deliverable(address):
        raise Invalid(_l("Enter a valid e-mail address."), field="email")
    require_free_email(address)
    require_mail()
    link = mail.absolute_url(verify_path(tokens.verification_token(user, address)))
    mail.queue(user, "verify_email", to=address, link=link, days=_days(), address=address, change=True)
    return address


def masked(address: str) -> str:
    """'a***@example.com': enough for the owner to recognise, not the whole address for whoever reads the old box."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


@dataclass
class Confirmation:
    user: User
    changed_from: str | None  # the old address, when the link switched the account to a new one
    already: bool = False  # the address was confirmed before (a second click on the same link)


def confirm(token: str) -> Confirmation:
    """Follow a confirmation link: mark the address confirmed, or switch the account to the new address."""
    user, address, current = tokens.read_verification(token)
    if address == user.email:
        if user.email_verified_at is not None:
            return Confirmation(user, None, already=True)
        user.email_verified_at = utcnow()
        db.session.flush()
        return Confirmation(user, None)
    if not current:  # the account changed its address since this link was sent
        raise tokens.used()
    if db.session.scalar(select(User.id).where(User.email == address)):
        raise Conflict(_l("Another account uses that e-mail address now, so it cannot become yours."))
    old = user.email
    user.email, user.email_verified_at = address, utcnow()
    log_action(user, "account.email_change", user)
    if mail.looks_deliverable(old):
        mail.queue(user, "email_changed", to=old, new_address=masked(address))
    db.session.flush()
    return Confirmation(user, old)
