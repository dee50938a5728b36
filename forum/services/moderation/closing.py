"""Closing and reopening questions: at once by staff, or by enough votes of users with the close privilege."""
import re
from collections import Counter
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from ...extensions import db
from ...models import (
    CloseReason,
    CloseVote,
    NotificationKind,
    PostLink,
    Question,
    User,
    utcnow,
)
from ..reputation import privileges
from ..audit_log import log_action
from ..errors import Conflict, Forbidden, Invalid, NotFound
from .locking import require_unlocked
from ...urls import permalink
from ..outreach.notifications import notify
from .suspensions import require_not_suspended

DEFAULT_VOTES_NEEDED = 3

REASON_LABELS = {
    CloseReason.DUPLICATE: _l("duplicate"),
    CloseReason.OFF_TOPIC: _l("off-topic"),
    CloseReason.NEEDS_DETAILS: _l("needs details or clarity"),
    CloseReason.RESOLVED_BY_SUPPORT: _l("resolved by support"),
}
REASON_HINTS = {
    CloseReason.DUPLICATE: _l("This question has been asked before and already has an answer."),
    CloseReason.OFF_TOPIC: _l("This question is not about our products or services."),
    CloseReason.NEEDS_DETAILS: _l("This question needs more details (versions, error messages, steps) to be answered."),
    CloseReason.RESOLVED_BY_SUPPORT: _l("The problem was solved through our support team."),
}

_QUESTION_REF = re.compile(r"^\s*(?:\S*?/questions/)?(\d+)(?:[/?#]\S*)?\s*$")


@dataclass
class VoteOutcome:
    closed_now: bool  # the vote reached the threshold and changed the question's state
    votes: int  # pending votes of this kind after the vote
    needed: int


def reason_label(reason: str | None) -> str:
    return str(REASON_LABELS.get(reason or "", reason or ""))


def parse_question_ref(text: str | None) -> int | None:
    """A question id from '123', '/questions/123/slug' or a full URL; None when empty."""
    if not (text or "").strip():
        return None
    match = _QUESTION_REF.match(text)
    if not match:
        raise Invalid(_l("Enter the URL or the number of the original question."), field="duplicate_of")
    return int(match.group(1))


def close_question(actor: User, question: Question, reason: str, duplicate_of=None) -> None:
    """Staff close a question at once. `duplicate_of` is the original question (or its id) for duplicates."""
    if not actor.is_staff:
        raise Forbidden(_l("Only staff can close a question at once; others vote to close."))
    _check_open(question)
    reason, original = _check_reason(question, reason, duplicate_of)
    _close(question, actor, reason, original)
    log_action(actor, "post.close", question, reason=reason_label(reason),
               close_reason=reason, duplicate_of=original.id if original else None)


def reopen_question(actor: User, question: Question, reason: str = "") -> None:
    """Staff reopen a closed question at once."""
    if not actor.is_staff:
        raise Forbidden(_l("Only staff can reopen a question at once; others vote to reopen."))
    _check_closed(question)
    _reopen(question, actor)
    log_action(actor, "post.reopen", question, reason=(reason or "").strip())


def vote_to_close(voter: User, question: Question, reason: str, duplicate_of, thresholds: dict,
                  needed: int = DEFAULT_VOTES_NEEDED) -> VoteOutcome:
    """Staff close at once; users with the close privilege add a vote, and the last needed vote closes."""
    if voter.is_staff:
        close_question(voter, question, reason, duplicate_of)
        return VoteOutcome(True, 0, needed)
    _check_voter(voter, question, thresholds)
    _check_open(question)
    reason, original = _check_reason(question, reason, duplicate_of)
    _add_vote(voter, question, CloseVote.CLOSE, reason, original)
    votes = _pending(question, CloseVote.CLOSE)
    if len(votes) < needed:
        return VoteOutcome(False, len(votes), needed)
    reason = _most_common([v.reason for v in votes])
    original = None
    if reason == CloseReason.DUPLICATE:
        original = db.session.get(Question, _most_common([v.duplicate_of_id for v in votes if v.duplicate_of_id]))
    _close(question, voter, reason, original)
    return VoteOutcome(True, len(votes), needed)


def vote_to_reopen(voter: User, question: Question, thresholds: dict, needed: int = DEFAULT_VOTES_NEEDED,
                   reason: str = "") -> VoteOutcome:
    if voter.is_staff:
        reopen_question(voter, question, reason)
        return VoteOutcome(True, 0, needed)
    _check_voter(voter, question, thresholds)
    _check_closed(question)
    _add_vote(voter, question, CloseVote.REOPEN, None, None)
    votes = _pending(question, CloseVote.REOPEN)
    if len(votes) < needed:
        return VoteOutcome(False, len(votes), needed)
    _reopen(question, voter)
    return VoteOutcome(True, len(votes), needed)


