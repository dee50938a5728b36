"""Is the index whole? Document counts against the database, cached briefly, and a rebuild when it is not.

An index directory removed while the app serves is not an error Whoosh reports: the next commit's writer
creates a new, nearly empty index and search answers from it as if it were complete. So the search pages ask
`HealthMonitor.health()`: the thread index's document count against the visible questions, and the FAQ index's
against the published entries. The answer is kept `SEARCH_HEALTH_SECONDS` (two COUNTs, then none until it
expires). An incomplete index gets a notice on the search pages and a line on the staff dashboard, and (with
`SEARCH_AUTO_REBUILD`) a background rebuild from the database: a thread in this process, after claiming the
"search.rebuild" job (forum/jobs.py), so one worker of one host rebuilds, at most once per
`SEARCH_REBUILD_COOLDOWN` seconds.

A few documents missing is normal for a moment (a commit whose index write is still running, or waits in the
outbox for a retry); an index counts as incomplete when it is empty while the database is not, or when more
than MISSING_SHARE of the documents (at least one more than the moment's lag) are missing.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..extensions import db
from ..jobs import Job, claim
from ..models import SiteSetting, utcnow
from . import indexer
from .backend import FAQ, THREADS
from .documents import count_questions
from .faq import count_published

log = logging.getLogger(__name__)

REBUILD_JOB = "search.rebuild"
MISSING_SHARE = 0.02


@dataclass(frozen=True)
class IndexCount:
    """One index's documents against what the database says it should hold."""

    indexed: int
    expected: int

    @property
    def missing(self) -> int:
        return max(self.expected - self.indexed, 0)

    @property
    def complete(self) -> bool:
        if self.expected and not self.indexed:
            return False
        return self.missing <= max(1, int(self.expected * MISSING_SHARE))


@dataclass(frozen=True)
class Health:
    """The thread and FAQ indexes' counts, whether this process is rebuilding, and the last rebuild claimed."""

    threads: IndexCount
    faq: IndexCount
    rebuilding: bool = False
    last_rebuild: datetime | None = None  # when some process last started an automatic rebuild
    checked: bool = True  # False: the counts could not be read (the database was unreachable)

    @property
    def complete(self) -> bool:
        return self.threads.complete and self.faq.complete


UNKNOWN = Health(IndexCount(0, 0), IndexCount(0, 0), checked=False)


class HealthMonitor:
    """Per app: the cached health of its two indexes and the rebuild thread (``SearchService.health``)."""

    def __init__(self, app: Flask, service):
        self.app, self.service = app, service
        self.seconds = float(app.config.get("SEARCH_HEALTH_SECONDS", 30))
        self.auto_rebuild = bool(app.config.get("SEARCH_AUTO_REBUILD", True))
        self.cooldown = float(app.config.get("SEARCH_REBUILD_COOLDOWN", 600))
        self._lock = threading.Lock()
        self._cached: Health | None = None
        self._expires = 0.0
        self.thread: threading.Thread | None = None

    @property
    def rebuilding(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def health(self) -> Health:
        """The counts (measured at most once per SEARCH_HEALTH_SECONDS); starts a rebuild when incomplete."""
        with self._lock:  # one request measures; the others wait a few ms for its answer
            if self._cached is None or time.monotonic() >= self._expires:
                self._cached = measure(self.service)
                self._expires = time.monotonic() + self.seconds
                if self._cached.checked and not self._cached.complete:
                    log.warning("search: the index looks incomplete (threads %d of %d, FAQ %d of %d)",
                                self._cached.threads.indexed, self._cached.threads.expected,
                                self._cached.faq.indexed, self._cached.faq.expected)
                    if self.auto_rebuild:
                        self._start_rebuild(self._cached)
            found = self._cached
        return replace(found, rebuilding=self.rebuilding)

    def forget(self) -> None:
        """Measure again on the next call (after a rebuild)."""
        with self._lock:
            self._cached = None

    def join(self, timeout: float | None = None) -> None:
        """Wait for this process's rebuild thread, if any (tests and the CLI)."""
        thread = self.thread
        if thread is not None:
            thread.join(timeout)

    def _start_rebuild(self, health: Health) -> None:
        if self.rebuilding:
            return
        self.thread = threading.Thread(target=self._rebuild, args=(health,), name="kotae-search-rebuild",
                                       daemon=True)
        self.thread.start()

    def _rebuild(self, health: Health) -> None:
        with self.app.app_context():
            try:
                job = Job(REBUILD_JOB, lambda now: None, every=timedelta(seconds=self.cooldown))
                if not claim(job, utcnow()):  # another worker (or host) has it, or one ran within the cooldown
                    return
                log.warning("search: rebuilding the %s from the database",
                            "index" if not health.threads.complete else "FAQ index")
                started = time.perf_counter()
                if health.threads.complete:
                    count = indexer.rebuild_faq(self.service)
                else:  # one process: no worker processes forked from a threaded web server
                    count = indexer.reindex_all(self.service, procs=1).threads
                log.warning("search: rebuilt %d documents in %.1fs", count, time.perf_counter() - started)
            except Exception:  # noqa: BLE001 -- a daemon thread: log, and the next check after the cooldown retries
                log.exception("search: the automatic rebuild failed")
            finally:
                db.session.remove()
                self.forget()


def measure(service) -> Health:
    """Count both indexes and the database now (two or three statements, on a session of our own)."""
    try:
        threads_indexed, faq_indexed = service.backend.doc_count(THREADS), service.backend.doc_count(FAQ)
        with Session(bind=db.engine) as session:
            expected, expected_faq = count_questions(session), count_published(session)
            last = session.scalar(select(SiteSetting.updated_at).where(SiteSetting.key == f"job:{REBUILD_JOB}"))
    except Exception:  # noqa: BLE001 -- a health check must never fail the search page
        log.warning("search: the index health check failed", exc_info=True)
        return UNKNOWN
    return Health(IndexCount(threads_indexed, expected), IndexCount(faq_indexed, expected_faq), last_rebuild=last)
