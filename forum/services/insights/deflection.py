"""Deflection: how often a search from the help widget or the API ends with "resolved" and no new question.

A help session starts with a visitor's first search (widget or API) and takes in their further searches for
`SESSION_GAP`, so typing a sentence word by word is one session. It is deflected when the same visitor says
"resolved" about an FAQ entry or a thread within `WINDOW` of the session's start and, for a member, asks no
question in that time (an anonymous widget visitor who then asks on the forum does so under another identity,
so for them only the "resolved" counts).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, func, select, update

from ...extensions import db
from ...models import Feedback, HelpSession, Outcome, Post, PostType, utcnow
from .feedback import week_start

SESSION_GAP = timedelta(minutes=30)
WINDOW = timedelta(days=1)


def record_search(visitor_key: str | None, user_id: int | None, source: str, now: datetime | None = None) -> None:
    """Note a search: extend the visitor's open session, or start one. Visitors without a key are not counted."""
    if not visitor_key:
        return
    now = now or utcnow()
    extended = db.session.execute(
        update(HelpSession).where(HelpSession.visitor_key == visitor_key,
                                  HelpSession.last_search_at >= now - SESSION_GAP)
        .values(last_search_at=now).execution_options(synchronize_session=False)).rowcount
    if not extended:
        db.session.add(HelpSession(visitor_key=visitor_key, user_id=user_id, source=source, created_at=now,
                                   last_search_at=now, window_ends_at=now + WINDOW))
        db.session.flush()


@dataclass
class WeekDeflection:
    week: date
    sessions: int = 0
    deflected: int = 0

    @property
    def rate(self) -> float | None:
        return self.deflected / self.sessions if self.sessions else None


def _deflected():
    resolved = exists().where(
        Feedback.visitor_key == HelpSession.visitor_key, Feedback.outcome == Outcome.RESOLVED,
        Feedback.updated_at >= HelpSession.created_at, Feedback.updated_at < HelpSession.window_ends_at)
    asked = exists().where(
        Post.author_id == HelpSession.user_id, Post.post_type == PostType.QUESTION,
        Post.created_at >= HelpSession.created_at, Post.created_at < HelpSession.window_ends_at)
    return and_(resolved, ~asked)


def weekly(weeks: int, now: datetime | None = None) -> list[WeekDeflection]:
    """Sessions and deflected sessions for the last `weeks` ISO weeks (UTC, oldest first), in one query grouped
    by day. The latest day's sessions may still be deflected: their window is open."""
    weeks = max(int(weeks), 1)
    today = (now or utcnow()).date()
    first = week_start(today) - timedelta(weeks=weeks - 1)
    end = week_start(today) + timedelta(weeks=1)
    rows = [WeekDeflection(first + timedelta(weeks=i)) for i in range(weeks)]
    day = func.date(HelpSession.created_at)
    deflected = func.sum(func.cast(_deflected(), db.Integer))
    query = (select(day, func.count(HelpSession.id), deflected)
             .where(HelpSession.created_at >= datetime.combine(first, datetime.min.time()),
                    HelpSession.created_at < datetime.combine(end, datetime.min.time()))
             .group_by(day))
    for value, sessions, settled in db.session.execute(query):
        day_value = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
        index = (week_start(day_value) - first).days // 7
        if 0 <= index < weeks:
            rows[index].sessions += sessions
            rows[index].deflected += int(settled or 0)
    return rows
