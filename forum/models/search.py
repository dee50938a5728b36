"""The search outbox: threads whose index document must be rewritten, written in the same transaction."""
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow


class SearchOutbox(db.Model):
    """One row per question a committed change touched; deleted once the index has the new document.

    Rows left behind (the index was locked, the disk full, the worker killed) are retried by later commits and
    by `flask search reindex`, so the index catches up with the database instead of drifting from it.
    """

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(index=True)  # for kind "faq": the FaqEntry id
    # What `question_id` names: "thread" (a question) or "faq" (an FAQ entry, indexed in the FAQ index).
    kind: Mapped[str] = mapped_column(String(8), default="thread", server_default="thread")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
