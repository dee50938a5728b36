"""Voting and accepting answers, with their reputation events in the same transaction."""
from dataclasses import dataclass
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...unit_of_work import changes
from ...models import Answer, NotificationKind, Post, Question, Reason, ReputationEvent, User, Vote, utcnow
from . import badges, ledger, privileges
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ...urls import permalink
from ..outreach.notifications import notify
from ..moderation.locking import require_unlocked
from ..row_locks import lock_post_row
from .ledger import ReputationRules
from ..moderation.suspensions import require_not_suspended

DEFAULT_DAILY_VOTE_LIMIT = 40


@dataclass(frozen=True)
class VotePolicy:
    rules: ReputationRules
    thresholds: dict
    daily_limit: int = DEFAULT_DAILY_VOTE_LIMIT


@dataclass
class VoteResult:
    score: int
    vote: int  # the voter's vote now: 1, -1 or 0


def cast_vote(voter: User, post: Post, value: int, policy: VotePolicy) -> VoteResult:
    """Vote up (1), down (-1) or retract (0); voting the same way twice changes nothing."""
    require_not_suspended(voter)
    if value not in (-1, 0, 1):
        raise Invalid(_l("A vote is 1 (up), -1 (down) or 0 (retract)."))
    if post.is_deleted:
        raise NotFound(_l("This post does not exist or was deleted."))
    require_unlocked(post)
    if post.author_id == voter.id:
        raise Forbidden(_l("You can't vote on your own post."))
    existing = db.session.scalar(select(Vote).where(Vote.post_id == post.id, Vote.user_id == voter.id))
    current = existing.value if existing else 0
    if value == current:
        return VoteResult(score=post.score, vote=current)
    if value:
        privileges.require(voter, "vote_up" if value > 0 else "vote_down", policy.thresholds)
        _check_daily_limit(voter, policy.daily_limit)
    if existing is not None:
        _retract(existing, post, policy.rules)
    if value:
        _add_vote(voter, post, value, policy.rules)
    db.session.flush()
    db.session.refresh(post, ["score"])
    badges.on_vote(post, voter, value)
    return VoteResult(score=post.score, vote=value)


def accept_answer(actor: User, answer: Answer, rules: ReputationRules) -> bool:
    """The asker accepts an answer, or un-accepts it if it is already accepted; returns whether it is now accepted."""
    require_not_suspended(actor)
    question = answer.question
    if answer.is_deleted or question.is_deleted:
        raise NotFound(_l("This post does not exist or was deleted."))
    require_unlocked(question)
    if question.author_id != actor.id:
        raise Forbidden(_l("Only the person who asked can accept an answer."))
    lock_post_row(question)  # two accepts at the same moment: the second sees the first's and undoes it
    previous_id = question.accepted_answer_id
    if previous_id is not None:
        unaccept(question, rules)
    if previous_id == answer.id:
        return False
    question.accepted_answer_id = answer.id
    if answer.author_id != question.author_id:  # no reputation for accepting your own answer
        now = utcnow()
        ledger.record(answer.author_id, Reason.ANSWER_ACCEPTED, rules.answer_accepted, post_id=answer.id,
                      actor_id=actor.id, when=now)
        ledger.record(question.author_id, Reason.ACCEPTED_AN_ANSWER, rules.accepted_an_answer, post_id=answer.id,
                      actor_id=actor.id, when=now)
    db.session.flush()
    badges.on_accept(answer)
    notify(answer.author_id, NotificationKind.ACCEPTED, actor=actor, post=answer, url=permalink(answer),
           text=question.title)
    return True


def unaccept(question: Question, rules: ReputationRules) -> None:
    answer_id = question.accepted_answer_id
    if answer_id is None:
        return
    events = [event for event in ledger.live_events(post_id=answer_id) if event.reason in Reason.ACCEPT_REASONS]
    ledger.reverse(events, rules)
    question.accepted_answer_id = None
    db.session.flush()


def post_deleted(post: Post, rules: ReputationRules) -> None:
    """Deleting a post takes back the reputation its votes and accept gave (undeleting restores it)."""
    if isinstance(post, Answer) and post.question.accepted_answer_id == post.id:
        unaccept(post.question, rules)
    ledger.reverse(ledger.live_events(post_id=post.id), rules)


def post_undeleted(post: Post, rules: ReputationRules) -> None:
    vote_ids = select(Vote.id).where(Vote.post_id == post.id)
    events = db.session.scalars(
        select(ReputationEvent).where(ReputationEvent.post_id == post.id, ReputationEvent.vote_id.in_(vote_ids),
                                      ReputationEvent.reversed_at.is_not(None))
    ).all()
    ledger.restore(list(events), rules)


def retract_votes_of(voter: User, rules: ReputationRules) -> int:
    """Take back every vote a member cast, with the reputation each gave or cost (a deleted account, as on
    Stack Overflow); the ledger re-applies the daily cap to the days concerned. Returns how many there were."""
    cast = db.session.scalars(select(Vote).where(Vote.user_id == voter.id).order_by(Vote.id)).all()
    for vote in cast:
        _retract(vote, vote.post, rules)
    return len(cast)


def votes_by(user: User, post_ids: list[int]) -> dict[int, int]:
    """The user's votes on these posts, for highlighting the arrows (one query)."""
    if not post_ids or not getattr(user, "is_authenticated", False):
        return {}
    rows = db.session.execute(select(Vote.post_id, Vote.value).where(Vote.user_id == user.id,
                                                                     Vote.post_id.in_(post_ids)))
    return {post_id: value for post_id, value in rows}


def _add_vote(voter: User, post: Post, value: int, rules: ReputationRules) -> None:
    vote = Vote(post_id=post.id, user_id=voter.id, value=value, created_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(vote)
    except IntegrityError:  # the same vote arrived twice at once: the other request counted it
        raise Conflict(_l("Your vote was already recorded.")) from None
    _move_score(post, value)
    for reason, amount, who in ledger.vote_base_amounts(vote, post.post_type, rules):
        ledger.record(post.author_id if who == "author" else voter.id, reason, amount, post_id=post.id,
                      vote_id=vote.id, actor_id=voter.id, when=vote.created_at, rules=rules)


def _retract(vote: Vote, post: Post, rules: ReputationRules) -> None:
    ledger.reverse(ledger.live_events(vote_id=vote.id), rules)
    db.session.execute(
        update(ReputationEvent).where(ReputationEvent.vote_id == vote.id).values(vote_id=None)
        .execution_options(synchronize_session=False)
    )
    _move_score(post, -vote.value)
    db.session.delete(vote)
    db.session.flush()


def _move_score(post: Post, delta: int) -> None:
    """In SQL (two votes at once both count), recorded for the commit steps (index, FAQ review, candidates)."""
    db.session.execute(update(Post).where(Post.id == post.id).values(score=Post.score + delta)
                       .execution_options(synchronize_session=False))
    changes().post(post, "score")


def _check_daily_limit(voter: User, limit: int) -> None:
    if voter.is_staff:
        return
    since = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)  # votes reset at 00:00 UTC
    cast = db.session.scalar(select(func.count(Vote.id)).where(Vote.user_id == voter.id, Vote.created_at >= since))
    if cast >= limit:
        raise Forbidden(_l("You have used your %(limit)d votes for today; come back tomorrow.", limit=limit))
