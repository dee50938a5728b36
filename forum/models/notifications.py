"""The inbox (one row per thing a user should hear about) and the e-mail outbox."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .user import User


class NotificationKind:
    ANSWER = "answer"  # an answer to your question
    COMMENT = "comment"  # a comment on your post
    MENTION = "mention"  # @you in a post or comment
    ACCEPTED = "accepted"  # your answer was accepted
    BADGE = "badge"
    FAQ_PROMOTED = "faq_promoted"  # your answer became an official FAQ entry
    MODERATION = "moderation"  # a staff decision about you or your post
    ALL = (ANSWER, COMMENT, MENTION, ACCEPTED, BADGE, FAQ_PROMOTED, MODERATION)


class Notification(db.Model):
    """`text` is a short plain-text excerpt; the kind gives the translated sentence at display time."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    url: Mapped[str] = mapped_column(String(255), default="")
    text: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])

    __table_args__ = (
        Index("ix_notifications_user_read", "user_id", "read_at"),
        Index("ix_notifications_user_created", "user_id", "created_at"),
    )


class OutgoingEmail(db.Model):
    """E-mail written in the request's transaction and sent after commit by a background sender (retried)."""

    __tablename__ = "outgoing_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str] = mapped_column(String(500), default="", server_default="")
