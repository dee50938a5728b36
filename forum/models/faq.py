"""The official FAQ (entries promoted from threads, their categories and revisions) and outcome feedback."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .post import Answer, Question, slugify
from .user import User


class FaqCategory(db.Model):
    """A staff-managed section of /faq; `position` orders the sections."""

    __tablename__ = "faq_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)  # the English name (or the only one)
    name_ja: Mapped[str] = mapped_column(String(80), default="", server_default="")  # the Japanese name
    description: Mapped[str] = mapped_column(String(300), default="", server_default="")
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def display_name(self, locale: str) -> str:
        """The name in the reader's UI language, else the other one."""
        return (self.name_ja or self.name) if locale == "ja" else (self.name or self.name_ja)


class FaqStatus:
    DRAFT = "draft"  # created by "promote", not yet published
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"  # hidden for now, may be published again
    RETIRED = "retired"  # no longer true; kept for the record and for its feedback
    ALL = (DRAFT, PUBLISHED, UNPUBLISHED, RETIRED)


class FaqEntry(db.Model):
    """An official FAQ entry made from a thread: a question summary and an answer, edited by staff.

    It remembers its source (the question, the answer and the revision numbers it was made from), so the
    page can credit the original authors and staff can see what changed in the thread since promotion.
    """

    __tablename__ = "faq_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"), index=True)
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"), index=True)
    question_revision: Mapped[int | None]  # PostRevision.number of the question when promoted or re-synced
    answer_revision: Mapped[int | None]  # PostRevision.number of the answer when promoted or re-synced
    question_author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answer_author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("faq_categories.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(150))
    question_md: Mapped[str] = mapped_column(Text)
    question_html: Mapped[str] = mapped_column(Text)
    answer_md: Mapped[str] = mapped_column(Text)
    answer_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=FaqStatus.DRAFT)
    language: Mapped[str] = mapped_column(String(2), default="en", server_default="en")  # detected, see set_content
    position: Mapped[int] = mapped_column(default=0, server_default="0")  # staff order within the category
    # Feedback counts, kept in step with `feedback` rows so /faq can sort by helpfulness without a join.
    resolved_count: Mapped[int] = mapped_column(default=0, server_default="0")
    helpful_count: Mapped[int] = mapped_column(default=0, server_default="0")
    not_helpful_count: Mapped[int] = mapped_column(default=0, server_default="0")
    view_count: Mapped[int] = mapped_column(default=0, server_default="0")
    needs_review: Mapped[bool] = mapped_column(default=False, server_default="0", index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    retired_at: Mapped[datetime | None]

    question: Mapped[Question | None] = relationship(foreign_keys=[question_id])
    answer: Mapped[Answer | None] = relationship(foreign_keys=[answer_id])
    question_author: Mapped[User | None] = relationship(foreign_keys=[question_author_id])
    answer_author: Mapped[User | None] = relationship(foreign_keys=[answer_author_id])
    category: Mapped[FaqCategory | None] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    __table_args__ = (Index("ix_faq_entries_status_category", "status", "category_id", "position"),)

    @property
    def is_published(self) -> bool:
        return self.status == FaqStatus.PUBLISHED

    @property
    def slug(self) -> str:
        return slugify(self.title or "")


class FaqRevision(db.Model):
    """Every saved version of an entry (revision 1 is what promotion produced)."""

    __tablename__ = "faq_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("faq_entries.id", ondelete="CASCADE"))
    number: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(150))
    question_md: Mapped[str] = mapped_column(Text)
    answer_md: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("entry_id", "number"),)


class ReviewReason:
    ANSWER_EDITED = "answer_edited"
    OUTSCORED = "outscored"
    CLOSED = "closed"
    ALL = (ANSWER_EDITED, OUTSCORED, CLOSED)


class FaqReview(db.Model):
    """Why an entry may no longer be true to its thread; open until staff re-sync or dismiss it."""

    __tablename__ = "faq_reviews"

    RESYNCED = "resynced"
    DISMISSED = "dismissed"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("faq_entries.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))  # e.g. the newer answer
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(String(12))


class Outcome:
    RESOLVED = "resolved"
    HELPFUL = "helpful"  # helpful but did not resolve the problem
    NOT_HELPFUL = "not_helpful"
    ALL = (RESOLVED, HELPFUL, NOT_HELPFUL)


class FeedbackTarget:
    FAQ = "faq"
    THREAD = "thread"
    ALL = (FAQ, THREAD)


class Feedback(db.Model):
    """"Did this solve your problem?": one row per visitor per page, changed in place when they change their mind.

    `visitor_key` is "user:<id>" for signed-in visitors and "anon:<random>" (a cookie) for the others, so the
    unique constraint gives one vote per visitor per page. `is_asker` marks the asker's answer on their own thread,
    which the rates count separately.
    """

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(8))
    target_id: Mapped[int]
    visitor_key: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(String(12))
    is_asker: Mapped[bool] = mapped_column(default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("target_type", "target_id", "visitor_key"),
        Index("ix_feedback_type_created", "target_type", "created_at"),
    )
