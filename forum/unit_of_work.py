"""One owner for each request's transaction (as indico's request handler owns it), and what its commit sets off.

A request commits once, after its view has returned a response that is not an error; an exception, a domain error
turned into a 4xx page, or a view answering 4xx or 5xx itself rolls everything back. Views and API endpoints
therefore never commit, and services only flush. Outside requests (CLI commands, background senders, periodic
jobs) `transaction()` does the same explicitly.

What a commit sets off is declared, not discovered: the transaction keeps a record of what it changed
(`Changes`), and one ordered list of steps (`forum/commit_steps.py`) consumes it, some steps just before the
commit (their rows commit or roll back with the transaction) and the rest after it. Changes made through the ORM
are recorded as they are flushed; a service that changes rows with a bulk statement, which the ORM never sees,
records what it changed itself (`changes().post(...)`, `changes().faq_entries(...)`). A rollback drops the
record, so a rolled-back change sets nothing off.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from flask import Flask, Response
from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db
from .models import Comment, FaqEntry, Post, PostType

log = logging.getLogger(__name__)

CHANGES = "kotae_changes"  # session.info key of the transaction's `Changes`
CACHE = "kotae_transaction_cache"  # session.info key of `transaction_cache()`

# Pseudo-columns for a row's whole life, and for a question that has just been closed (not reopened, not
# re-closed), which the FAQ review needs and a column name alone cannot say.
CREATED, DELETED, CLOSED = "+created", "+deleted", "+closed"


# --- The request's transaction ----------------------------------------------------------------------------------

def init_app(app: Flask) -> None:
    app.after_request(_finish_request)


def _finish_request(response: Response) -> Response:
    if response.status_code < 400:
        db.session.commit()  # an error here becomes a 500 page, whose own finishing rolls back
    else:
        db.session.rollback()
    return response


def checkpoint() -> None:
    """Commit what the request wrote so far. Only for the small writes a page view makes before it renders (the
    view counter, "last seen"): on SQLite a read that later writes cannot wait for another writer, so those
    writes are committed before the page's reads instead of at the end."""
    db.session.commit()


@contextmanager
def transaction() -> Iterator[None]:
    """Commit the block's changes at its end, or roll them back if it raises (CLI commands, background jobs)."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


def transaction_cache(session: Session | None = None) -> dict:
    """A dict that lives as long as the current transaction: values read once per transaction (site settings)."""
    return (session or db.session()).info.setdefault(CACHE, {})


# --- What the transaction changed -------------------------------------------------------------------------------

@dataclass
class PostChange:
    """One post's changes in this transaction."""

    question_id: int | None  # its thread (the post itself for a question)
    is_question: bool
    columns: set[str] = field(default_factory=set)  # changed columns, and CREATED / DELETED / CLOSED


@dataclass
class Changes:
    """What this transaction changed, as the commit steps need it; steps may leave notes for later steps."""

    posts: dict[int, PostChange] = field(default_factory=dict)
    commented: set[int] = field(default_factory=set)  # posts whose comments were added, edited or removed
    threads: set[int] = field(default_factory=set)  # questions whose thread changed in a way no post row shows
    faq: dict[int, set[str]] = field(default_factory=dict)  # FAQ entry id -> changed columns (or CREATED/DELETED)
    emails: list = field(default_factory=list)  # OutgoingEmail rows queued, for the sender after the commit
    deliveries_queued: bool = False  # webhook deliveries due: wake the sender after the commit
    site_wide: bool = False  # something every page shows changed (the site's name, logo or colour)
    notes: dict[str, object] = field(default_factory=dict)  # from a step before the commit to one after it

    def post(self, post: Post, *columns: str) -> None:
        """Record that these columns of `post` changed (services call this after a bulk UPDATE of posts)."""
        if post.id is None:
            return
        question_id = post.id if post.post_type == PostType.QUESTION else post.question_id
        change = self.posts.setdefault(post.id, PostChange(question_id, post.post_type == PostType.QUESTION))
        change.columns.update(columns)

    def faq_entries(self, entry_ids: Iterable[int], *columns: str) -> None:
        """Record that these columns of FAQ entries changed (after a bulk UPDATE of entries)."""
        for entry_id in entry_ids:
            self.faq.setdefault(entry_id, set()).update(columns)

    def posts_with(self, *columns: str) -> set[int]:
        """Ids of the posts any of these columns (or pseudo-columns) changed for."""
        wanted = set(columns)
        return {post_id for post_id, change in self.posts.items() if change.columns & wanted}

    def __bool__(self) -> bool:
        return bool(self.posts or self.commented or self.threads or self.faq or self.emails
                    or self.deliveries_queued or self.site_wide)


