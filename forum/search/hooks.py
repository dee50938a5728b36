"""Session events that keep the index in step with committed data, and only committed data.

- `after_flush` sees every new, changed and deleted object (including those flushed before the commit). It maps
  posts and comments to their question, writes one `search_outbox` row per question in the same transaction,
  and remembers the ids in `session.info`.
- `do_orm_execute` catches bulk `update(Post)` statements (votes move `Post.score` that way) by the ids in
  their WHERE clause.
- Published FAQ entries live in their own index: a change to an entry's indexed columns (or its deletion)
  gets an outbox row of kind "faq" the same way, and the same commit rewrites its FAQ document.
- `after_commit` rewrites those threads' documents; `after_rollback` forgets them (the outbox rows roll back
  with the transaction). A failed index write leaves the rows for a later retry, and never fails the request.
"""
from __future__ import annotations

import logging

from flask import current_app, has_app_context
from sqlalchemy import case, event, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.elements import BinaryExpression, BindParameter

from ..extensions import db
from ..models import Comment, FaqEntry, Post, PostType, SearchOutbox, utcnow
from . import indexer

log = logging.getLogger(__name__)

PENDING = "search_pending"  # question ids to index after the commit
WRITTEN = "search_written"  # question ids that have an outbox row in this transaction already
LOOKUP = "search_lookup"  # post ids whose question is not known yet (from bulk updates)
FAQ_PENDING = "search_faq_pending"  # FAQ entry ids to index after the commit
FAQ_WRITTEN = "search_faq_written"  # FAQ entry ids that have an outbox row in this transaction already

# Columns whose change leaves the index document as it was.
_IGNORED = frozenset({"view_count", "comment_count", "excerpt", "body_md", "edited_at", "editor_id",
                      "deleted_by_id"})
_INDEXED_UPDATES = frozenset({"score", "accepted_answer_id", "answer_count", "deleted_at", "title", "body_html",
                              "last_activity_at", "closed_at", "author_id", "question_id", "created_at",
                              "official_at", "hidden_at"})
# FAQ entry columns the FAQ document is built from (view and feedback counts change far more often).
_FAQ_INDEXED = frozenset({"title", "question_html", "answer_html", "status", "category_id"})


def register() -> None:
    """Listen on the app's scoped session (idempotent: every app in a process shares the session class)."""
    for name, handler in (("after_flush", after_flush), ("do_orm_execute", do_orm_execute),
                          ("before_commit", before_commit), ("after_commit", after_commit),
                          ("after_rollback", after_rollback)):
        if not event.contains(db.session, name, handler):
            event.listen(db.session, name, handler)


def after_flush(session: Session, _flush_context) -> None:
    question_ids: set[int] = set()
    lookups: set[int] = set()
    entry_ids: set[int] = set()
    dirty = session.dirty
    for obj in (*session.new, *dirty, *session.deleted):
        if isinstance(obj, FaqEntry):
            if obj.id is not None and (obj not in dirty or _faq_changed(obj)):
                entry_ids.add(obj.id)
        elif isinstance(obj, Post):
            if obj in dirty and not _post_changed(obj):
                continue
            qid = obj.id if obj.post_type == PostType.QUESTION else obj.question_id
            if qid is not None:
                question_ids.add(qid)
        elif isinstance(obj, Comment) and obj.post_id is not None:
            lookups.add(obj.post_id)
    if entry_ids:
        session.info.setdefault(FAQ_PENDING, set()).update(entry_ids)
    if not question_ids and not lookups and not session.info.get(LOOKUP):
        if entry_ids:
            _write_outbox(session)
        return
    lookups |= session.info.pop(LOOKUP, set())
    question_ids |= _questions_of(session, lookups)
    _remember(session, question_ids)
    _write_outbox(session)


def do_orm_execute(state) -> None:
    if not (state.is_update or state.is_delete):
        return
    statement = state.statement
    table = getattr(getattr(statement, "table", None), "name", None)
    if table not in (Post.__tablename__, FaqEntry.__tablename__):
        return
    columns = {getattr(key, "key", key) for key in (getattr(statement, "_values", None) or {})}
    if table == FaqEntry.__tablename__:
        if state.is_delete or not columns or columns & _FAQ_INDEXED:
            entry_ids = _ids_in_where(statement.whereclause, FaqEntry.__table__.c.id)
            if entry_ids:
                state.session.info.setdefault(FAQ_PENDING, set()).update(entry_ids)
            else:
                log.debug("search: a bulk change of FAQ entries without plain ids; the next reindex will catch it")
        return
    if state.is_update and columns and not columns & _INDEXED_UPDATES:
        return
    post_ids = _ids_in_where(statement.whereclause, Post.__table__.c.id)
    if post_ids:
        state.session.info.setdefault(LOOKUP, set()).update(post_ids)
    else:
        log.debug("search: a bulk %s on posts without plain ids; the next reindex will catch it", statement)


