"""Writing the index: threads after a commit, outbox retries, the full rebuild and the consistency check."""
from __future__ import annotations

import gc
import logging
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable, Iterable, Iterator

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import SearchOutbox, utcnow
from .backend import FAQ as FAQ_DOCUMENTS, THREADS, IndexBusy
from .documents import build_documents, count_questions, iter_all_documents
from .faq import build_faq_documents, count_published, iter_all_faq_documents

log = logging.getLogger(__name__)

SWEEP_LIMIT = 200  # old outbox rows retried by each commit, on top of its own threads


def _session() -> Session:
    """A session of our own: the request's session has just committed and must not start another transaction."""
    return Session(bind=db.engine, expire_on_commit=False)


@dataclass(frozen=True)
class Kind:
    """What an outbox row names: a thread (question id) or an FAQ entry (entry id)."""

    name: str  # SearchOutbox.kind, and the backend's kind of document
    build: Callable  # build(session, ids) -> {id: document or None (remove)}
    label: str


THREAD = Kind(THREADS, build_documents, "thread")
FAQ = Kind(FAQ_DOCUMENTS, build_faq_documents, "FAQ entry")
KINDS = {kind.name: kind for kind in (THREAD, FAQ)}


def update_threads(service, question_ids: Iterable[int], sweep: bool = True) -> bool:
    """Rewrite these threads' documents (and retry old outbox rows); False, logged, if the index was not written."""
    return update(service, {THREAD.name: set(question_ids)}, sweep=sweep)


def update(service, pending: dict[str, set[int]], sweep: bool = True) -> bool:
    """Rewrite the documents of these {kind: ids} (and, with `sweep`, of outbox rows a failed update left
    behind); False, logged, if some index was not written (its rows stay in the outbox)."""
    wanted = {name: set(ids) for name, ids in pending.items() if ids}
    if sweep:
        try:
            for name, ids in _left_behind(service).items():
                wanted.setdefault(name, set()).update(ids)
        except Exception:  # noqa: BLE001 -- the retry is a bonus; this commit's own documents come first
            log.warning("search: could not read old outbox rows", exc_info=True)
    written = True
    for name, ids in wanted.items():
        written = _update_kind(service, KINDS[name], ids) and written
    return written


def _left_behind(service) -> dict[str, set[int]]:
    old = utcnow() - timedelta(seconds=service.retry_after)
    found: dict[str, set[int]] = {}
    with _session() as session:
        for kind, target in session.execute(select(SearchOutbox.kind, SearchOutbox.question_id).where(
                SearchOutbox.created_at < old).order_by(SearchOutbox.id).limit(SWEEP_LIMIT)):
            if kind in KINDS:
                found.setdefault(kind, set()).add(target)
    return found


def _update_kind(service, kind: Kind, wanted: set[int]) -> bool:
    """The database is read while the index lock is held, so of two workers updating the same document, the
    one that writes last also read last: the index ends with the newest state."""
    try:
        with service.backend.writer(kind.name, timeout=service.write_timeout) as writer:
            with _session() as session:
                seen = session.scalar(select(func.max(SearchOutbox.id))) or 0
                documents = kind.build(session, wanted)
            _write(writer, documents)
    except IndexBusy:
        log.warning("search: index busy for %.1fs; %d %s(s) stay in the outbox for a retry",
                    service.write_timeout, len(wanted), kind.label)
        return False
    except Exception:  # noqa: BLE001 -- indexing must never fail the request that committed the change
        log.exception("search: indexing %d %s(s) failed; they stay in the outbox for a retry", len(wanted),
                      kind.label)
        return False
    _forget(kind, wanted, seen)  # rows added after our read belong to commits that index their own changes
    return True


def drain_outbox(service, batch: int = 500) -> int:
    """Index every thread and FAQ entry still in the outbox (after failures, or a reindex); returns how many."""
    done, last = 0, 0
    while True:
        with _session() as session:
            rows = session.execute(select(SearchOutbox.id, SearchOutbox.kind, SearchOutbox.question_id)
                                   .where(SearchOutbox.id > last).order_by(SearchOutbox.id).limit(batch)).all()
        if not rows:
            return done
        last = rows[-1].id
        pending: dict[str, set[int]] = {}
        for row in rows:
            pending.setdefault(row.kind if row.kind in KINDS else THREAD.name, set()).add(row.question_id)
        for name, ids in pending.items():
            if not _update_kind(service, KINDS[name], ids):
                raise RuntimeError("the search index could not be written; see the log")
            done += len(ids)


def pending_count() -> int:
    with _session() as session:
        return session.scalar(select(func.count(SearchOutbox.id)))


def _write(writer, documents: dict) -> None:
    for doc_id, document in documents.items():
        if document is None:
            writer.delete(doc_id)
        else:
            writer.replace(document)


