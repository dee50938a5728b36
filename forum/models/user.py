"""Accounts and roles."""
import unicodedata
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow


class Role:
    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"
    ALL = (MEMBER, MODERATOR, ADMIN)
    STAFF = (MODERATOR, ADMIN)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(30))
    # Lower-cased copy, so "Aoi" and "aoi" cannot both register and login ignores case.
    username_key: Mapped[str] = mapped_column(String(30), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER)
    about_md: Mapped[str] = mapped_column(Text, default="")
    about_html: Mapped[str] = mapped_column(Text, default="")
    locale: Mapped[str | None] = mapped_column(String(8))
    reputation: Mapped[int] = mapped_column(default=1, index=True)  # max(1, reputation_total), for display and sorting
    reputation_total: Mapped[int] = mapped_column(default=0)  # sum of live ledger events, not floored
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_seen_at: Mapped[datetime | None]
    # Imported accounts (Stack Exchange dumps): the site and the original profile, for attribution.
    origin_site: Mapped[str | None] = mapped_column(String(100))
    origin_url: Mapped[str | None] = mapped_column(String(255))
    # Mirrors the live Suspension row, so every posting check is a column read, not a query.
    suspended_until: Mapped[datetime | None]
    suspension_reason: Mapped[str | None] = mapped_column(String(500))
    # "instant", "daily" (one digest a day) or "off"; e-mail is only sent when SMTP is configured.
    email_notifications: Mapped[str] = mapped_column(String(8), default="instant", server_default="instant")
    # When the address in `email` was confirmed by following a link sent to it; None until then (no e-mail
    # notifications while REQUIRE_VERIFIED_EMAIL_FOR_MAIL). Accounts older than verification count as verified.
    email_verified_at: Mapped[datetime | None]
    # A deleted account: the row stays as an anonymous placeholder ("deleted user 12") holding no personal data,
    # so the posts it leaves, the ledger and the audit log keep pointing at one id.
    deleted_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_users_reputation_id", "reputation", "id"),)

    # The server-side session (token and row) this request signed in with; set by forum.security, not stored.
    session_token = None
    current_session = None
    inbox_unread = None  # unread notifications, counted with the sign-in look-up (None: not counted)

    def get_id(self) -> str:
        """Flask-Login keeps this in the cookie: the session's token, never the bare user id, so it can be revoked."""
        if not self.session_token:
            raise RuntimeError("sign users in with forum.security.sign_in, which opens a server-side session")
        return self.session_token

    # UserMixin compares users by get_id(), which is now per session: compare the accounts instead.
    def __eq__(self, other) -> bool:
        if not isinstance(other, User):
            return NotImplemented
        return self is other or (self.id is not None and self.id == other.id)

    def __hash__(self) -> int:
        return hash(("User", self.id)) if self.id is not None else object.__hash__(self)

    @property
    def is_staff(self) -> bool:
        return self.role in Role.STAFF

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def is_suspended(self, now: datetime | None = None) -> bool:
        return self.suspended_until is not None and self.suspended_until > (now or utcnow())

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username}>"


def username_key(username: str) -> str:
    return unicodedata.normalize("NFKC", username).strip().lower()


__all__ = ["Role", "User", "username_key"]
