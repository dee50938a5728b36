"""Help sessions from the widget and the API, to measure deflection: questions settled without a new thread."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow


class HelpSource:
    WIDGET = "widget"  # the help widget on a company's page (an anonymous visitor id)
    API = "api"  # a script or chatbot with a personal token
    ALL = (WIDGET, API)


class HelpSession(db.Model):
    """A visitor looking for an answer through the widget or the API: one row per visitor per half hour of
    searching, however many words they type. It counts as deflected when the same visitor says "resolved" about
    an FAQ entry or thread before `window_ends_at`, and (for members) asks no question in that time."""

    __tablename__ = "help_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    visitor_key: Mapped[str] = mapped_column(String(64))  # as Feedback.visitor_key: "user:<id>" or "anon:<hash>"
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_search_at: Mapped[datetime] = mapped_column(default=utcnow)
    window_ends_at: Mapped[datetime]  # created_at + one day, stored: date arithmetic in SQL is not portable

    __table_args__ = (Index("ix_help_sessions_visitor_last", "visitor_key", "last_search_at"),)


__all__ = ["HelpSession", "HelpSource"]
