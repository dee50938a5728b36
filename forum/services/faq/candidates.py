"""FAQ candidates: well-voted, solved, open threads that have no FAQ entry yet, ranked for staff.

A question is a candidate when (defaults in `FAQ_CANDIDATE_RULES`):

- its score is at least `min_question_score` (3);
- it has an accepted answer, or a non-deleted answer scored at least `min_answer_score` (3);
- it is neither closed nor deleted, and was asked at least `min_age_days` (2) days ago;
- no FAQ entry (other than a retired one) was made from it yet.

How candidates are ranked (higher first, ties: newer question first)::

    rank = 2 × question score
         + 3 × best answer score
         + 5 × log2(1 + views)
         + 4 × "resolved" feedback on the thread
         + 6 × questions closed or linked as duplicates of it

Votes say the answer is right, views and duplicates say many people have the problem, and "resolved" feedback
says reading the thread solved it for them; views grow fastest, hence the logarithm. The whole ranking is one
SQL statement (plus a count for the pager).
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, func, literal, or_, select, union
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import (
    FaqEntry, FaqStatus, Feedback, FeedbackTarget, Outcome, Post, PostLink, PostType, Question, utcnow,
)

WEIGHTS = {"question_score": 2, "best_answer_score": 3, "log2_views": 5, "resolved": 4, "duplicates": 6}
_LN2 = 0.6931471805599453


@dataclass(frozen=True)
class CandidateRules:
    min_question_score: int = 3
    min_answer_score: int = 3
    min_age_days: int = 2

    @classmethod
    def from_config(cls, config) -> "CandidateRules":
        overrides = config.get("FAQ_CANDIDATE_RULES") or {}
        return cls(**{key: int(value) for key, value in overrides.items() if key in cls.__dataclass_fields__})


@dataclass
class Candidate:
    question: Question
    best_answer_score: int
    resolved: int
    duplicates: int
    rank: float


def _best_answers():
    return (
        select(Post.question_id.label("question_id"), func.max(Post.score).label("best"))
        .where(Post.post_type == PostType.ANSWER, Post.deleted_at.is_(None))
        .group_by(Post.question_id).subquery("best_answers")
    )


def _resolved_counts():
    return (
        select(Feedback.target_id.label("question_id"), func.count(Feedback.id).label("resolved"))
        .where(Feedback.target_type == FeedbackTarget.THREAD, Feedback.outcome == Outcome.RESOLVED)
        .group_by(Feedback.target_id).subquery("resolved_counts")
    )


def _duplicate_counts():
    """Questions pointing at a question as their duplicate target, by link or by closing; each counted once."""
    pairs = union(
        select(PostLink.related_post_id.label("target"), PostLink.post_id.label("dup"))
        .where(PostLink.link_type == PostLink.DUPLICATE),
        select(Post.duplicate_of_id.label("target"), Post.id.label("dup")).where(Post.duplicate_of_id.is_not(None)),
    ).subquery("duplicate_pairs")
    return (
        select(pairs.c.target.label("question_id"), func.count(pairs.c.dup).label("duplicates"))
        .group_by(pairs.c.target).subquery("duplicate_counts")
    )


def _has_live_entry():
    return exists().where(FaqEntry.question_id == Question.id, FaqEntry.status != FaqStatus.RETIRED)


def _rules_hold(rules: CandidateRules, now: datetime):
    """The candidate rules as WHERE conditions on Question (indexed look-ups per row, no aggregates)."""
    answer = aliased(Post)  # the same table as Question: an alias keeps the subquery correlated
    good_answer = exists().where(answer.question_id == Question.id, answer.post_type == PostType.ANSWER,
                                 answer.deleted_at.is_(None), answer.score >= rules.min_answer_score)
    return (
        Question.deleted_at.is_(None), Question.closed_at.is_(None),
        Question.score >= rules.min_question_score,
        Question.created_at <= now - timedelta(days=rules.min_age_days),
        or_(Question.accepted_answer_id.is_not(None), good_answer),
        ~_has_live_entry(),
    )


def candidates_query(rules: CandidateRules, now: datetime | None = None, question_ids=None):
    """A select of (Question, best answer score, resolved, duplicates, rank), best-ranked first."""
    now = now or utcnow()
    best, resolved, dups = _best_answers(), _resolved_counts(), _duplicate_counts()
    best_score = func.coalesce(best.c.best, 0)
    resolved_n = func.coalesce(resolved.c.resolved, 0)
    dups_n = func.coalesce(dups.c.duplicates, 0)
    rank = (
        WEIGHTS["question_score"] * Question.score + WEIGHTS["best_answer_score"] * best_score
        + WEIGHTS["log2_views"] * func.ln(literal(1.0) + Question.view_count) / _LN2
        + WEIGHTS["resolved"] * resolved_n + WEIGHTS["duplicates"] * dups_n
    ).label("rank")
    query = (
        select(Question, best_score.label("best"), resolved_n.label("resolved"), dups_n.label("duplicates"), rank)
        .outerjoin(best, best.c.question_id == Question.id)
        .outerjoin(resolved, resolved.c.question_id == Question.id)
        .outerjoin(dups, dups.c.question_id == Question.id)
        .where(*_rules_hold(rules, now))
        .order_by(rank.desc(), Question.id.desc())
    )
    if question_ids is not None:
        query = query.where(Question.id.in_(question_ids))
    return query


def candidate_ids(rules: CandidateRules, question_ids=None, now: datetime | None = None) -> list[int]:
    """Ids of candidate questions: all of them best-ranked first, or (unranked, cheaply) those among
    `question_ids` (a list or a select of ids), which is what a vote's check needs."""
    if question_ids is None:
        query = candidates_query(rules, now).with_only_columns(Question.id, maintain_column_froms=True)
    else:
        query = select(Question.id).where(Question.id.in_(question_ids), *_rules_hold(rules, now or utcnow()))
    return list(db.session.scalars(query))


def count_candidates(rules: CandidateRules, now: datetime | None = None) -> int:
    query = candidates_query(rules, now).order_by(None).with_only_columns(Question.id, maintain_column_froms=True)
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def candidates_page(rules: CandidateRules, page: int, per_page: int, now: datetime | None = None
                    ) -> tuple[list[Candidate], int]:
    """One page of ranked candidates and the total count."""
    rows = db.session.execute(candidates_query(rules, now).limit(per_page).offset((page - 1) * per_page)).all()
    candidates = [Candidate(question, int(best), int(resolved), int(dups), float(rank))
                  for question, best, resolved, dups, rank in rows]
    return candidates, count_candidates(rules, now)


def is_candidate(rules: CandidateRules, question: Question) -> bool:
    return bool(candidate_ids(rules, [question.id]))

