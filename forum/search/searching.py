"""Reading the index: the search page's results, similar titles, related threads, snippets, "did you mean"."""
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
from markupsafe import Markup, escape
from whoosh import highlight
from whoosh import query as q
from whoosh.sorting import FieldFacet, MultiFacet

from ..markup import html_to_text
from .analysis import KotaeTokenizer, terms as analyse
from .faq import search_faq, thread_only
from .query import Built, ParsedQuery, any_of, build, parse, sentence_terms
from .schema import TEXT_FIELDS

log = logging.getLogger(__name__)

SORTS = ("relevance", "newest", "votes", "active")
HIGHLIGHT_CHARS = 20_000  # longer bodies are highlighted in their first part (the excerpt fills in)
MAX_PAGE = 100
FAQ_LIMIT = 3  # official FAQ entries shown above the threads, on the first page
COMMON_SHARE, COMMON_MIN_DOCS = 0.05, 2000  # see _telling
_ANALYZER = KotaeTokenizer()
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
           fetch_faq: Callable[[list[int]], dict] | None = None) -> SearchResults:
    """Run a search; `fetch(ids)` returns {id: question} from the database (one query) for display, and
    `fetch_faq(ids)` {id: published FAQ entry} for the official entries shown first on page 1."""
    parsed = parse(text, viewer_id)
    sort = sort if sort in SORTS else "relevance"
    # str(): user text inside a lazy message must be escaped like any other text (LazyString claims to be HTML)
    results = SearchResults(parsed=parsed, per_page=per_page, sort=sort, messages=[str(m) for m in parsed.messages])
    if fetch_faq is not None and page <= 1:
        _faq_block(service, results, fetch_faq)
    built = build(parsed)
    if built.query is None:
        if parsed.clauses:
            results.messages.append(_("Nothing to search for: very common words such as \u201cthe\u201d are left "
                                       "out. Try more specific words, a [tag] or an operator from the list."))
        elif parsed.raw:
            results.messages.append(_("Nothing left to search for. Type some words, a [tag] or an operator "
                                       "from the list."))
        return results
    searcher = service.index.searcher()
    if searcher is None:
        results.messages.append(_("Search is not ready yet: the index is being built. Please try again soon."))
        return results
    if sort == "relevance" and not parsed.has_text:
        sort = results.sort = "newest"
    page = min(max(page, 1), MAX_PAGE)
    try:
        hits = _run(searcher, built, page * per_page + 1, sort)  # one more than shown: is there a next page?
        results.total, results.exact = _count(hits, page * per_page)
    except Exception:  # noqa: BLE001 -- whatever Whoosh does with a query, the page must not fail
        log.exception("search: the index failed on %r", parsed.raw)
        results.messages.append(_("This search could not be run. Please try different words."))
        return results
    results.searched = True
    page = min(page, max(ceil(results.total / per_page), 1))  # past the last page: show the last one
    results.page = page
    shown = hits[(page - 1) * per_page:page * per_page]
    ids = [int(hit["id"]) for hit in shown]
    results.official = {int(hit["id"]) for hit in shown if hit.get("has_official")}
    found = fetch(ids) if fetch is not None else {}
    results.items = [found[i] for i in ids if i in found]
    _highlight(results, built)
    results.suggestion = suggest(searcher, parsed)
    return results


def failed(text: str | None, viewer_id: int | None, sort: str = "relevance", per_page: int = 20) -> SearchResults:
    """No results, with the message a search that could not be run shows."""
    results = SearchResults(parsed=parse(text, viewer_id), per_page=per_page, sort=sort if sort in SORTS else
                            "relevance")
    results.messages.append(_("This search could not be run. Please try different words."))
    return results


def _faq_block(service, results: SearchResults, fetch_faq) -> None:
    """The published FAQ entries matching the words, best first (none when the search uses thread operators)."""
    if thread_only(results.parsed):
        return
    try:
        ids, terms = search_faq(service.faq_index, results.parsed, FAQ_LIMIT)
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


def _run(searcher, built: Built, limit: int, sort: str):
    """The top `limit` hits. Queries with exclusions skip Whoosh's block-quality optimisation: in 2.7.4
    `AndNotMatcher.skip_to_quality` reads past the end of a posting block on large indexes (IndexError)."""
    query, allowed = built.query, in_ranges(searcher, built.ranges)
    if allowed is not None and not allowed:  # Whoosh takes an empty filter set for no filter at all
        query = q.NullQuery
    optimize = not _has_exclusion(query)
    try:
        return searcher.search(query, limit=limit, filter=allowed, optimize=optimize, **_sorting(sort))
    except IndexError:
        if not optimize:
            raise
        log.warning("search: Whoosh's optimised search failed on %s; searching without it", query)
        return searcher.search(query, limit=limit, filter=allowed, optimize=False, **_sorting(sort))


def in_ranges(searcher, ranges) -> set | None:
    """Document numbers whose `score`/`answer_count` are within every range, read from the sortable columns
    (kept per searcher: 70 ms to read 100,000 values once, then a few ms per range)."""
    allowed = None
    for fieldname, low, high in ranges:
        values = _column(searcher, fieldname)
        inside = {docnum for docnum, value in enumerate(values)
                  if (low is None or value >= low) and (high is None or value <= high)}
        allowed = inside if allowed is None else allowed & inside
    return allowed


def _column(searcher, fieldname: str) -> list:
    cache = searcher.__dict__.setdefault("_kotae_columns", {})
    if fieldname not in cache:
        cache[fieldname] = list(searcher.reader().column_reader(fieldname))
    return cache[fieldname]


def _has_exclusion(query) -> bool:
    if query is None:
        return False
    return isinstance(query, (q.AndNot, q.Not)) or any(_has_exclusion(sub) for sub in query.children())


