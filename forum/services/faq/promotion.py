"""Promotion: one click turns a thread into a draft FAQ entry, pre-filled from the question and its best answer.

The thread itself is only read: promoting never changes or loses it. The entry remembers the revision numbers it
was made from, so staff can later see what changed in the thread (see review.py).
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import Answer, FaqEntry, FaqStatus, Question, User
from ..audit_log import log_action
from ..errors import Conflict, Invalid, NotFound
from .common import add_entry_revision, latest_revision_number, live_entry_for, require_staff


class AlreadyInFaq(Conflict):
    """The thread already has an entry that is not retired; `entry` is that entry."""

    def __init__(self, entry: FaqEntry):
        super().__init__(_l("This thread already has an FAQ entry."))
        self.entry = entry


def source_answer(question: Question) -> Answer | None:
    """The accepted answer, else the top-scored one (oldest first on ties); deleted answers never count."""
    candidates = select(Answer).where(Answer.question_id == question.id, Answer.deleted_at.is_(None))
    if question.accepted_answer_id is not None:
        accepted = db.session.scalar(candidates.where(Answer.id == question.accepted_answer_id))
        if accepted is not None:
            return accepted
    return db.session.scalar(candidates.order_by(Answer.score.desc(), Answer.created_at, Answer.id).limit(1))


def promote(staff: User, question: Question) -> FaqEntry:
    """Create a draft entry from the thread (revision 1); 409 if the thread already has a live entry."""
    require_staff(staff)
    if question.is_deleted:
        raise NotFound(_l("This question does not exist or was deleted."))
    existing = live_entry_for(question.id)
    if existing is not None:
        raise AlreadyInFaq(existing)
    answer = source_answer(question)
    if answer is None:
        raise Invalid(_l("This thread has no answer to put in the FAQ yet."))
    entry = FaqEntry(
        question_id=question.id, answer_id=answer.id,
        question_revision=latest_revision_number(question.id), answer_revision=latest_revision_number(answer.id),
        question_author_id=question.author_id, answer_author_id=answer.author_id,
        title=question.title or "", question_md=question.body_md, question_html=question.body_html,
        answer_md=answer.body_md, answer_html=answer.body_html, status=FaqStatus.DRAFT, created_by_id=staff.id,
        language=question.language or "en",  # the thread's; edits detect it again (entries.set_content)
    )
    db.session.add(entry)
    add_entry_revision(entry, staff, summary="promoted")
    log_action(staff, "faq.promote", entry, question_id=question.id, answer_id=answer.id)
    return entry
