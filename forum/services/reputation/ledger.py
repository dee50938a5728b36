"""The reputation ledger: every change is an event row; a user's reputation is the sum of live events.

Rules (Stack Overflow's defaults, configurable): an upvote gives the author +10, a downvote -2 and costs the
voter -1 on answers; an accepted answer gives the answerer +15 and the asker +2 (not for accepting your own
answer). Reputation from upvotes is capped per UTC day (200); accepts are not capped. Undoing a cause reverses
exactly the events it created and re-applies the cap to that day, so the ledger always equals a replay of
the votes and accepts that exist (see `recompute`).
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select, update

from ...extensions import db
from ...models import Reason, ReputationEvent, User, Vote, utcnow


@dataclass(frozen=True)
class ReputationRules:
    question_upvoted: int = 10
    answer_upvoted: int = 10
    downvoted: int = -2
    downvote_cost: int = -1
    answer_accepted: int = 15
    accepted_an_answer: int = 2
    daily_cap: int = 200

    @classmethod
    def from_config(cls, config) -> "ReputationRules":
        overrides = config.get("REPUTATION_RULES") or {}
        return cls(**{key: int(value) for key, value in overrides.items() if key in cls.__dataclass_fields__})


def day_of(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def record(user_id: int, reason: str, base_amount: int, *, post_id: int | None = None, vote_id: int | None = None,
           actor_id: int | None = None, when: datetime | None = None, rules: ReputationRules | None = None
           ) -> ReputationEvent | None:
    """Add one event, applying the daily cap to upvote gains, and move the user's total."""
    if base_amount == 0:
        return None
    when = when or utcnow()
    capped_day = day_of(when) if reason in (Reason.QUESTION_UPVOTED, Reason.ANSWER_UPVOTED) else None
    amount = base_amount
    if capped_day and rules is not None:
        gained = db.session.scalar(
            select(func.coalesce(func.sum(ReputationEvent.amount), 0)).where(
                ReputationEvent.user_id == user_id, ReputationEvent.capped_day == capped_day,
                ReputationEvent.reversed_at.is_(None),
            )
        )
        amount = max(0, min(base_amount, rules.daily_cap - gained))
    event = ReputationEvent(user_id=user_id, reason=reason, base_amount=base_amount, amount=amount, post_id=post_id,
                            vote_id=vote_id, actor_id=actor_id, capped_day=capped_day, created_at=when)
    db.session.add(event)
    _move_total(user_id, amount)
    return event


def reverse(events: list[ReputationEvent], rules: ReputationRules) -> None:
    """Undo events (keeping the rows, marked reversed) and re-apply the cap to the days they were in."""
    now = utcnow()
    days = set()
    for event in events:
        if event.reversed_at is not None:
            continue
        event.reversed_at = now
        _move_total(event.user_id, -event.amount)
        if event.capped_day:
            days.add((event.user_id, event.capped_day))
    db.session.flush()
    for user_id, day in days:
        recap_day(user_id, day, rules)


def restore(events: list[ReputationEvent], rules: ReputationRules) -> None:
    """Re-apply reversed events (a post is undeleted)."""
    days = set()
    for event in events:
        if event.reversed_at is None:
            continue
        event.reversed_at = None
        _move_total(event.user_id, event.amount)
        if event.capped_day:
            days.add((event.user_id, event.capped_day))
    db.session.flush()
    for user_id, day in days:
        recap_day(user_id, day, rules)


def recap_day(user_id: int, day: str, rules: ReputationRules) -> None:
    """Recompute the capped amounts of one user's upvote events on one day, in the order they happened."""
    events = db.session.scalars(
        select(ReputationEvent)
        .where(ReputationEvent.user_id == user_id, ReputationEvent.capped_day == day,
               ReputationEvent.reversed_at.is_(None))
        .order_by(ReputationEvent.created_at, ReputationEvent.id)
    ).all()
    gained, delta = 0, 0
    for event in events:
        amount = max(0, min(event.base_amount, rules.daily_cap - gained))
        gained += amount
        if amount != event.amount:
            delta += amount - event.amount
            event.amount = amount
    if delta:
        _move_total(user_id, delta)
    db.session.flush()


def live_events(**criteria) -> list[ReputationEvent]:
    query = select(ReputationEvent).where(ReputationEvent.reversed_at.is_(None))
    for column, value in criteria.items():
        query = query.where(getattr(ReputationEvent, column) == value)
    return list(db.session.scalars(query))


def _move_total(user_id: int, delta: int) -> None:
    if not delta:
        return
    new_total = User.reputation_total + delta
    db.session.execute(
        update(User).where(User.id == user_id)
        .values(reputation_total=new_total, reputation=case((new_total < 1, 1), else_=new_total))
    )


def vote_base_amounts(vote: Vote, post_type: str, rules: ReputationRules) -> list[tuple[str, int, str]]:
    """(reason, amount, who) for a vote: who is 'author' or 'voter'."""
    if vote.value > 0:
        reason = Reason.QUESTION_UPVOTED if post_type == "question" else Reason.ANSWER_UPVOTED
        amount = rules.question_upvoted if post_type == "question" else rules.answer_upvoted
        return [(reason, amount, "author")]
    reason = Reason.QUESTION_DOWNVOTED if post_type == "question" else Reason.ANSWER_DOWNVOTED
    rows = [(reason, rules.downvoted, "author")]
    if post_type == "answer":
        rows.append((Reason.DOWNVOTE_CAST, rules.downvote_cost, "voter"))
    return rows
