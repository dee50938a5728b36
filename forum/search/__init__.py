"""Full-text search over question threads (Whoosh + Sudachi): the public API.

`init_app(app)` picks the search backend (``SEARCH_BACKEND``, default ``"whoosh"``: index files in
``SEARCH_INDEX_DIR``, default ``instance/search-index``; or ``"postgresql"``: tables in the app's database)
and adds the `search_related()` template helper; its commit steps (hooks.py, declared in
`forum/commit_steps.py`) update the document of every thread a commit touches. The rest of the app calls the
functions below; they reach the backend only through the
`SearchBackend` protocol (backend.py).
"""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from typing import Callable

from flask import Flask, current_app

from . import cache, indexer, searching
from .backend import SearchBackend
from .completeness import Health, HealthMonitor
from .indexer import CheckReport, ReindexReport
from .searching import SORTS, SearchResults
from .postgresql import PostgresBackend
from .whoosh import WhooshBackend
from ..unit_of_work import changes
from ..urls import faq_entry_path, question_path

__all__ = ["init_app", "search", "similar", "similar_faq", "faq_entries", "faq_url", "related", "reindex_all",
           "check", "retry_pending", "indexing_deferred", "threads_changed", "health", "SearchResults", "CheckReport",
           "ReindexReport", "Health", "SORTS"]

log = logging.getLogger(__name__)

# SEARCH_BACKEND names one of these; each makes its backend from the app's config: Whoosh files in
# SEARCH_INDEX_DIR, or tables in the forum's own PostgreSQL database (shared by every web server).
BACKENDS: dict[str, Callable[[Flask], SearchBackend]] = {"whoosh": WhooshBackend.from_app,
                                                         "postgresql": PostgresBackend.from_app}


class SearchService:
    """The app's search settings and backend (stored in ``app.extensions["kotae_search"]``)."""

    def __init__(self, app: Flask):
        self.backend = make_backend(app)
        self.write_timeout = float(app.config.get("SEARCH_WRITE_TIMEOUT", 2.0))
        self.reindex_timeout = float(app.config.get("SEARCH_REINDEX_TIMEOUT", 60.0))
        self.retry_after = float(app.config.get("SEARCH_RETRY_AFTER", 60.0))
        cache.set_budget(int(float(app.config.get("SEARCH_POSTINGS_CACHE_MB", 64)) * 2**20))
        self._deferred = threading.local()
        self.health = HealthMonitor(app, self)  # are the indexes whole? (see completeness.py)

    @property
    def deferred(self) -> bool:
        return getattr(self._deferred, "on", False)


def make_backend(app: Flask) -> SearchBackend:
    """The backend SEARCH_BACKEND names; an unknown name stops the app from starting."""
    name = app.config.get("SEARCH_BACKEND") or "whoosh"
    if name not in BACKENDS:
        raise RuntimeError(f"SEARCH_BACKEND must be one of {', '.join(sorted(BACKENDS))}, not {name!r}")
    return BACKENDS[name](app)


def init_app(app: Flask) -> None:
    app.extensions["kotae_search"] = SearchService(app)
    app.jinja_env.globals["search_related"] = _related_for_template
    app.jinja_env.globals["faq_url"] = faq_url


def _service() -> SearchService:
    return current_app.extensions["kotae_search"]


def search(text: str | None, sort: str = "relevance", page: int = 1, per_page: int = 20,
           viewer_id: int | None = None, fetch=None, fetch_faq=None, language: str | None = None) -> SearchResults:
    """One page of threads matching `text`; `fetch(ids)` loads the questions to show, in one query, and
    `fetch_faq(ids)` the published FAQ entries shown above them on the first page (none without it)."""
    service = _service()
    try:
        return searching.search(service, text, sort=sort, page=page, per_page=per_page, viewer_id=viewer_id,
                                fetch=fetch, fetch_faq=fetch_faq, language=language)
    except Exception:  # noqa: BLE001 -- the index went away mid-search: an empty page with a hint, not a 500
        log.exception("search: searching failed on %r", text)
        return searching.failed(text, viewer_id, sort=sort, per_page=per_page)


def similar(title: str, limit: int = 5, fetch=None) -> list[dict]:
    """Up to `limit` questions like a title being typed: id, title, score, answer_count, accepted, tags;
    `fetch(ids)` ({id: question}, one query) gives the questions' text to rank them again by (titles alone
    without it)."""
    try:
        return searching.similar(_service().backend, title, limit=limit, fetch=fetch)
    except Exception:  # noqa: BLE001 -- suggestions while asking must never fail (an index removed or damaged)
        log.exception("search: similar questions failed on %r", title)
        return []


def faq_entries(q: str | None, limit: int = 20, language: str | None = None) -> list[int]:
    """Ids of PUBLISHED FAQ entries matching `q` (only those in `language`, "ja" or "en", when given), best
    first; [] for blank or unusable q."""
    try:
        return searching.faq_entries(_service().backend, q, limit, language)
    except Exception:  # noqa: BLE001 -- the FAQ page must work even when the index cannot be read
        log.exception("search: FAQ search failed on %r", q)
        return []


def similar_faq(title: str, limit: int = 3) -> list[dict]:
    """Published FAQ entries like a title being typed: id, title, faq=True (stored fields; no SQL)."""
    try:
        return searching.similar_faq(_service().backend, title, limit=limit)
    except Exception:  # noqa: BLE001 -- as similar()
        log.exception("search: similar FAQ entries failed on %r", title)
        return []


def faq_url(entry_id: int, title: str = "") -> str:
    """The public page of an FAQ entry, with the slug of its title (the page redirects other slugs to it)."""
    return faq_entry_path(entry_id, title)


def related(question, limit: int = 5) -> list[dict]:
    """Up to `limit` threads like this question (more like this), from stored fields: no SQL."""
    try:
        return searching.related(_service(), question, limit=limit)
    except Exception:  # noqa: BLE001 -- a sidebar must never break the question page
        log.exception("search: related questions failed for %s", getattr(question, "id", "?"))
        return []


def _related_for_template(question, limit: int = 5) -> list[dict]:
    try:
        found = related(question, limit)
        for item in found:
            item["url"] = question_path(item["id"], item["title"])
        return found
    except Exception:  # noqa: BLE001 -- a sidebar must never break the question page
        log.exception("search: related questions failed for %s", getattr(question, "id", "?"))
        return []


def reindex_all(progress=None, procs: int | None = None) -> ReindexReport:
    """Rebuild the index from the database (`progress(n)` is called as threads are read)."""
    return indexer.reindex_all(_service(), progress=progress, procs=procs)


def health() -> Health:
    """Document counts of both indexes against the database (cached SEARCH_HEALTH_SECONDS) and whether a rebuild
    runs; an incomplete index starts a background rebuild when SEARCH_AUTO_REBUILD is on."""
    return _service().health.health()


def check() -> CheckReport:
    """Documents missing from, stale in, or extra in the index compared with the database."""
    return indexer.check(_service())


def retry_pending() -> int:
    """Index every thread left in the outbox by failed or deferred updates; returns how many."""
    return indexer.drain_outbox(_service())


def threads_changed(question_ids) -> None:
    """Rewrite these threads' documents after the commit, for a change no post row shows (an author renamed by
    the deletion of their account); like every other change, it is in the outbox until indexed."""
    changes().threads.update(int(qid) for qid in question_ids)


@contextmanager
def indexing_deferred():
    """Within this block commits only queue threads in the outbox (bulk imports); reindex or retry after."""
    service = _service()
    previous = service.deferred
    service._deferred.on = True
    try:
        yield
    finally:
        service._deferred.on = previous
