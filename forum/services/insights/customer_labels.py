"""Voice of the customer: staff label threads as a bug, a feature request or feedback, and read them back.

Labels are internal (only staff see them) and live on the question row (`Post.customer_label`), so showing one
on the thread page costs no query.
"""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import Question, User
from ..audit_log import log_action
from ..errors import Forbidden, Invalid, NotFound

BUG, FEATURE, FEEDBACK = "bug", "feature", "feedback"
LABELS = {
    BUG: _l("Bug"),
    FEATURE: _l("Feature request"),
    FEEDBACK: _l("Feedback"),
}
SORTS = {
    "votes": (Question.score.desc(), Question.created_at.desc(), Question.id.desc()),
    "views": (Question.view_count.desc(), Question.created_at.desc(), Question.id.desc()),
    "newest": (Question.created_at.desc(), Question.id.desc()),
}
SORT_LABELS = {"votes": _l("Votes"), "views": _l("Views"), "newest": _l("Newest")}


def label_name(label: str | None) -> str:
    """The translated name of a label ('' for none or an unknown value)."""
    return str(LABELS[label]) if label in LABELS else ""


def get_question(question_id: int) -> Question:
    """A question to label; deleted ones included (staff may still want them counted)."""
    question = db.session.get(Question, question_id)
    if question is None:
        raise NotFound(_l("This question does not exist."))
    return question


def set_label(actor: User, question: Question, label: str | None) -> bool:
    """Label a thread ('' or None clears it); recorded in the audit log. False when nothing changed."""
    if not (actor and actor.is_authenticated and actor.is_staff):
        raise Forbidden(_l("Only staff can label threads."))
    label = (label or "").strip() or None
    if label is not None and label not in LABELS:
        raise Invalid(_l("Choose a label: bug, feature request, feedback, or none."), field="label")
    old = question.customer_label
    if old == label:
        return False
    question.customer_label = label
    log_action(actor, "question.label", question, old=old or "", new=label or "")
    db.session.flush()
    return True


def labelled_query(label: str | None = None, start: datetime | None = None, end: datetime | None = None,
                   sort: str = "votes"):
    """Labelled, non-deleted threads (one label or all), optionally asked in [start, end), with tags loaded."""
    if label is not None and label not in LABELS:
        raise Invalid(_l("Choose a label: bug, feature request, feedback, or none."), field="label")
    query = (
        select(Question)
        .where(Question.deleted_at.is_(None),
               Question.customer_label == label if label else Question.customer_label.is_not(None))
        .options(selectinload(Question.tags))
        .order_by(*SORTS.get(sort, SORTS["votes"]))
    )
    if start is not None:
        query = query.where(Question.created_at >= start)
    if end is not None:
        query = query.where(Question.created_at < end)
    return query


@dataclass
class LabelledRow:
    """One exported thread, in the order of the CSV columns."""
    id: int
    title: str
    url: str
    label: str
    score: int
    views: int
    answers: int
    accepted: bool
    asked: str
    tags: str


def export_rows(questions, url_for_question) -> list[LabelledRow]:
    """Rows for the CSV (and the same values the page shows); `url_for_question(q)` builds absolute links."""
    return [
        LabelledRow(q.id, q.title or "", url_for_question(q), q.customer_label or "", q.score, q.view_count,
                    q.answer_count, q.accepted_answer_id is not None, q.created_at.strftime("%Y-%m-%d %H:%M"),
                    " ".join(tag.name for tag in q.tags))
        for q in questions
    ]