def retract_vote(voter: User, question: Question) -> None:
    """Withdraw your pending close vote (or reopen vote, once the question is closed)."""
    vote = my_vote(voter, question)
    if vote is None:
        raise Conflict(_l("You have no pending vote on this question."))
    db.session.delete(vote)
    db.session.flush()


def my_vote(user: User, question: Question) -> CloseVote | None:
    if not getattr(user, "is_authenticated", False):
        return None
    kind = CloseVote.REOPEN if question.is_closed else CloseVote.CLOSE
    return db.session.scalar(select(CloseVote).where(
        CloseVote.post_id == question.id, CloseVote.user_id == user.id, CloseVote.kind == kind))


def pending_count(question: Question) -> int:
    return len(_pending(question, CloseVote.REOPEN if question.is_closed else CloseVote.CLOSE))


def duplicate_original(question: Question) -> Question | None:
    """The original of a duplicate (one query, only for duplicates); None once the original is deleted."""
    original = db.session.get(Question, question.duplicate_of_id) if question.duplicate_of_id else None
    return original if original is not None and not original.is_deleted else None


def _check_voter(voter: User, question: Question, thresholds: dict) -> None:
    if question.is_deleted:
        raise NotFound(_l("This question does not exist or was deleted."))
    privileges.require(voter, "close", thresholds)
    require_not_suspended(voter)
    require_unlocked(question)


def _check_open(question: Question) -> None:
    if question.is_closed:
        raise Conflict(_l("This question is already closed."))


def _check_closed(question: Question) -> None:
    if not question.is_closed:
        raise Conflict(_l("This question is open."))


def _check_reason(question: Question, reason: str, duplicate_of) -> tuple[str, Question | None]:
    if reason not in CloseReason.ALL:
        raise Invalid(_l("Choose why this question should be closed."), field="reason")
    if reason != CloseReason.DUPLICATE:
        return reason, None
    original_id = getattr(duplicate_of, "id", duplicate_of)
    if original_id is None:
        raise Invalid(_l("Say which question this one duplicates."), field="duplicate_of")
    original = db.session.get(Question, original_id)
    if original is None or original.is_deleted:
        raise Invalid(_l("The original question does not exist or was deleted."), field="duplicate_of")
    if original.id == question.id:
        raise Invalid(_l("A question cannot be a duplicate of itself."), field="duplicate_of")
    return reason, original


def _add_vote(voter: User, question: Question, kind: str, reason: str | None, original: Question | None) -> None:
    exists = db.session.scalar(select(CloseVote.id).where(
        CloseVote.post_id == question.id, CloseVote.user_id == voter.id, CloseVote.kind == kind))
    if exists:
        raise Conflict(_l("You have already voted on this question."))
    db.session.add(CloseVote(post_id=question.id, user_id=voter.id, kind=kind, reason=reason,
                             duplicate_of_id=original.id if original else None))
    db.session.flush()


def _pending(question: Question, kind: str) -> list[CloseVote]:
    return list(db.session.scalars(select(CloseVote).where(
        CloseVote.post_id == question.id, CloseVote.kind == kind).order_by(CloseVote.created_at, CloseVote.id)))


def _most_common(values: list):
    """The most frequent value; ties go to the earliest vote (Counter keeps first-seen order)."""
    return Counter(values).most_common(1)[0][0] if values else None


def _close(question: Question, actor: User, reason: str, original: Question | None) -> None:
    question.closed_at = utcnow()
    question.closed_by_id = actor.id
    question.close_reason = reason
    question.duplicate_of_id = original.id if original else None
    if original is not None and not db.session.scalar(select(PostLink.id).where(
            PostLink.post_id == question.id, PostLink.related_post_id == original.id,
            PostLink.link_type == PostLink.DUPLICATE)):
        db.session.add(PostLink(post_id=question.id, related_post_id=original.id, link_type=PostLink.DUPLICATE))
    _clear_votes(question)
    notify(question.author_id, NotificationKind.MODERATION, actor=actor, post=question, url=permalink(question),
           text=str(_l("Your question was closed: %(reason)s", reason=reason_label(reason))))


def _reopen(question: Question, actor: User) -> None:
    if question.duplicate_of_id:
        db.session.execute(delete(PostLink).where(
            PostLink.post_id == question.id, PostLink.related_post_id == question.duplicate_of_id,
            PostLink.link_type == PostLink.DUPLICATE))
    question.closed_at = None
    question.closed_by_id = None
    question.close_reason = None
    question.duplicate_of_id = None
    _clear_votes(question)
    notify(question.author_id, NotificationKind.MODERATION, actor=actor, post=question, url=permalink(question),
           text=str(_l("Your question was reopened.")))


def _clear_votes(question: Question) -> None:
    db.session.execute(delete(CloseVote).where(CloseVote.post_id == question.id))
    db.session.flush()
