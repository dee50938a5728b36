"""Outcome feedback ("Did this solve your problem?") on FAQ entries and threads, and the rates staff read.

One row per visitor per page (`visitor_key` is "user:<id>" or "anon:<token>"), changed in place. A row counts in
the week it was first given, with the outcome it has now. The asker's own answer on their thread (`is_asker`) is
kept out of the visitor rates and counted on its own.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import FaqEntry, FaqStatus, Feedback, FeedbackTarget, Outcome, Question, User, utcnow
from ...models.post import slugify
from ..errors import Invalid, NotFound

# FaqEntry keeps one counter per outcome so /faq can sort without a join.
COUNTER_COLUMNS = {
    Outcome.RESOLVED: "resolved_count",
    Outcome.HELPFUL: "helpful_count",
    Outcome.NOT_HELPFUL: "not_helpful_count",
}


def user_key(user_id: int) -> str:
    return f"user:{user_id}"


def anonymous_key(token: str) -> str:
    return f"anon:{token}"


def record_feedback(target_type: str, target_id: int, visitor_key: str, outcome: str, user: User | None = None,
                    is_asker: bool = False) -> Feedback:
    """Give or change a visitor's outcome for a page; the FAQ entry's counters follow.

    On a thread, a signed-in visitor who asked the question is recorded as the asker even if `is_asker` is not
    passed, so the asker's answer can never leak into the visitor rates.
    """
    if target_type not in FeedbackTarget.ALL:
        raise Invalid(_l("Feedback can only be given on an FAQ entry or a thread."))
    if outcome not in Outcome.ALL:
        raise Invalid(_l("Please choose one of the answers: resolved, helpful but not resolved, or not helpful."),
                      field="outcome")
    target = get_target(target_type, target_id)
    if isinstance(target, Question):
        is_asker = is_asker or (user is not None and target.author_id == user.id)
    else:
        is_asker = False  # nobody "asked" an FAQ entry
    row = _find(target_type, target_id, visitor_key)
    if row is None:
        try:
            with db.session.begin_nested():
                row = Feedback(target_type=target_type, target_id=target_id, visitor_key=visitor_key,
                               user_id=user.id if user is not None else None, outcome=outcome, is_asker=is_asker)
                db.session.add(row)
        except IntegrityError:  # the same visitor voted in another tab a moment ago: change that row instead
            row = _find(target_type, target_id, visitor_key)
            if row is None:
                raise
        else:
            _count(target, outcome, +1)
            return row
    if row.outcome != outcome:
        _count(target, row.outcome, -1)
        _count(target, outcome, +1)
        row.outcome = outcome
        row.updated_at = utcnow()
    row.is_asker = row.is_asker or is_asker
    if user is not None:
        row.user_id = user.id
    db.session.flush()
    return row


def get_target(target_type: str, target_id: int) -> FaqEntry | Question:
    """The page feedback is about: a published FAQ entry or a thread that is not deleted; NotFound otherwise."""
    if target_type == FeedbackTarget.FAQ:
        entry = db.session.get(FaqEntry, target_id)
        if entry is None or entry.status != FaqStatus.PUBLISHED:
            raise NotFound(_l("This FAQ entry does not exist or is not published."))
        return entry
    if target_type == FeedbackTarget.THREAD:
        question = db.session.get(Question, target_id)
        if question is None or question.is_deleted:
            raise NotFound(_l("This question does not exist or was deleted."))
        return question
    raise Invalid(_l("Feedback can only be given on an FAQ entry or a thread."))


def _find(target_type: str, target_id: int, visitor_key: str) -> Feedback | None:
    # FOR UPDATE (ignored by SQLite) serialises two changes by the same visitor, so the counters stay exact.
    return db.session.scalar(
        select(Feedback)
        .where(Feedback.target_type == target_type, Feedback.target_id == target_id,
               Feedback.visitor_key == visitor_key)
        .with_for_update()
    )


def _count(target, outcome: str, delta: int) -> None:
    if isinstance(target, FaqEntry):
        column = COUNTER_COLUMNS[outcome]
        # An SQL expression, not a Python sum: concurrent votes on the same entry do not overwrite each other.
        setattr(target, column, getattr(FaqEntry, column) + delta)


def current_outcome(target_type: str, target_id: int, visitor_key: str | None) -> str | None:
    """The visitor's answer on this page, or None; no query without a visitor key."""
    if not visitor_key:
        return None
    return db.session.scalar(
        select(Feedback.outcome).where(Feedback.target_type == target_type, Feedback.target_id == target_id,
                                       Feedback.visitor_key == visitor_key)
    )


def counts_for(target_type: str, ids) -> dict[int, dict[str, int]]:
    """Visitor feedback per page (the asker's own answer left out), in one query; every id is present."""
    ids = list(ids)
    counts = {target_id: {outcome: 0 for outcome in Outcome.ALL} for target_id in ids}
    if not ids:
        return counts
    rows = db.session.execute(
        select(Feedback.target_id, Feedback.outcome, func.count())
        .where(Feedback.target_type == target_type, Feedback.target_id.in_(ids), Feedback.is_asker.is_(False))
        .group_by(Feedback.target_id, Feedback.outcome)
    )
    for target_id, outcome, n in rows:
        if outcome in Outcome.ALL:
            counts[target_id][outcome] = n
    return counts


