"""Comments under questions and answers."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .user import User


class Comment(db.Model):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(String(600))
    body_html: Mapped[str] = mapped_column(Text)
    score: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
    # Posted with personal data after the warning: shown only to its author and staff until a moderator handles
    # the post's "personal data" flag (services/moderation/holds.py).
    held_at: Mapped[datetime | None]

    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (Index("ix_comments_post_created", "post_id", "created_at"),)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_held(self) -> bool:
        return self.held_at is not None
