"""Votes and accepted answers for the demo community, so reputation and badges look lived-in.

The numbers are derived deterministically from each thread's views and age (no randomness), and are written
through the reputation ledger in time order, so `reputation recompute --check` finds no drift.
"""
import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..extensions import db
from ..models import Answer, Question, Reason, User, Vote, utcnow
from ..services.reputation import ledger
from ..services.reputation.ledger import ReputationRules


@dataclass
class PlannedVote:
    when: datetime
    post: Question | Answer
    voter: User
    value: int


def add_activity(threads: list[tuple[Question, list[Answer]]], users: list[User], rules: ReputationRules) -> dict:
    """Cast the planned votes and accepts; returns counts for the summary line."""
    planned = []
    for question, answers in threads:
        planned += _plan_votes(question, question_score(question), users)
        for rank, answer in enumerate(sorted(answers, key=lambda a: a.created_at)):
            planned += _plan_votes(answer, answer_score(question, answer, rank), users)
    planned.sort(key=lambda vote: (vote.when, vote.post.id, vote.voter.id))
    for item in planned:  # chronological, so the daily cap applies as it would have live
        _cast(item, rules)
    accepted = sum(_accept_best(question, answers, rules) for question, answers in threads)
    db.session.flush()
    return {"votes": len(planned), "accepted answers": accepted}


def question_score(question: Question) -> int:
    return max(0, round(math.log10(max(question.view_count, 1)) * 2.2) - 2 + _jitter(question.title, 3))


def answer_score(question: Question, answer: Answer, rank: int) -> int:
    base = round(math.log10(max(question.view_count, 1)) * 2) - rank
    bonus = 2 if answer.author.is_staff else 0
    return max(0, base + bonus + _jitter(answer.body_md, 3) - 1)


def _plan_votes(post, score: int, users: list[User]) -> list[PlannedVote]:
    voters = [user for user in users if user.id != post.author_id]
    offset = _jitter(post.body_md, len(voters))
    voters = voters[offset:] + voters[:offset]
    ups = min(score, len(voters))
    downs = 1 if _jitter(post.body_md, 7) == 0 and len(voters) > ups else 0
    span = max((utcnow() - post.created_at).total_seconds(), 3600)
    votes = []
    for index, voter in enumerate(voters[: ups + downs]):
        when = post.created_at + timedelta(seconds=span * (index + 1) / (ups + downs + 1))
        votes.append(PlannedVote(when, post, voter, 1 if index < ups else -1))
    return votes


def _cast(item: PlannedVote, rules: ReputationRules) -> None:
    vote = Vote(post_id=item.post.id, user_id=item.voter.id, value=item.value, created_at=item.when)
    db.session.add(vote)
    db.session.flush()
    item.post.score += item.value
    for reason, amount, who in ledger.vote_base_amounts(vote, item.post.post_type, rules):
        user_id = item.post.author_id if who == "author" else item.voter.id
        ledger.record(user_id, reason, amount, post_id=item.post.id, vote_id=vote.id, actor_id=item.voter.id,
                      when=item.when, rules=rules)
        db.session.flush()


def _accept_best(question: Question, answers: list[Answer], rules: ReputationRules) -> int:
    """Most askers accept the best answer once it has been around for a day."""
    candidates = [a for a in answers if (utcnow() - a.created_at).days >= 1]
    if not candidates or _jitter(question.title, 5) == 0:
        return 0
    best = max(candidates, key=lambda a: (a.score, -a.created_at.timestamp()))
    question.accepted_answer_id = best.id
    if best.author_id != question.author_id:
        when = best.created_at + timedelta(hours=3)
        ledger.record(best.author_id, Reason.ANSWER_ACCEPTED, rules.answer_accepted, post_id=best.id,
                      actor_id=question.author_id, when=when)
        ledger.record(question.author_id, Reason.ACCEPTED_AN_ANSWER, rules.accepted_an_answer, post_id=best.id,
                      actor_id=question.author_id, when=when)
    return 1


def _jitter(text: str, modulo: int) -> int:
    """A stable pseudo-random number in [0, modulo) from the text."""
    if modulo <= 0:
        return 0
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % modulo