def _forget(kind: Kind, ids: set[int], up_to: int) -> None:
    if not ids:
        return
    try:
        ordered = sorted(ids)
        with _session() as session:
            for start in range(0, len(ordered), 500):
                session.execute(delete(SearchOutbox).where(SearchOutbox.kind == kind.name,
                                                           SearchOutbox.question_id.in_(ordered[start:start + 500]),
                                                           SearchOutbox.id <= up_to))
            session.commit()
    except Exception:  # noqa: BLE001 -- the documents are written; the rows only cause a harmless re-index
        log.warning("search: could not clear the outbox rows of %d %s(s); they will be indexed again",
                    len(ids), kind.label, exc_info=True)


# -- full rebuild --------------------------------------------------------------------------------------------

@dataclass
class ReindexReport:
    threads: int
    seconds: float
    procs: int
    retried: int = 0
    cpu_seconds: float = 0.0  # this process and its worker processes, user + system
    faq_entries: int = 0  # published FAQ entries indexed

    @property
    def rate(self) -> float:
        return self.threads / self.seconds if self.seconds else 0.0


def reindex_all(service, progress: Callable[[int], None] | None = None, procs: int | None = None) -> ReindexReport:
    """Rebuild the whole index from the database, then index what changed meanwhile (the outbox).

    The backend may analyse documents in `procs` worker processes (Whoosh's MpWriter) while this process reads
    the database. The old documents stay searchable until the rebuild swaps them out. An importer calls this
    once at the end instead of indexing commit by commit (see `indexing_deferred`).
    """
    procs = procs or max(1, min(os.cpu_count() or 1, 4))
    started, cpu = time.perf_counter(), os.times()
    with _session() as session:
        outbox_mark = session.scalar(select(func.max(SearchOutbox.id))) or 0
    with _bulk_gc(), _session() as session:
        threads = service.backend.rebuild(THREAD.name, _counted(iter_all_documents(session), progress),
                                          timeout=service.reindex_timeout, procs=procs)
    faq_entries = _rebuild_faq(service)
    with _session() as session:  # the rebuild read everything these rows asked for
        session.execute(delete(SearchOutbox).where(SearchOutbox.id <= outbox_mark))
        session.commit()
    retried = drain_outbox(service)
    cpu_now = os.times()
    cpu_seconds = sum(getattr(cpu_now, f) - getattr(cpu, f) for f in ("user", "system", "children_user",
                                                                       "children_system"))
    return ReindexReport(threads=threads, seconds=time.perf_counter() - started, procs=procs, retried=retried,
                         cpu_seconds=cpu_seconds, faq_entries=faq_entries)


def _counted(batches: Iterable[list[dict]], progress: Callable[[int], None] | None) -> Iterator[list[dict]]:
    """The batches, calling `progress(n)` once each batch has been written."""
    for documents in batches:
        yield documents
        if progress is not None:
            progress(len(documents))


def rebuild_faq(service) -> int:
    """Rebuild only the FAQ index from the published entries (the thread index is whole); returns how many."""
    return _rebuild_faq(service)


def _rebuild_faq(service) -> int:
    """Rebuild the FAQ index; returns the number of entries indexed."""
    with _session() as session:
        return service.backend.rebuild(FAQ.name, iter_all_faq_documents(session), timeout=service.reindex_timeout)


@contextmanager
def _bulk_gc():
    """Analysis allocates millions of short-lived objects; full collections would rescan the whole heap."""
    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


# -- consistency check ---------------------------------------------------------------------------------------

@dataclass
class CheckReport:
    expected: int = 0
    indexed: int = 0
    missing: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)
    pending: int = 0
    schema_current: bool = True
    faq: "CheckReport | None" = None  # the same comparison for published FAQ entries and the FAQ index

    @property
    def ok(self) -> bool:
        return (self.schema_current and not (self.missing or self.stale or self.extra)
                and (self.faq is None or self.faq.ok))


def check(service) -> CheckReport:
    """Compare each visible question's (and published FAQ entry's) fingerprint with the indexed one: missing,
    stale and extra documents."""
    report = CheckReport(pending=pending_count())
    with _session() as session:
        _compare(service.backend, THREAD.name, iter_all_documents(session, with_text=False), report)
        report.faq = _compare(service.backend, FAQ.name, iter_all_faq_documents(session, with_text=False),
                              CheckReport())
    return report


def _compare(backend, kind: str, batches, report: CheckReport) -> CheckReport:
    indexed: dict[str, str | None] = {}
    if backend.exists(kind):
        report.schema_current = backend.schema_is_current(kind)
        indexed = backend.fingerprints(kind)
    report.indexed = len(indexed)
    for documents in batches:
        for document in documents:
            report.expected += 1
            found = indexed.pop(document["id"], None)
            if found is None:
                report.missing.append(int(document["id"]))
            elif found != document["fingerprint"]:
                report.stale.append(int(document["id"]))
    report.extra = sorted(int(doc_id) for doc_id in indexed)
    return report


def expected_count() -> int:
    with _session() as session:
        return count_questions(session)


def expected_faq_count() -> int:
    with _session() as session:
        return count_published(session)
