"""The commit steps that keep the index in step with committed data, and only committed data.

- `write_outbox` (before the commit) reads the transaction's record of changes (`unit_of_work.Changes`): the
  thread of every post whose indexed columns changed, of every post whose comments changed, and every FAQ
  entry whose indexed columns changed. A backend that keeps its documents in the forum's own database
  (PostgreSQL: `in_transaction`) gets them written right there, inside a SAVEPOINT, so the post and its document
  commit together and the index is never behind. Whatever that did not write (Whoosh, a deferred import, a
  failed or busy write) gets one `search_outbox` row, in the same transaction.
- `index_committed` (after the commit) rewrites those documents. A failed index write leaves the outbox rows for
  a later retry, and never fails the request; a rollback writes no rows and indexes nothing.
"""
from __future__ import annotations

import logging

from flask import current_app, has_app_context
from sqlalchemy import case, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from ..models import Post, PostType, SearchOutbox, utcnow
from ..unit_of_work import CREATED, DELETED, Changes
from . import indexer

log = logging.getLogger(__name__)

TO_INDEX = "search_to_index"  # Changes.notes key: {kind: ids} whose outbox rows this transaction wrote

# Post columns a thread's document is built from (a view count or an edit stamp leaves it as it was).
INDEXED_POST_COLUMNS = frozenset({
    CREATED, DELETED, "score", "accepted_answer_id", "answer_count", "deleted_at", "title", "body_html",
    "last_activity_at", "closed_at", "author_id", "question_id", "created_at", "official_at", "hidden_at", "tags",
    "language"})
# FAQ entry columns its document is built from (view and feedback counts change far more often).
INDEXED_FAQ_COLUMNS = frozenset({CREATED, DELETED, "title", "question_html", "answer_html", "status",
                                 "category_id", "language"})


def write_outbox(session: Session, record: Changes) -> None:
    """One outbox row per thread and per FAQ entry whose document this transaction changed."""
    threads = {change.question_id for change in record.posts.values()
               if change.question_id is not None and change.columns & INDEXED_POST_COLUMNS}
    threads |= _questions_of(session, record.commented) | record.threads
    entries = {entry_id for entry_id, columns in record.faq.items() if columns & INDEXED_FAQ_COLUMNS}
    pending = {kind: ids for kind, ids in ((indexer.THREAD.name, threads), (indexer.FAQ.name, entries)) if ids}
    service = current_app.extensions.get("kotae_search") if has_app_context() else None
    if not pending:
        return
    if service is not None and not service.deferred and getattr(service.backend, "in_transaction", False):
        pending = {kind: ids for kind, ids in pending.items() if not _written_here(session, service, kind, ids)}
    record.notes[TO_INDEX] = pending  # even when empty: the after-commit step also retries old outbox rows
    if not pending:
        return
    now = utcnow()
    session.connection().execute(SearchOutbox.__table__.insert(), [
        {"question_id": target, "kind": kind, "created_at": now}
        for kind, ids in pending.items() for target in sorted(ids)])


def index_committed(_session: Session, record: Changes) -> None:
    """Rewrite the documents `write_outbox` queued (unless indexing is deferred, as bulk imports do)."""
    pending = record.notes.get(TO_INDEX)
    if pending is None or not has_app_context():
        return
    service = current_app.extensions.get("kotae_search")
    if service is None or service.deferred:
        return
    indexer.update(service, pending)  # logs and keeps the outbox rows on failure; never raises


def _written_here(session: Session, service, kind: str, ids: set[int]) -> bool:
    """Write these documents in the caller's transaction; False (logged, rolled back to the savepoint) when that
    failed, so the outbox takes them: a search write must never lose or block the post."""
    try:
        with session.begin_nested():
            documents = indexer.KINDS[kind].build(session, ids)
            service.backend.write_documents(session.connection(), kind, documents)
    except Exception:  # noqa: BLE001 -- busy or broken: the outbox and the after-commit retry take over
        log.warning("search: writing %d %s document(s) in the transaction failed; queued instead", len(ids), kind,
                    exc_info=True)
        return False
    return True


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
