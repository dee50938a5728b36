"""The search page's results, similar titles and related threads: what a backend finds, shaped for the pages.

The backend (`service.backend`, see backend.py) ranks ids; this module adds what the pages show around them:
the FAQ block, a sentence's best threads ranked again by the phrases they share with it (phrases.py), paging,
highlighted titles and snippets, "did you mean", and a short cache of related threads.
"""
from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from math import ceil
from typing import Callable

from flask_babel import gettext as _
from markupsafe import escape

from ..markup import html_to_text
from .analysis import terms as analyse
from .backend import IndexUnavailable, ThreadSummary
from .faq import thread_only
from .phrases import RERANK_DEPTH, folded, reranked, thread_texts
from .query import ParsedQuery, parse, sentence_grams, sentence_terms, with_language
from .snippets import highlight_text

log = logging.getLogger(__name__)

SORTS = ("relevance", "newest", "votes", "active")
MAX_PAGE = 100
FAQ_LIMIT = 3  # official FAQ entries shown above the threads, on the first page
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}\Z")


@dataclass
class SearchResults:
    """One page of results plus what the page shows around them; works with the `pager` macro."""

    parsed: ParsedQuery
    items: list = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = 20
    sort: str = "relevance"
    titles: dict = field(default_factory=dict)
    snippets: dict = field(default_factory=dict)
    suggestion: str | None = None
    messages: list = field(default_factory=list)
    searched: bool = False
    exact: bool = True  # False: more threads than `total` match (the search stopped after this page)
    degraded: bool = False  # the index could not answer (being built, or failing): a page not worth keeping
    official: set = field(default_factory=set)  # ids of shown threads with an official (staff-verified) answer
    faq: list = field(default_factory=list)  # published FAQ entries matching, best first (first page only)
    faq_titles: dict = field(default_factory=dict)
    faq_snippets: dict = field(default_factory=dict)

    @property
    def pages(self) -> int:
        if not self.exact:  # more results than counted: one more page, then "Next" again
            return self.page + 1
        return max(1, ceil(self.total / self.per_page)) if self.total else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    def iter_pages(self, left_edge=2, left_current=2, right_current=4, right_edge=2):
        """Page numbers with None for gaps, as Flask-SQLAlchemy's Pagination does."""
        last = 0
        for number in range(1, self.pages + 1):
            if (number <= left_edge or self.page - left_current <= number < self.page + right_current + 1
                    or number > self.pages - right_edge):
                if last + 1 != number:
                    yield None
                yield number
                last = number


def search(service, text: str | None, sort: str = "relevance", page: int = 1, per_page: int = 20,
           viewer_id: int | None = None, fetch: Callable[[list[int]], dict] | None = None,
           fetch_faq: Callable[[list[int]], dict] | None = None, language: str | None = None) -> SearchResults:
    """Run a search; `fetch(ids)` returns {id: question} from the database (one query) for display, and
    `fetch_faq(ids)` {id: published FAQ entry} for the official entries shown first on page 1."""
    parsed = with_language(parse(text, viewer_id), language)
    sort = sort if sort in SORTS else "relevance"
    # str(): user text inside a lazy message must be escaped like any other text (LazyString claims to be HTML)
    results = SearchResults(parsed=parsed, per_page=per_page, sort=sort, messages=[str(m) for m in parsed.messages])
    if fetch_faq is not None and page <= 1:
        _faq_block(service, results, fetch_faq)
    ordered = "newest" if sort == "relevance" and not parsed.has_text else sort
    page = min(max(page, 1), MAX_PAGE)
    depth = RERANK_DEPTH if ordered == "relevance" and parsed.sentence and fetch is not None else 0
    try:
        hits = service.backend.search(parsed, ordered, max(page * per_page, depth))
    except IndexUnavailable:
        results.degraded = True
        results.messages.append(_("Search is not ready yet: the index is being built. Please try again soon."))
        return results
    except Exception:  # noqa: BLE001 -- whatever the backend does with a query, the page must not fail
        log.exception("search: the index failed on %r", parsed.raw)
        results.sort, results.degraded = ordered, True
        results.messages.append(_("This search could not be run. Please try different words."))
        return results
    if hits is None:
        if parsed.clauses:
            results.messages.append(_("Nothing to search for: very common words such as \u201cthe\u201d are left "
                                       "out. Try more specific words, a [tag] or an operator from the list."))
        elif parsed.raw:
            results.messages.append(_("Nothing left to search for. Type some words, a [tag] or an operator "
                                       "from the list."))
        return results
    results.sort, results.total, results.exact = ordered, hits.total, hits.exact
    results.searched = True
    page = min(page, max(ceil(results.total / per_page), 1))  # past the last page: show the last one
    results.page = page
    window = hits.ids[:depth] if depth and hits.scores else []  # ranked again by their phrases, on every page
    found = fetch(window) if window else {}
    ranked = reranked(_typed(parsed), hits.ids, hits.scores, thread_texts(found.values())) if window else hits.ids
    ids = ranked[(page - 1) * per_page:page * per_page]
    results.official = {i for i in ids if i in hits.official}
    rest = [i for i in ids if i not in window]
    if fetch is not None and (rest or not window):
        found = found | fetch(rest)
    results.items = [found[i] for i in ids if i in found]
    _highlight(results, hits.terms)
    results.suggestion = suggest(service.backend, parsed)
    return results


def _typed(parsed: ParsedQuery) -> str:
    """The words and phrases of a search, as typed, without its operators and tags."""
    return " ".join(clause.text for clause in parsed.clauses)


