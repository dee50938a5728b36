"""Questions and answers share one `posts` table (one id space for votes, flags and revisions)."""
import re
import unicodedata
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from ..extensions import db
from .base import utcnow
from .user import User

question_tags = Table(
    "question_tags",
    db.metadata,
    Column("question_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class PostType:
    QUESTION = "question"
    ANSWER = "answer"


class Post(db.Model):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_type: Mapped[str] = mapped_column(String(10))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str | None] = mapped_column(String(150))
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    excerpt: Mapped[str] = mapped_column(String(300), default="")
    score: Mapped[int] = mapped_column(default=0)
    view_count: Mapped[int] = mapped_column(default=0)
    answer_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    accepted_answer_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", use_alter=True))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Attribution of imported content (CC BY-SA): where it came from, who wrote it, under which licence.
    origin_site: Mapped[str | None] = mapped_column(String(100))
    origin_url: Mapped[str | None] = mapped_column(String(255))
    origin_author: Mapped[str | None] = mapped_column(String(100))
    origin_author_url: Mapped[str | None] = mapped_column(String(255))
    origin_license: Mapped[str | None] = mapped_column(String(40))
    # Staff verification of an answer ("official answer").
    official_at: Mapped[datetime | None]
    official_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Moderation state of a question: closed (with a reason, maybe a duplicate), locked, or hidden by flags.
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    close_reason: Mapped[str | None] = mapped_column(String(20))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", use_alter=True))
    locked_at: Mapped[datetime | None]
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_at: Mapped[datetime | None]  # enough spam/rude flags: hidden from all but staff and the author
    # Voice of the customer: staff label a thread as a bug, a feature request or feedback.
    customer_label: Mapped[str | None] = mapped_column(String(12), index=True)
    # A question's language, "ja" or "en" (services/community/language.py); None on answers.
    language: Mapped[str | None] = mapped_column(String(2))

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined", innerjoin=True)
    editor: Mapped[User | None] = relationship(foreign_keys=[editor_id])

    __mapper_args__ = {"polymorphic_on": post_type, "polymorphic_identity": "post"}
    # The question list filters on type and deletion and sorts by one of these columns.
    __table_args__ = (
        Index("ix_posts_type_created", "post_type", "deleted_at", "created_at"),
        Index("ix_posts_type_activity", "post_type", "deleted_at", "last_activity_at"),
        Index("ix_posts_type_score", "post_type", "deleted_at", "score"),
        Index("ix_posts_type_answers", "post_type", "deleted_at", "answer_count", "created_at"),
        Index("ix_posts_type_language_created", "post_type", "language", "deleted_at", "created_at"),
    )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_official(self) -> bool:
        return self.official_at is not None

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_question(self) -> bool:
        return self.post_type == PostType.QUESTION


class Question(Post):
    __mapper_args__ = {"polymorphic_identity": PostType.QUESTION}

    tags: Mapped[list["Tag"]] = relationship(secondary=question_tags, order_by="Tag.name", back_populates="questions")
    answers: Mapped[list["Answer"]] = relationship(
        foreign_keys="Answer.question_id", back_populates="question", lazy="raise_on_sql"
    )

    @property
    def slug(self) -> str:
        return slugify(self.title or "")

    @property
    def has_accepted_answer(self) -> bool:
        return self.accepted_answer_id is not None


class Answer(Post):
    __mapper_args__ = {"polymorphic_identity": PostType.ANSWER}

    question: Mapped[Question] = relationship(
        foreign_keys=[Post.question_id], remote_side=[Post.id], back_populates="answers"
    )


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(35), unique=True)
    question_count: Mapped[int] = mapped_column(default=0, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Loaded only by the tag directory filtered by language: its questions in that language.
    count_in_language: Mapped[int | None] = query_expression()

    questions: Mapped[list[Question]] = relationship(
        secondary=question_tags, back_populates="tags", lazy="raise_on_sql"
    )


class PostRevision(db.Model):
    """One row per saved version of a post: revision 1 is the original."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    number: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str | None] = mapped_column(String(150))
    body_md: Mapped[str] = mapped_column(Text)
    tags: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (db.UniqueConstraint("post_id", "number"),)


class PostLink(db.Model):
    """A link between two posts, e.g. a question closed as a duplicate of another (imported PostLinks)."""

    __tablename__ = "post_links"

    DUPLICATE = "duplicate"
    LINKED = "linked"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    related_post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    link_type: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (db.UniqueConstraint("post_id", "related_post_id", "link_type"),)


class PostView(db.Model):
    """Who has been counted as a viewer of a question, so reloading a page does not inflate its views."""

    __tablename__ = "post_views"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    viewer_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def slugify(title: str, max_length: int = 80) -> str:
    """URL-friendly words of a title; Japanese characters are kept (browsers show them readably)."""
    text = unicodedata.normalize("NFKC", title).lower()
    slug = _NON_WORD.sub("-", text).strip("-_")
    return slug[:max_length].rstrip("-") or "question"