def _count(hits, shown: int) -> tuple[int, bool]:
    """How many threads match, as far as the search had to look: exact when it found them all, else "more
    than" the results up to this page. (Counting every match of common words walks all their postings again
    and cost as much as the search itself: 60 ms at 100,000 threads.)"""
    if hits.has_exact_length():  # sorted searches visit every match anyway
        return len(hits), True
    found = hits.scored_length()
    return (found, True) if found <= shown else (shown, False)


def _sorting(sort: str) -> dict:
    if sort == "newest":
        return {"sortedby": "created", "reverse": True}
    if sort == "active":
        return {"sortedby": "activity", "reverse": True}
    if sort == "votes":
        return {"sortedby": MultiFacet([FieldFacet("score", reverse=True), FieldFacet("created", reverse=True)])}
    return {}


class _MarkFormatter(highlight.Formatter):
    """Escapes everything and wraps matches in <mark>: the only markup a snippet may carry."""

    between = " … "

    def _text(self, text):
        return str(escape(text))

    def format_token(self, text, token, replace=False):
        return f"<mark>{escape(highlight.get_text(text, token, replace))}</mark>"


_FORMATTER = _MarkFormatter()


def highlight_text(text: str, terms: set[str], whole: bool = False, top: int = 2) -> Markup | None:
    """Safe HTML with the matched words marked, or None when nothing matched."""
    if not text or not terms:
        return None
    fragmenter = highlight.WholeFragmenter() if whole else highlight.ContextFragmenter(maxchars=240, surround=70)
    fragmenter.charlimit = None
    marked = highlight.highlight(text[:HIGHLIGHT_CHARS], frozenset(terms), _ANALYZER, fragmenter, _FORMATTER,
                                 top=top, mode="index")
    return Markup(marked) if marked else None


def _highlight(results: SearchResults, built: Built) -> None:
    for item in results.items:
        results.titles[item.id] = highlight_text(item.title, built.terms, whole=True) or escape(item.title)
        snippet = highlight_text(html_to_text(item.body_html), built.terms)
        results.snippets[item.id] = snippet or escape(item.excerpt)


def suggest(searcher, parsed: ParsedQuery) -> str | None:
    """"Did you mean": the query with each unknown English word replaced by the closest indexed word."""
    replacements = {}
    reader = searcher.reader()
    for clause in parsed.clauses:
        word = clause.text
        if clause.phrase or not _LATIN_WORD.match(word):
            continue
        words = analyse(word)
        if not words or any(reader.doc_frequency(f, words[0]) for f in ("question", "answers", "accepted")):
            continue
        better = _closest(reader, word.lower())
        if better and better != word.lower():
            replacements[word] = better
    if not replacements:
        return None
    return re.sub(r"\S+", lambda m: replacements.get(m.group(), m.group()), parsed.raw)


def _closest(reader, word: str) -> str | None:
    """The most frequent title word one, else two, edits away."""
    corrector = reader.corrector("title")
    for maxdist in (1, 2):
        found = corrector.suggest(word, limit=1, maxdist=maxdist, prefix=1)
        if found:
            return found[0]
    return None


# -- similar and related threads -----------------------------------------------------------------------------

def _summaries(hits) -> list[dict]:
    return [{"id": int(hit["id"]), "title": hit.get("title", ""), "score": hit.get("score", 0),
             "answer_count": hit.get("answer_count", 0), "accepted": bool(hit.get("has_accepted")),
             "official": bool(hit.get("has_official")),
             "tags": (hit.get("tags") or "").split()} for hit in hits]


def similar(service, title: str, limit: int = 5) -> list[dict]:
    """Existing threads most like a title being typed, usually a sentence: ranked as the search ranks a sentence
    (any of its telling words over the whole thread, BM25F), less the words that only make it a question."""
    words = sentence_terms((title or "")[:300])
    searcher = service.index.searcher()
    if not words or searcher is None:
        return []
    words = _telling(searcher.reader(), words, keep=8)
    return _summaries(searcher.search(any_of(words, TEXT_FIELDS), limit=limit)) if words else []


def _telling(reader, words: list[str], keep: int) -> list[str]:
    """The rarest `keep` words that the index knows, leaving out very common ones unless nothing else is left:
    an Or of long posting lists is the slow part of similar and related (150 ms at 100,000 threads)."""
    common = max(COMMON_MIN_DOCS, int(reader.doc_count() * COMMON_SHARE))
    counted = sorted((reader.doc_frequency("text", w), w) for w in words)
    known = [(df, w) for df, w in counted if df]
    rare = [w for df, w in known if df < common]
    return (rare or [w for _, w in known][:2])[:keep]


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


def related(service, question, limit: int = 5) -> list[dict]:
    """More like this: threads sharing the key terms of a question's title and body (cached per question)."""
    key = (service.index.path, question.id, limit)
    cached = RELATED_CACHE.get(key)
    if cached is None:
        cached = _related(service, question, limit)
        # Nothing related may only mean the index is still being built: remember that for a short while only.
        RELATED_CACHE.put(key, cached, seconds=None if cached else 30.0)
    return [dict(item) for item in cached]


def _related(service, question, limit: int) -> list[dict]:
    searcher = service.index.searcher()
    if searcher is None:
        return []
    text = f"{question.title}\n{question.title}\n{html_to_text(question.body_html)[:3000]}"
    key_terms = dict(searcher.key_terms_from_text("text", text, numterms=12))
    telling = _telling(searcher.reader(), list(key_terms), keep=8)
    if not telling:
        return []
    subqueries = [q.Term("text", word, boost=key_terms[word]) for word in telling]
    mask = q.Term("id", str(question.id))
    return _summaries(searcher.search(q.Or(subqueries, scale=0.9), limit=limit, mask=mask))