def failed(text: str | None, viewer_id: int | None, sort: str = "relevance", per_page: int = 20) -> SearchResults:
    """No results, with the message a search that could not be run shows."""
    results = SearchResults(parsed=parse(text, viewer_id), per_page=per_page, sort=sort if sort in SORTS else
                            "relevance", degraded=True)
    results.messages.append(_("This search could not be run. Please try different words."))
    return results


def _faq_block(service, results: SearchResults, fetch_faq) -> None:
    """The published FAQ entries matching the words, best first (none when the search uses thread operators)."""
    if thread_only(results.parsed):
        return
    try:
        ids, terms = service.backend.search_faq(results.parsed, FAQ_LIMIT)
        found = fetch_faq(ids) if ids else {}
    except Exception:  # noqa: BLE001 -- the FAQ block is a bonus; the thread results must still show
        log.exception("search: the FAQ index failed on %r", results.parsed.raw)
        return
    results.faq = [found[i] for i in ids if i in found]
    for entry in results.faq:
        results.faq_titles[entry.id] = highlight_text(entry.title, terms, whole=True) or escape(entry.title)
        answer = html_to_text(entry.answer_html)
        results.faq_snippets[entry.id] = (highlight_text(answer, terms)
                                          or highlight_text(html_to_text(entry.question_html), terms)
                                          or escape(answer[:240] + ("…" if len(answer) > 240 else "")))


def _highlight(results: SearchResults, terms: set[str]) -> None:
    for item in results.items:
        results.titles[item.id] = highlight_text(item.title, terms, whole=True) or escape(item.title)
        snippet = highlight_text(html_to_text(item.body_html), terms)
        results.snippets[item.id] = snippet or escape(item.excerpt)


def suggest(backend, parsed: ParsedQuery) -> str | None:
    """"Did you mean": the query with each unknown English word replaced by the closest indexed word."""
    words = [clause.text for clause in parsed.clauses if not clause.phrase and _LATIN_WORD.match(clause.text)]
    replacements = backend.corrections(words) if words else {}
    if not replacements:
        return None
    return re.sub(r"\S+", lambda m: replacements.get(m.group(), m.group()), parsed.raw)


# -- FAQ entries, similar and related threads ----------------------------------------------------------------

def faq_entries(backend, text: str | None, limit: int = 20, language: str | None = None) -> list[int]:
    """Ids of published entries matching a search box's text (in `language` when given, unless the text says
    `lang:`), best first; [] for blank or unusable text."""
    if not (text or "").strip():
        return []
    return backend.search_faq(with_language(parse(text), language), limit)[0]


# While asking, a thread is shown only when it scores at least this share of the best one. Any of the words may
# match, so a thread sharing one common word ("update", "app") of a sentence otherwise fills the list: for "Why does
# the desktop app stop syncing after the update?" the sync thread scores 14, "How do I update the mobile app?" 6.5.
SIMILAR_MIN_SHARE = 0.5


def similar(backend, title: str, limit: int = 5, fetch=None) -> list[ThreadSummary]:
    """Existing threads most like a title being typed, usually a sentence: ranked as the search ranks a sentence
    (any of its telling words over the whole thread, BM25F; then the best 30 again by the phrases their titles
    and questions share with it, phrases.py), less the words that only make it a question, and only those close
    to the best (SIMILAR_MIN_SHARE), so the list stays on the topic. Without `fetch`, by their titles alone."""
    title = (title or "")[:300]
    words = sentence_terms(title)
    found = backend.similar(words, max(limit, RERANK_DEPTH), sentence_grams(title)) if words else []
    if not found:
        return []
    floor = found[0].get("relevance", 0.0) * SIMILAR_MIN_SHARE
    by_id = {item["id"]: item for item in found}
    if fetch is not None:
        texts = thread_texts(fetch(list(by_id)).values())
    else:
        texts = {item["id"]: folded(item["title"]) for item in found}  # stored titles: the phrases without SQL
    order = reranked(title, list(by_id), [item.get("relevance", 0.0) for item in found], texts)
    return [by_id[i] for i in order if by_id[i].get("relevance", floor) >= floor][:limit]


def similar_faq(backend, title: str, limit: int = 3) -> list[dict]:
    """Published entries sharing words with a title being typed (how many: faq.SIMILAR_MIN_WORDS)."""
    words = list(dict.fromkeys(analyse((title or "")[:300])))
    return backend.similar_faq(words, limit) if words else []


class _TTLCache:
    """Related threads per question, kept a few minutes: they need not follow every commit, and a question
    page is viewed far more often than it changes."""

    def __init__(self, size: int = 2000, seconds: float = 600.0):
        self.size, self.seconds, self.items = size, seconds, OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            found = self.items.get(key)
            if found is None or found[0] < time.monotonic():
                return None
            self.items.move_to_end(key)
            return found[1]

    def put(self, key, value, seconds: float | None = None) -> None:
        with self.lock:
            self.items[key] = (time.monotonic() + (self.seconds if seconds is None else seconds), value)
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


RELATED_CACHE = _TTLCache()


def related(service, question, limit: int = 5) -> list[ThreadSummary]:
    """More like this: threads sharing the key terms of a question's title and body (cached per question)."""
    key = (service.backend.location, question.id, limit)
    cached = RELATED_CACHE.get(key)
    if cached is None:
        cached = uncached_related(service.backend, question, limit)
        # Nothing related may only mean the index is still being built: remember that for a short while only.
        RELATED_CACHE.put(key, cached, seconds=None if cached else 30.0)
    return [dict(item) for item in cached]


def uncached_related(backend, question, limit: int) -> list[ThreadSummary]:
    """More like this, asked of the backend each time (the benchmark measures this)."""
    text = f"{question.title}\n{question.title}\n{html_to_text(question.body_html)[:3000]}"
    return backend.related(question.id, text, limit)