def before_commit(session: Session) -> None:
    """Bulk updates flush nothing: give their questions outbox rows before the transaction ends."""
    if session.in_nested_transaction():  # releasing a savepoint (SQLAlchemy 2.1 fires commit events for it)
        return
    lookups = session.info.pop(LOOKUP, None)
    if lookups:
        _remember(session, _questions_of(session, lookups))
    _write_outbox(session)


def after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint: the data is not committed yet
        return
    pending = {indexer.THREAD.name: session.info.pop(PENDING, None) or set(),
               indexer.FAQ.name: session.info.pop(FAQ_PENDING, None) or set()}
    session.info.pop(WRITTEN, None)
    session.info.pop(FAQ_WRITTEN, None)
    if not any(pending.values()) or not has_app_context():
        return
    service = current_app.extensions.get("kotae_search")
    if service is None or service.deferred:
        return
    indexer.update(service, pending)  # logs and keeps the outbox rows on failure; never raises


def after_rollback(session: Session) -> None:
    if session.in_nested_transaction():
        # Only a savepoint rolled back, maybe with some outbox rows: write them all again at the commit.
        session.info.pop(WRITTEN, None)
        session.info.pop(FAQ_WRITTEN, None)
        return
    for key in (PENDING, WRITTEN, LOOKUP, FAQ_PENDING, FAQ_WRITTEN):
        session.info.pop(key, None)


def _post_changed(post: Post) -> bool:
    state = db.inspect(post)
    for attr in state.attrs:
        if attr.key in _IGNORED or attr.key not in state.mapper.column_attrs.keys() and attr.key != "tags":
            continue
        if attr.history.has_changes():
            return True
    return False


def _faq_changed(entry: FaqEntry) -> bool:
    state = db.inspect(entry)
    return any(state.attrs[key].history.has_changes() for key in _FAQ_INDEXED)


def queue_threads(session: Session, question_ids: set[int]) -> None:
    """Index these threads after the commit; their outbox rows are written before it (before_commit)."""
    _remember(session, {int(qid) for qid in question_ids})


def _remember(session: Session, question_ids: set[int]) -> None:
    if question_ids:
        session.info.setdefault(PENDING, set()).update(question_ids)


def _write_outbox(session: Session) -> None:
    """One row per question (or FAQ entry) and transaction, however many flushes touch it."""
    rows = []
    now = utcnow()
    for kind, pending_key, written_key in ((indexer.THREAD.name, PENDING, WRITTEN),
                                           (indexer.FAQ.name, FAQ_PENDING, FAQ_WRITTEN)):
        written = session.info.setdefault(written_key, set())
        unwritten = session.info.get(pending_key, set()) - written
        rows += [{"question_id": target, "kind": kind, "created_at": now} for target in sorted(unwritten)]
        written.update(unwritten)
    if rows:
        session.connection().execute(SearchOutbox.__table__.insert(), rows)


def _questions_of(session: Session, post_ids: set[int]) -> set[int]:
    """The question each post belongs to: from the identity map when loaded, else one query."""
    found, unknown = set(), set()
    for pid in post_ids:
        post = session.identity_map.get(identity_key(Post, pid))
        if post is None:
            unknown.add(pid)
        elif post.post_type == PostType.QUESTION:
            found.add(post.id)
        elif post.question_id is not None:
            found.add(post.question_id)
    if unknown:
        question = case((Post.post_type == PostType.QUESTION, Post.id), else_=Post.question_id)
        rows = session.connection().execute(select(question).where(Post.id.in_(sorted(unknown))))
        found.update(qid for (qid,) in rows if qid is not None)
    return found


def _ids_in_where(clause, id_column) -> set[int]:
    """Ids named as `id_column == x` or `id_column.in_(...)` in a WHERE clause."""
    ids: set[int] = set()
    if clause is None:
        return ids
    for node in visitors.iterate(clause):
        if not isinstance(node, BinaryExpression) or not node.left.compare(id_column):
            continue
        if not isinstance(node.right, BindParameter):
            continue
        value = node.right.effective_value
        if node.operator is operators.eq and isinstance(value, int):
            ids.add(value)
        elif node.operator is operators.in_op and isinstance(value, (list, tuple)):
            ids.update(v for v in value if isinstance(v, int))
    return ids
