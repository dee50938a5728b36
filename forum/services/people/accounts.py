"""Registration, authentication and profile changes."""
import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from ...extensions import db
from ...markup import render_markdown
from ...models import Role, User, username_key, utcnow
from ...passwords import hash_password, verify_password
from ..reputation import badges
from . import sessions
from ..errors import Conflict, Invalid, NotFound

USERNAME_PATTERN = re.compile(r"^[\w.\-]{3,30}$", re.UNICODE)
MIN_PASSWORD_LENGTH = 8


def normalize_email(email: str) -> str:
    """How addresses are stored and compared: NFKC (full-width forms folded), trimmed, lower-case."""
    return unicodedata.normalize("NFKC", email or "").strip().lower()


def check_password_rules(password: str, field: str = "password") -> None:
    """The one password rule, for sign-up, password change and reset alike."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(_l("Use at least %(n)d characters for your password.", n=MIN_PASSWORD_LENGTH), field=field)


def require_free_email(email: str, field: str = "email") -> None:
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise Conflict(_l("An account with that e-mail address already exists."), field=field)


def register_user(username: str, email: str, password: str, role: str = Role.MEMBER, verified: bool = False) -> User:
    """Create an account; usernames and e-mail addresses are unique regardless of case.

    `verified` marks the address as confirmed (accounts an administrator creates); sign-ups confirm it by e-mail.
    """
    # NFKC folds full-width and other look-alike forms, so "ａｄｍｉｎ" cannot sit beside "admin".
    username = unicodedata.normalize("NFKC", username).strip()
    email = normalize_email(email)
    if not USERNAME_PATTERN.match(username):
        raise Invalid(_l("Use 3-30 letters, digits, '.', '-' or '_' for your username."), field="username")
    check_password_rules(password)
    if role not in Role.ALL:
        raise Invalid(_l("Unknown role: %(role)s", role=role), field="role")
    if db.session.scalar(select(User.id).where(User.username_key == username_key(username))):
        raise Conflict(_l("That username is taken."), field="username")
    require_free_email(email)
    user = User(
        username=username, username_key=username_key(username), email=email,
        password_hash=hash_password(password), role=role, email_verified_at=utcnow() if verified else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(login: str, password: str) -> User | None:
    """The user whose username or e-mail and password match, else None (callers give one generic message)."""
    user = find_by_login(login)
    return user if password_matches(user, password) else None


def password_matches(user: User | None, password: str) -> bool:
    """False for an unknown user too, after as long a check, so timing does not tell which names exist."""
    return verify_password(user.password_hash if user else None, password)


def find_by_login(login: str) -> User | None:
    """The account a sign-in form names, by username or e-mail address."""
    login = normalize_email(login)
    return db.session.scalar(select(User).where(or_(User.username_key == login, User.email == login)))


def update_profile(user: User, about: str, locale: str | None) -> User:
    user.about_md = about.strip()
    user.about_html = render_markdown(user.about_md) if user.about_md else ""
    user.locale = locale or None
    db.session.flush()
    badges.on_profile_updated(user)
    return user


def set_language(user: User, locale: str) -> User:
    """Save the language the site speaks to `user` (a supported code; the caller checks)."""
    user.locale = locale
    db.session.flush()
    return user


def change_password(user: User, current_password: str, new_password: str, keep_session_token: str | None = None) -> None:
    """Set a new password and sign out every other browser (the one holding `keep_session_token` stays in)."""
    if not verify_password(user.password_hash, current_password):
        raise Invalid(_l("Your current password is not correct."), field="current_password")
    check_password_rules(new_password, field="new_password")
    user.password_hash = hash_password(new_password)
    sessions.end_other_sessions(user, keep_token=keep_session_token)
    db.session.flush()


def set_role(username: str, role: str) -> User:
    if role not in Role.ALL:
        raise Invalid(_l("Unknown role: %(role)s", role=role))
    user = db.session.scalar(select(User).where(User.username_key == username_key(username)))
    if user is None:
        raise NotFound(_l("No such user."))
    user.role = role
    db.session.flush()
    return user


def touch_last_seen(user: User, every_seconds: int = 300) -> bool:
    """Record activity at most every few minutes, so page views do not each write a row."""
    now = utcnow()
    if user.last_seen_at and (now - user.last_seen_at).total_seconds() < every_seconds:
        return False
    user.last_seen_at = now
    badges.on_user_seen(user)
    return True
