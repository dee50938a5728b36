"""Votes, the reputation ledger and badges."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .post import Post
from .user import User


class Vote(db.Model):
    """One vote per user per post; the unique constraint makes a double click or a race count once."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    value: Mapped[int]  # +1 or -1
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    post: Mapped[Post] = relationship()

    __table_args__ = (
        UniqueConstraint("post_id", "user_id"),
        Index("ix_votes_user_created", "user_id", "created_at"),
    )


class Reason:
    """Why reputation changed; the ledger's `reason` column."""

    QUESTION_UPVOTED = "question_upvoted"
    ANSWER_UPVOTED = "answer_upvoted"
    QUESTION_DOWNVOTED = "question_downvoted"
    ANSWER_DOWNVOTED = "answer_downvoted"
    DOWNVOTE_CAST = "downvote_cast"  # what downvoting an answer costs the voter
    ANSWER_ACCEPTED = "answer_accepted"  # to the answerer
    ACCEPTED_AN_ANSWER = "accepted_an_answer"  # to the asker
    BONUS = "bonus"  # staff-granted, e.g. an answer promoted to the FAQ
    IMPORTED = "imported"  # earned on the original site (anonymised votes of an imported post)

    FIXED_REASONS = (BONUS, IMPORTED)  # not derived from votes or accepts: the audit takes them as they are

    VOTE_REASONS = (QUESTION_UPVOTED, ANSWER_UPVOTED, QUESTION_DOWNVOTED, ANSWER_DOWNVOTED, DOWNVOTE_CAST)
    ACCEPT_REASONS = (ANSWER_ACCEPTED, ACCEPTED_AN_ANSWER)


class ReputationEvent(db.Model):
    """One change of a user's reputation and what caused it.

    `amount` is what was applied after the daily cap (`base_amount` is what the rule gives). Undoing the
    cause (retracting a vote, un-accepting, deleting the post) sets `reversed_at` rather than deleting the
    row, so the history stays auditable; a user's reputation is the sum of live events, floored at 1.
    """

    __tablename__ = "reputation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    amount: Mapped[int]
    base_amount: Mapped[int]
    reason: Mapped[str] = mapped_column(String(32))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"), index=True)
    vote_id: Mapped[int | None] = mapped_column(ForeignKey("votes.id", ondelete="SET NULL"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    capped_day: Mapped[str | None] = mapped_column(String(10))  # UTC day of a capped vote event, 'YYYY-MM-DD'
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reversed_at: Mapped[datetime | None]

    post: Mapped[Post | None] = relationship()

    __table_args__ = (
        Index("ix_reputation_events_user_created", "user_id", "created_at"),
        Index("ix_reputation_events_user_day", "user_id", "capped_day"),
        Index("ix_reputation_events_created", "created_at"),
    )


class UserBadge(db.Model):
    """A badge a user holds. `dedup_key` is 'once' for one-off badges and 'post:<id>' for per-post ones,
    so the unique constraint makes awarding idempotent even when two requests race."""

    __tablename__ = "user_badges"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    badge: Mapped[str] = mapped_column(String(40), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    dedup_key: Mapped[str] = mapped_column(String(40), default="once")
    awarded_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    post: Mapped[Post | None] = relationship()

    __table_args__ = (
        UniqueConstraint("user_id", "badge", "dedup_key"),
        Index("ix_user_badges_user_awarded", "user_id", "awarded_at"),
    )
