"""Session events that keep FAQ entries true to their threads and announce new candidates, whoever changes a post.

- `after_flush` notes posts whose relevant attributes changed: an answer's `body_md`, a question's `closed_at`
  (newly set), a post's `score` or `deleted_at`, a question's `accepted_answer_id`.
- `do_orm_execute` notes posts whose score moves through a bulk `update(Post)` (that is how votes do it).
- `before_commit` turns the notes into reviews (answer edited, outscored, closed) and candidate alerts. It costs
  nothing when no post changed, and one indexed query per kind of change otherwise.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import and_, event, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.elements import BinaryExpression, BindParameter

from ...extensions import db
from ...models import FaqEntry, FaqStatus, Post, PostType, Question, ReviewReason, WebhookEvent
from ...urls import absolute, faq_entry_path, question_path
from ..outreach import alerts
from .candidates import CandidateRules, candidate_ids
from .review import open_review, was_reviewed

EDITED, CLOSED, SCORED, ACCEPTED = "faq_edited", "faq_closed", "faq_scored", "faq_accepted"
_KEYS = (EDITED, CLOSED, SCORED, ACCEPTED)


def register() -> None:
    """Listen on the app's scoped session (idempotent, like the search hooks)."""
    for name, handler in (("after_flush", after_flush), ("do_orm_execute", do_orm_execute),
                          ("before_commit", before_commit), ("after_rollback", after_rollback)):
        if not event.contains(db.session, name, handler):
            event.listen(db.session, name, handler)


def after_flush(session: Session, _flush_context) -> None:
    for obj in session.dirty:
        if not isinstance(obj, Post):
            continue
        state = db.inspect(obj)
        if obj.post_type == PostType.ANSWER and state.attrs.body_md.history.has_changes():
            _note(session, EDITED, obj.id)
        if obj.post_type == PostType.QUESTION:
            closed = state.attrs.closed_at.history
            if closed.added and closed.added[0] is not None and not any(closed.deleted or ()):
                _note(session, CLOSED, obj.id)
            if state.attrs.accepted_answer_id.history.has_changes():
                _note(session, ACCEPTED, obj.id)
        if state.attrs.score.history.has_changes() or state.attrs.deleted_at.history.has_changes():
            _note(session, SCORED, obj.id)


def do_orm_execute(state) -> None:
    if not state.is_update:
        return
    statement = state.statement
    if getattr(getattr(statement, "table", None), "name", None) != Post.__tablename__:
        return
    columns = {getattr(key, "key", key) for key in (getattr(statement, "_values", None) or {})}
    if "score" in columns:
        for post_id in _ids_in_where(statement.whereclause):
            _note(state.session, SCORED, post_id)


def before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.flush()  # the commit would flush next anyway; flushing first lets after_flush note the last changes
    if not any(session.info.get(key) for key in _KEYS):
        return
    notes = {key: session.info.pop(key, set()) for key in _KEYS}
    _review_edited_or_closed(session, notes[EDITED], notes[CLOSED])
    answers_scored = _maybe_answers(session, notes[SCORED])
    if answers_scored:
        _review_outscored(session, answers_scored)
    if notes[SCORED] or notes[ACCEPTED]:
        _announce_candidates(session, notes[SCORED] | notes[ACCEPTED])


def after_rollback(session: Session) -> None:
    if session.in_nested_transaction():
        return
    for key in _KEYS:
        session.info.pop(key, None)


def _maybe_answers(session: Session, post_ids: set[int]) -> set[int]:
    """Drop posts the session knows are questions: a question's score never outscores an answer."""
    def is_question(pid: int) -> bool:
        post = session.identity_map.get(identity_key(Post, pid))
        return post is not None and post.post_type == PostType.QUESTION
    return {pid for pid in post_ids if not is_question(pid)}


def _note(session: Session, key: str, post_id: int | None) -> None:
    if post_id is not None:
        session.info.setdefault(key, set()).add(post_id)


