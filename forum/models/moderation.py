"""Moderation: flags, close/reopen votes, suggested edits, suspensions and the staff audit log."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .post import Post
from .user import User


class FlagReason:
    SPAM = "spam"
    RUDE = "rude"  # rude or abusive
    NEEDS_IMPROVEMENT = "needs_improvement"
    DUPLICATE = "duplicate"
    OTHER = "other"
    ALL = (SPAM, RUDE, NEEDS_IMPROVEMENT, DUPLICATE, OTHER)
    HIDING = (SPAM, RUDE)  # enough of these hide the post until staff review it
    PERSONAL_DATA = "personal_data"  # not a user's flag: the author posted personal data anyway (raised by the system)
    REVIEWED = (*ALL, PERSONAL_DATA)  # what the review queue may show


class FlagStatus:
    PENDING = "pending"
    HELPFUL = "helpful"  # staff acted on it
    DISMISSED = "dismissed"
    ALL = (PENDING, HELPFUL, DISMISSED)


class Flag(db.Model):
    """A user's report that a post needs staff attention; one per user per post."""

    __tablename__ = "flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(20))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(String(500), default="", server_default="")
    status: Mapped[str] = mapped_column(String(12), default=FlagStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None]
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    post: Mapped[Post] = relationship(foreign_keys=[post_id])
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    __table_args__ = (
        UniqueConstraint("post_id", "user_id"),
        Index("ix_flags_status_created", "status", "created_at"),
    )


class CloseReason:
    DUPLICATE = "duplicate"
    OFF_TOPIC = "off_topic"
    NEEDS_DETAILS = "needs_details"
    RESOLVED_BY_SUPPORT = "resolved_by_support"
    ALL = (DUPLICATE, OFF_TOPIC, NEEDS_DETAILS, RESOLVED_BY_SUPPORT)


class CloseVote(db.Model):
    """A vote to close (or reopen) a question; removed once the question is closed or reopened."""

    __tablename__ = "close_votes"

    CLOSE = "close"
    REOPEN = "reopen"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(8), default=CLOSE)
    reason: Mapped[str | None] = mapped_column(String(20))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("post_id", "user_id", "kind"),)


class SuggestionStatus:
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    ALL = (PENDING, APPROVED, REJECTED)


class SuggestedEdit(db.Model):
    """An edit proposed by a user without the edit privilege; applied as a revision when approved."""

    __tablename__ = "suggested_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    base_revision: Mapped[int]  # the revision number the suggestion was written against
    title: Mapped[str | None] = mapped_column(String(150))
    body_md: Mapped[str] = mapped_column(Text)
    tags: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(10), default=SuggestionStatus.PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_at: Mapped[datetime | None]
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_comment: Mapped[str] = mapped_column(String(300), default="", server_default="")

    post: Mapped[Post] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])


class Suspension(db.Model):
    """A period during which a user may read but not post, vote or flag. `User.suspended_until` mirrors the live one."""

    __tablename__ = "suspensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    starts_at: Mapped[datetime] = mapped_column(default=utcnow)
    ends_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    lifted_at: Mapped[datetime | None]
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])


class AuditLogEntry(db.Model):
    """One staff action: who did what to what, when and why (shown at /admin/audit)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    target_type: Mapped[str | None] = mapped_column(String(20))  # "post", "user", "faq_entry", "webhook"...
    target_id: Mapped[int | None]
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    detail: Mapped[str] = mapped_column(Text, default="", server_default="")  # JSON
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_audit_log_target", "target_type", "target_id"),)