def changes(session: Session | None = None) -> Changes:
    """The record of the current transaction's changes."""
    session = session or db.session()
    found = session.info.get(CHANGES)
    if found is None:
        found = session.info[CHANGES] = Changes()
    return found


def _observe_flush(session: Session, _flush_context) -> None:
    """Record what the ORM wrote: every new, changed and deleted post, comment and FAQ entry."""
    record = changes(session)
    dirty = session.dirty
    for obj in (*session.new, *dirty, *session.deleted):
        if isinstance(obj, Post):
            record.post(obj, *_post_columns(obj, session))
        elif isinstance(obj, Comment) and obj.post_id is not None:
            record.commented.add(obj.post_id)
        elif isinstance(obj, FaqEntry) and obj.id is not None:
            columns = ({CREATED} if obj in session.new else {DELETED} if obj in session.deleted
                       else _changed_columns(obj))
            if columns:
                record.faq_entries([obj.id], *columns)


def _post_columns(post: Post, session: Session) -> set[str]:
    if post in session.new:
        return {CREATED}
    if post in session.deleted:
        return {DELETED}
    columns = _changed_columns(post)
    if "closed_at" in columns:
        closed = db.inspect(post).attrs.closed_at.history
        if closed.added and closed.added[0] is not None and not any(closed.deleted or ()):
            columns.add(CLOSED)
    return columns


def _changed_columns(obj) -> set[str]:
    """Names of the mapped columns (and the tags relationship) whose value this flush changes."""
    state = db.inspect(obj)
    columns = state.mapper.column_attrs.keys()
    return {attr.key for attr in state.attrs
            if (attr.key in columns or attr.key == "tags") and attr.history.has_changes()}


# --- The declared steps -----------------------------------------------------------------------------------------

Step = Callable[[Session, Changes], None]


@dataclass(frozen=True)
class CommitSteps:
    """Run in order: `before` inside the transaction (they may write rows), `after` once the data is committed
    (they must not raise: a failed step is logged and the next one still runs)."""

    before: tuple[Step, ...]
    after: tuple[Step, ...]


_steps = CommitSteps((), ())


def declare(steps: CommitSteps) -> None:
    """Set what every commit sets off (one list per process: all apps share the session class)."""
    global _steps
    _steps = steps
    for name, handler in (("after_flush", _observe_flush), ("before_commit", _before_commit),
                          ("after_commit", _after_commit), ("after_rollback", _after_rollback)):
        if not event.contains(db.session, name, handler):
            event.listen(db.session, name, handler)


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():  # releasing a savepoint (SQLAlchemy 2.1 fires commit events for it)
        return
    session.flush()  # the commit would flush next anyway; flushing first records the last changes
    record = session.info.get(CHANGES)
    if not record:
        return
    for step in _steps.before:
        step(session, record)
        session.flush()  # what a step wrote is recorded before the next step reads the record


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint: the data is not committed yet
        return
    session.info.pop(CACHE, None)
    record = session.info.pop(CHANGES, None)  # popped first: a step that commits again starts a fresh record
    if not record:
        return
    for step in _steps.after:
        try:
            step(session, record)
        except Exception:  # noqa: BLE001 -- the commit has happened; one failed step must not stop the others
            log.exception("after-commit step %s failed", getattr(step, "__qualname__", step))


def _after_rollback(session: Session) -> None:
    session.info.pop(CACHE, None)
    if session.in_nested_transaction():
        # Only a savepoint rolled back: keep the record (recording too much only costs a rewrite) and let the
        # steps check what is really there when the transaction commits.
        return
    session.info.pop(CHANGES, None)