@dataclass
class OutcomeRates:
    resolved: int = 0
    helpful: int = 0
    not_helpful: int = 0
    asker_resolved: int = 0
    asker_total: int = 0

    @property
    def total(self) -> int:
        return self.resolved + self.helpful + self.not_helpful

    @property
    def self_resolution_rate(self) -> float | None:
        """Resolved / all visitor feedback; None when there is none."""
        return self.resolved / self.total if self.total else None

    @property
    def helpfulness_rate(self) -> float | None:
        """(Resolved + helpful) / all visitor feedback; None when there is none."""
        return (self.resolved + self.helpful) / self.total if self.total else None

    @property
    def asker_resolution_rate(self) -> float | None:
        return self.asker_resolved / self.asker_total if self.asker_total else None

    def add(self, outcome: str, is_asker: bool, n: int = 1) -> None:
        if is_asker:
            self.asker_total += n
            self.asker_resolved += n if outcome == Outcome.RESOLVED else 0
        elif outcome in Outcome.ALL:
            setattr(self, outcome, getattr(self, outcome) + n)


def outcome_rates(start: datetime, end: datetime, target_type: str | None = None) -> OutcomeRates:
    """Counts and rates of feedback first given in [start, end), for one kind of page or both, in one query."""
    query = (
        select(Feedback.outcome, Feedback.is_asker, func.count())
        .where(Feedback.created_at >= start, Feedback.created_at < end)
        .group_by(Feedback.outcome, Feedback.is_asker)
    )
    if target_type is not None:
        query = query.where(Feedback.target_type == target_type)
    rates = OutcomeRates()
    for outcome, is_asker, n in db.session.execute(query):
        rates.add(outcome, bool(is_asker), n)
    return rates


def week_start(day: date) -> date:
    """Monday of the ISO week holding `day`."""
    return day - timedelta(days=day.weekday())


def weekly_rates(weeks: int, target_type: str | None, now: datetime | None = None) -> list[tuple[date, OutcomeRates]]:
    """The last `weeks` ISO weeks (UTC, Monday first, oldest first, the current week last), in one query.

    Rows are grouped by day in SQL (date() exists on SQLite and PostgreSQL) and the days folded into weeks here,
    so the result is at most 7 x weeks x 6 rows whatever the traffic.
    """
    weeks = max(int(weeks), 1)
    today = (now or utcnow()).date()
    first = week_start(today) - timedelta(weeks=weeks - 1)
    end = week_start(today) + timedelta(weeks=1)
    buckets = [(first + timedelta(weeks=i), OutcomeRates()) for i in range(weeks)]
    day = func.date(Feedback.created_at)
    query = (
        select(day, Feedback.outcome, Feedback.is_asker, func.count())
        .where(Feedback.created_at >= datetime.combine(first, datetime.min.time()),
               Feedback.created_at < datetime.combine(end, datetime.min.time()))
        .group_by(day, Feedback.outcome, Feedback.is_asker)
    )
    if target_type is not None:
        query = query.where(Feedback.target_type == target_type)
    for value, outcome, is_asker, n in db.session.execute(query):
        day_value = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
        index = (week_start(day_value) - first).days // 7
        if 0 <= index < weeks:
            buckets[index][1].add(outcome, bool(is_asker), n)
    return buckets


def totals(rows: list[tuple[date, OutcomeRates]]) -> OutcomeRates:
    """The sum of several weeks."""
    total = OutcomeRates()
    for _week, rates in rows:
        for name in ("resolved", "helpful", "not_helpful", "asker_resolved", "asker_total"):
            setattr(total, name, getattr(total, name) + getattr(rates, name))
    return total


@dataclass
class TargetCounts:
    target_id: int
    title: str
    resolved: int
    helpful: int
    not_helpful: int
    asker_outcome: str | None = None
    slug: str = ""

    @property
    def total(self) -> int:
        return self.resolved + self.helpful + self.not_helpful


def faq_entry_counts(limit: int = 100) -> list[TargetCounts]:
    """FAQ entries with feedback, most feedback first, from the counters (one query)."""
    total = FaqEntry.resolved_count + FaqEntry.helpful_count + FaqEntry.not_helpful_count
    rows = db.session.execute(
        select(FaqEntry.id, FaqEntry.title, FaqEntry.resolved_count, FaqEntry.helpful_count,
               FaqEntry.not_helpful_count)
        .where(total > 0)
        .order_by(total.desc(), FaqEntry.id)
        .limit(limit)
    )
    return [TargetCounts(*row) for row in rows]


def top_threads(limit: int = 50) -> list[TargetCounts]:
    """Threads with the most visitor feedback, with the asker's own answer beside it (one query)."""
    visitor = Feedback.is_asker.is_(False)

    def tally(outcome: str):
        return func.sum(case((visitor & (Feedback.outcome == outcome), 1), else_=0))

    # max() over at most one asker row per thread picks the asker's outcome without a second query.
    asker = func.max(case((Feedback.is_asker.is_(True), Feedback.outcome), else_=None))
    visitor_total = func.sum(case((visitor, 1), else_=0))
    rows = db.session.execute(
        select(Question.id, Question.title, tally(Outcome.RESOLVED), tally(Outcome.HELPFUL),
               tally(Outcome.NOT_HELPFUL), asker)
        .select_from(Feedback)
        .join(Question, Question.id == Feedback.target_id)
        .where(Feedback.target_type == FeedbackTarget.THREAD)
        .group_by(Question.id, Question.title)
        .order_by(visitor_total.desc(), Question.id)
        .limit(limit)
    )
    return [TargetCounts(qid, title, int(r or 0), int(h or 0), int(n or 0), a, slugify(title or ""))
            for qid, title, r, h, n, a in rows]
