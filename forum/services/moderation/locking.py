"""Locking a thread: staff freeze a question and its answers (no votes, answers, comments or suggestions)."""
from flask_babel import lazy_gettext as _l

from ...models import Post, Question, User, utcnow
from ..audit_log import log_action
from ..errors import Conflict, Forbidden


def thread_question(post: Post) -> Question:
    """The question a post belongs to (itself for a question)."""
    return post if post.is_question else post.question


def is_locked(post: Post) -> bool:
    return thread_question(post).is_locked


def require_unlocked(post: Post) -> None:
    """Refuse anything new on a locked thread, with a message that says why."""
    if is_locked(post):
        raise Forbidden(_l("This thread is locked by staff: it takes no new votes, answers or comments."))


def lock_thread(actor: User, question: Question, reason: str = "") -> None:
    """Staff only; recorded in the audit log."""
    _require_staff(actor)
    if question.is_locked:
        raise Conflict(_l("This thread is already locked."))
    question.locked_at = utcnow()
    question.locked_by_id = actor.id
    log_action(actor, "post.lock", question, reason=reason.strip())


def unlock_thread(actor: User, question: Question, reason: str = "") -> None:
    _require_staff(actor)
    if not question.is_locked:
        raise Conflict(_l("This thread is not locked."))
    question.locked_at = None
    question.locked_by_id = None
    log_action(actor, "post.unlock", question, reason=reason.strip())


def _require_staff(actor: User) -> None:
    if not (actor and actor.is_staff):
        raise Forbidden(_l("Only staff can lock or unlock a thread."))
