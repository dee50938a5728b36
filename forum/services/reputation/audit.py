"""Reputation audit: replay every vote and accept that exists and compare with the ledger and the users table."""
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import Answer, Post, Question, Reason, ReputationEvent, User, Vote, utcnow
from . import ledger
from .ledger import ReputationRules


@dataclass
class Drift:
    user_id: int
    username: str
    expected: int  # replayed from votes and accepts (plus bonuses and imported reputation), not floored
    ledger: int  # sum of live ledger events
    stored: int  # users.reputation_total
    displayed: int  # users.reputation

    @property
    def expected_display(self) -> int:
        return max(1, self.expected)


def replay(rules: ReputationRules) -> dict[int, int]:
    """Each user's total as the rules give it from the current votes and accepts, with the daily cap."""
    totals: dict[int, int] = defaultdict(int)
    gained: dict[tuple[int, str], int] = defaultdict(int)
    rows = db.session.execute(
        select(Vote, Post.post_type, Post.author_id)
        .join(Post, Post.id == Vote.post_id)
        .where(Post.deleted_at.is_(None))
        .order_by(Vote.created_at, Vote.id)
    )
    for vote, post_type, author_id in rows:
        for reason, amount, who in ledger.vote_base_amounts(vote, post_type, rules):
            user_id = author_id if who == "author" else vote.user_id
            if reason in (Reason.QUESTION_UPVOTED, Reason.ANSWER_UPVOTED):
                key = (user_id, ledger.day_of(vote.created_at))
                amount = max(0, min(amount, rules.daily_cap - gained[key]))
                gained[key] += amount
            totals[user_id] += amount
    answer = aliased(Answer)
    accepted = db.session.execute(
        select(Question.author_id, answer.author_id)
        .join(answer, answer.id == Question.accepted_answer_id)
        .where(answer.deleted_at.is_(None))
    )
    for asker_id, answerer_id in accepted:
        if asker_id != answerer_id:
            totals[answerer_id] += rules.answer_accepted
            totals[asker_id] += rules.accepted_an_answer
    bonuses = db.session.execute(
        select(ReputationEvent.user_id, func.sum(ReputationEvent.amount))
        .where(ReputationEvent.reason.in_(Reason.FIXED_REASONS), ReputationEvent.reversed_at.is_(None))
        .group_by(ReputationEvent.user_id)
    )
    for user_id, amount in bonuses:
        totals[user_id] += amount
    return totals


def find_drift(rules: ReputationRules) -> list[Drift]:
    expected = replay(rules)
    ledger_totals = dict(db.session.execute(
        select(ReputationEvent.user_id, func.sum(ReputationEvent.amount))
        .where(ReputationEvent.reversed_at.is_(None)).group_by(ReputationEvent.user_id)
    ).all())
    drifts = []
    for user in db.session.scalars(select(User).order_by(User.id)):
        want, have = expected.get(user.id, 0), ledger_totals.get(user.id, 0)
        if want != have or user.reputation_total != want or user.reputation != max(1, want):
            drifts.append(Drift(user.id, user.username, want, have, user.reputation_total, user.reputation))
    return drifts


def fix_drift(drifts: list[Drift], rules: ReputationRules) -> None:
    """Rebuild the derived events of drifted users from the replay; the old rows stay, marked reversed."""
    if not drifts:
        return
    user_ids = {drift.user_id for drift in drifts}
    now = utcnow()
    stale = db.session.scalars(
        select(ReputationEvent).where(ReputationEvent.user_id.in_(user_ids), ReputationEvent.reversed_at.is_(None),
                                      ReputationEvent.reason.not_in(Reason.FIXED_REASONS))
    ).all()
    for event in stale:
        event.reversed_at = now
    db.session.flush()
    _rebuild_events(user_ids, rules)
    for user_id in user_ids:
        user = db.session.get(User, user_id)
        db.session.refresh(user)
        total = db.session.scalar(select(func.coalesce(func.sum(ReputationEvent.amount), 0)).where(
            ReputationEvent.user_id == user_id, ReputationEvent.reversed_at.is_(None)))
        user.reputation_total, user.reputation = total, max(1, total)
    db.session.flush()


def _rebuild_events(user_ids: set[int], rules: ReputationRules) -> None:
    """Re-record the vote and accept events that concern these users, in the order they happened."""
    rows = db.session.execute(
        select(Vote, Post.post_type, Post.author_id).join(Post, Post.id == Vote.post_id)
        .where(Post.deleted_at.is_(None)).order_by(Vote.created_at, Vote.id)
    )
    for vote, post_type, author_id in rows:
        for reason, amount, who in ledger.vote_base_amounts(vote, post_type, rules):
            user_id = author_id if who == "author" else vote.user_id
            if user_id in user_ids:
                ledger.record(user_id, reason, amount, post_id=vote.post_id, vote_id=vote.id, actor_id=vote.user_id,
                              when=vote.created_at, rules=rules)
                db.session.flush()
    answer = aliased(Answer)
    accepted = db.session.execute(
        select(Question.author_id, answer.author_id, answer.id)
        .join(answer, answer.id == Question.accepted_answer_id).where(answer.deleted_at.is_(None))
    )
    for asker_id, answerer_id, answer_id in accepted:
        if asker_id == answerer_id:
            continue
        if answerer_id in user_ids:
            ledger.record(answerer_id, Reason.ANSWER_ACCEPTED, rules.answer_accepted, post_id=answer_id)
        if asker_id in user_ids:
            ledger.record(asker_id, Reason.ACCEPTED_AN_ANSWER, rules.accepted_an_answer, post_id=answer_id)
    db.session.flush()
