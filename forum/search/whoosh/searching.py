"""Reading the Whoosh thread index: ranked ids for the search page, "did you mean", similar and related threads."""
from __future__ import annotations

import logging
from dataclasses import replace

from whoosh import classify, query as q
from whoosh.searching import Searcher
from whoosh.sorting import FieldFacet, MultiFacet

from ..analysis import GRAM_MARK, terms as analyse
from ..backend import Hits, IndexUnavailable, ThreadSummary
from ..query import GRAM_WEIGHT, ParsedQuery, telling_grams
from . import plain
from .queries import Built, any_of, build
from .ranking import keyword_weighting
from .schema import TEXT_FIELDS

log = logging.getLogger(__name__)

COMMON_SHARE, COMMON_MIN_DOCS = 0.05, 2000  # see _telling
RELATED_COORDINATION = 0.9  # Whoosh's Or(scale=): threads sharing more of the key terms rank higher


def search(index, parsed: ParsedQuery, sort: str, limit: int) -> Hits | None:
    """The best `limit` threads (see `SearchBackend.search`)."""
    if build(parsed).query is None:
        return None
    searcher = index.searcher()
    if searcher is None:
        raise IndexUnavailable(index.path)
    built = build(parsed, searcher.reader())
    words = plain.plain_query(built.query) if sort == "relevance" and not built.ranges else None
    if words is not None and plain.supported(searcher):
        docnums, scores, total = plain.top(searcher, replace(words, words_only=not parsed.sentence), limit)
        top, exact = [searcher.stored_fields(docnum) for docnum in docnums], True
    else:
        scoring = keyword_searcher(searcher) if sort == "relevance" and not parsed.sentence else searcher
        hits = _run(searcher, built, limit + 1, sort, scoring)  # one more than asked for: is there more after them?
        total, exact = _count(hits, limit)
        top = hits[:limit]
        scores = [hit.score for hit in top] if sort == "relevance" else []
    return Hits(ids=[int(hit["id"]) for hit in top], total=total, exact=exact,
                official={int(hit["id"]) for hit in top if hit.get("has_official")}, terms=built.terms, scores=scores)


def keyword_searcher(searcher):
    """A searcher over the same reader that scores keywords (ranking.KeywordBM25F: words-only lengths)."""
    return Searcher(searcher.reader(), weighting=keyword_weighting(), closereader=False)


def _run(searcher, built: Built, limit: int, sort: str, scoring=None):
    """The top `limit` hits, scored by `scoring` (another searcher over the same reader) when given. Queries with
    exclusions skip Whoosh's block-quality optimisation: in 2.7.4 `AndNotMatcher.skip_to_quality` reads past the
    end of a posting block on large indexes (IndexError)."""
    query, allowed = built.query, in_ranges(searcher, built.ranges)
    searcher = scoring or searcher
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


def corrections(index, words: list[str]) -> dict[str, str]:
    """Each word whose term no thread contains, mapped to the closest indexed title word (see `_closest`)."""
    searcher = index.searcher()
    if searcher is None:
        return {}
    found = {}
    reader = searcher.reader()
    for word in words:
        terms = analyse(word)
        if not terms or any(reader.doc_frequency(f, terms[0]) for f in ("question", "answers", "accepted")):
            continue
        better = _closest(reader, word.lower())
        if better and better != word.lower():
            found[word] = better
    return found


def _closest(reader, word: str) -> str | None:
    """The most frequent title word one, else two, edits away."""
    corrector = reader.corrector("title")
    for maxdist in (1, 2):
        found = corrector.suggest(word, limit=1, maxdist=maxdist, prefix=1)
        if found:
            return found[0]
    return None


# -- similar and related threads -----------------------------------------------------------------------------

def _summaries(hits) -> list[ThreadSummary]:
    return [_summary(hit, hit.score) for hit in hits]


def _summary(stored: dict, relevance: float | None) -> ThreadSummary:
    return {"id": int(stored["id"]), "title": stored.get("title", ""), "score": stored.get("score", 0),
            "answer_count": stored.get("answer_count", 0), "accepted": bool(stored.get("has_accepted")),
            "official": bool(stored.get("has_official")), "tags": (stored.get("tags") or "").split(),
            "relevance": float(relevance or 0.0)}


def similar(index, words: list[str], limit: int, grams: list[str] = ()) -> list[ThreadSummary]:
    """Threads with any of a title's telling words over the whole thread, ranked as a sentence is (BM25F, with its
    rarest bigrams)."""
    searcher = index.searcher()
    if not words or searcher is None:
        return []
    reader = searcher.reader()
    words = _telling(reader, words, keep=8)
    if not words:
        return []
    grams = telling_grams(list(grams), lambda gram: reader.doc_frequency("text", gram), reader.doc_count())
    if plain.supported(searcher):
        query = plain.PlainQuery(tuple(words), every=False, extra=tuple((gram, GRAM_WEIGHT) for gram in grams))
        docnums, scores, _total = plain.top(searcher, query, limit)
        return [_summary(searcher.stored_fields(docnum), score) for docnum, score in zip(docnums, scores)]
    return _summaries(searcher.search(any_of(words, TEXT_FIELDS, grams=grams), limit=limit))


def _telling(reader, words: list[str], keep: int) -> list[str]:
    """The rarest `keep` words that the index knows, leaving out very common ones unless nothing else is left:
    an Or of long posting lists is the slow part of similar and related (150 ms at 100,000 threads)."""
    common = max(COMMON_MIN_DOCS, int(reader.doc_count() * COMMON_SHARE))
    counted = sorted((reader.doc_frequency("text", w), w) for w in words)
    known = [(df, w) for df, w in counted if df]
    rare = [w for df, w in known if df < common]
    return (rare or [w for _, w in known][:2])[:keep]


def _key_terms(searcher, text: str, number: int) -> list[tuple[str, float]]:
    """Whoosh's `key_terms_from_text` over the words of `text`, not its Japanese bigrams (a related thread shares
    words; the PostgreSQL backend picks from the same words)."""
    expander = classify.Expander(searcher.reader(), "text", model=classify.Bo1Model)
    field = searcher.schema["text"]
    expander.add((word, weight) for word, weight in ((field.from_bytes(raw), weight)
                                                     for raw, _freq, weight, _value in field.index(text))
                 if not word.startswith(GRAM_MARK))
    return expander.expanded_terms(number, normalize=True)


def related(index, question_id: int, text: str, limit: int) -> list[ThreadSummary]:
    """More like this: threads sharing the key terms of `text`, the question itself left out."""
    searcher = index.searcher()
    if searcher is None:
        return []
    key_terms = dict(_key_terms(searcher, text, 12))
    telling = _telling(searcher.reader(), list(key_terms), keep=8)
    if not telling:
        return []
    if plain.supported(searcher):
        words = plain.PlainQuery(tuple(telling), every=False, boosts=tuple(key_terms[word] for word in telling),
                                 coordination=RELATED_COORDINATION)
        itself = list(searcher.document_numbers(id=str(question_id)))
        docnums, scores, _total = plain.top(searcher, words, limit, exclude=itself)
        return [_summary(searcher.stored_fields(docnum), score) for docnum, score in zip(docnums, scores)]
    subqueries = [q.Term("text", word, boost=key_terms[word]) for word in telling]
    mask = q.Term("id", str(question_id))
    return _summaries(searcher.search(q.Or(subqueries, scale=RELATED_COORDINATION), limit=limit, mask=mask))
