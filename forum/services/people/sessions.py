"""Server-side sessions: opened at sign-in, ended by logout, password change, suspension or the user's own revoke.

The browser's cookie carries a random token; the database keeps only its hash, so a stolen database cannot be
replayed as cookies, and deleting the row signs that browser out on its very next request.
"""
import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from ...extensions import db
from ...models import Notification, User, UserSession, utcnow
from ..errors import NotFound

TOKEN_BYTES = 32
TOUCH_EVERY = timedelta(minutes=5)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(user: User, user_agent: str = "", address: str = "") -> str:
    """Start a session for `user` and return its token (to be put in the cookie, and never stored)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = UserSession(user_id=user.id, token_hash=_hash(token), user_agent=(user_agent or "")[:200],
                      address=(address or "")[:45])
    db.session.add(row)
    db.session.flush()
    user.session_token, user.current_session = token, row
    return token


def user_for_token(token: str, max_idle: timedelta | None = None) -> User | None:
    """The user signed in with `token`, in one query; None if the session was ended or lay idle too long.

    The same query counts the user's unread notifications, which the header of every page shows (a COUNT on
    the (user_id, read_at) index), so a signed-in page spends no statement of its own on it."""
    if not token or len(token) > 100:
        return None
    unread = (select(func.count(Notification.id))
              .where(Notification.user_id == User.id, Notification.read_at.is_(None)).scalar_subquery())
    found = db.session.execute(
        select(User, UserSession, unread).join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == _hash(token))
    ).first()
    if found is None:
        return None
    user, row, unread_count = found
    if max_idle is not None and row.last_seen_at < utcnow() - max_idle:
        return None
    user.session_token, user.current_session, user.inbox_unread = token, row, unread_count or 0
    return user


def touch(row: UserSession | None, now: datetime | None = None) -> bool:
    """Note activity at most every few minutes, so the sessions list shows when each was last used."""
    now = now or utcnow()
    if row is None or now - row.last_seen_at < TOUCH_EVERY:
        return False
    row.last_seen_at = now
    return True


def end_session(token: str | None) -> None:
    """Logout: this browser's session is gone, whatever copies of its cookie exist."""
    if token:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == _hash(token)))


def end_other_sessions(user: User, keep_token: str | None = None) -> int:
    """End every session of `user` but the one holding `keep_token` (password change, "sign out elsewhere")."""
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if keep_token:
        query = query.where(UserSession.token_hash != _hash(keep_token))
    return db.session.execute(query).rowcount


def end_all_sessions(user: User) -> int:
    """Suspension or a password reset: the user is signed out everywhere."""
    return end_other_sessions(user, keep_token=None)


def sessions_of(user: User) -> list[UserSession]:
    """The user's signed-in browsers, most recently used first."""
    return list(db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ))


def revoke(user: User, session_id: int) -> None:
    """End one of `user`'s own sessions; someone else's session id is simply not found."""
    removed = db.session.execute(
        delete(UserSession).where(UserSession.id == session_id, UserSession.user_id == user.id)
    ).rowcount
    if not removed:
        raise NotFound(_l("That session has already ended."))


def is_current(user: User, row: UserSession) -> bool:
    return user.current_session is not None and user.current_session.id == row.id