def _ids_in_where(clause) -> set[int]:
    """Post ids named as `Post.id == x` or `Post.id.in_(...)` in a bulk update's WHERE clause."""
    ids: set[int] = set()
    id_column = Post.__table__.c.id
    for node in visitors.iterate(clause) if clause is not None else ():
        if not (isinstance(node, BinaryExpression) and node.left.compare(id_column)
                and isinstance(node.right, BindParameter)):
            continue
        value = node.right.effective_value
        if node.operator is operators.eq and isinstance(value, int):
            ids.add(value)
        elif node.operator is operators.in_op and isinstance(value, (list, tuple)):
            ids.update(v for v in value if isinstance(v, int))
    return ids


def _live():
    return FaqEntry.status != FaqStatus.RETIRED


def _review_edited_or_closed(session: Session, edited: set[int], closed: set[int]) -> None:
    if not edited and not closed:
        return
    entries = session.scalars(select(FaqEntry).where(_live(), or_(FaqEntry.answer_id.in_(edited),
                                                                  FaqEntry.question_id.in_(closed)))).all()
    for entry in entries:
        if entry.answer_id in edited:
            open_review(entry, ReviewReason.ANSWER_EDITED, entry.answer_id, url=_entry_url(entry))
        if entry.question_id in closed:
            open_review(entry, ReviewReason.CLOSED, entry.question_id, url=_entry_url(entry))


def _review_outscored(session: Session, post_ids: set[int]) -> None:
    """Entries whose source answer now has a better-scored, visible sibling."""
    source, other = aliased(Post), aliased(Post)
    threads = _threads_of(post_ids)
    rows = session.execute(
        select(FaqEntry, other.id)
        .join(source, source.id == FaqEntry.answer_id)
        .join(other, and_(other.question_id == FaqEntry.question_id, other.id != source.id,
                          other.post_type == PostType.ANSWER, other.deleted_at.is_(None), other.score > source.score))
        .where(_live(), FaqEntry.question_id.in_(threads))
        .order_by(other.score.desc())
    ).all()
    seen = set()
    for entry, other_id in rows:
        if entry.id in seen or was_reviewed(entry.id, ReviewReason.OUTSCORED, other_id):
            continue
        seen.add(entry.id)
        open_review(entry, ReviewReason.OUTSCORED, other_id, url=_entry_url(entry))


def _announce_candidates(session: Session, post_ids: set[int]) -> None:
    """A vote or an accept may make its thread an FAQ candidate: tell the webhooks (once per thread)."""
    if not has_app_context():
        return
    rules = CandidateRules.from_config(current_app.config)
    for question_id in candidate_ids(rules, _threads_of(post_ids)):
        question = session.get(Question, question_id)
        alerts.emit(WebhookEvent.FAQ_CANDIDATE, f"faq-candidate:{question_id}", {
            "question_id": question_id, "title": question.title, "score": question.score,
            "url": absolute(alerts.site_url(), question_path(question_id, question.title))})


def scan_candidates(now: datetime) -> list:
    """The periodic `faq.candidate` check (registered with alerts.scan): threads that became candidates without a
    vote or accept this process saw (by age, by views), each announced once."""
    ids = candidate_ids(CandidateRules.from_config(current_app.config), now=now)[:100]
    if not ids:
        return []
    questions = db.session.scalars(select(Question).options(selectinload(Question.tags))
                                   .where(Post.id.in_(ids))).all()
    return alerts.emit_many(WebhookEvent.FAQ_CANDIDATE,
                            [(f"faq-candidate:{question.id}", alerts.question_data(question))
                             for question in questions])


def _threads_of(post_ids: set[int]):
    """A select of the question ids of these posts (aliased: it sits inside queries on the same table)."""
    post = aliased(Post)
    return select(func.coalesce(post.question_id, post.id)).where(post.id.in_(post_ids))


def _entry_url(entry: FaqEntry) -> str:
    """The entry's public page for chat alerts: absolute, on SITE_URL (the same in a request, the CLI and jobs)."""
    return absolute(alerts.site_url(), faq_entry_path(entry.id, entry.title))
