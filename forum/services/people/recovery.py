"""Forgotten passwords: a signed, single-use, expiring link by e-mail, then a new password.

Asking never tells whether an address has an account: the page answers the same, and an unknown address costs
the same work (the e-mail is rendered, only not written), so the answer's timing tells little either.
"""
from flask import current_app
from sqlalchemy import select

from ...extensions import db
from ...models import User, utcnow
from ...passwords import hash_password
from ..audit_log import log_action
from ..outreach import mail
from . import sessions, tokens
from .accounts import check_password_rules, normalize_email

TEMPLATE = "password_reset"


def request_password_reset(email: str) -> bool:
    """Queue a reset link for the account with this address, if any; returns whether one was queued
    (for tests and logs only: the page must not show it)."""
    address = normalize_email(email)
    minutes = max(1, current_app.config["PASSWORD_RESET_MAX_AGE"] // 60)
    user = db.session.scalar(select(User).where(User.email == address, User.deleted_at.is_(None)))
    if user is None or not mail.looks_deliverable(user.email):
        # The same rendering for nobody, so an unknown address answers in about the same time.
        mail.render(User(id=0, username="", email=address), TEMPLATE, link=mail.absolute_url("/"),
                    minutes=minutes)
        return False
    link = mail.absolute_url(reset_path(tokens.password_reset_token(user)))
    mail.queue(user, TEMPLATE, link=link, minutes=minutes)
    return True


def reset_path(token: str) -> str:
    return f"/password/reset/{token}"


def check_reset_link(token: str) -> User:
    """The account a reset link is for; a tokens.LinkError when it expired, was used or was tampered with."""
    return tokens.user_for_reset(token)


def reset_password(token: str, new_password: str) -> User:
    """Set the new password, end every session of the account, and record it in the audit log.

    The link's fingerprint includes the old password hash, so the same link cannot be used twice. Following it
    also proves the mailbox, so an address not yet confirmed counts as confirmed from now on."""
    user = tokens.user_for_reset(token)
    check_password_rules(new_password)
    user.password_hash = hash_password(new_password)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    ended = sessions.end_all_sessions(user)
    log_action(user, "account.password_reset", user, sessions_ended=ended)
    db.session.flush()
    return user
