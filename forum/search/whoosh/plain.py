"""Plain searches ranked from posting arrays: the same BM25F scores as Whoosh's matchers, computed with numpy.

A plain search is words over the whole thread and nothing else: a sentence (any of its words) or keywords (every
word), no operator, phrase, exclusion or sort; most searches are. Whoosh ranks them by walking a tree of matchers
in pure Python, a few microseconds per posting and per word: a sentence of ten common words matched 15,000
threads and took 200-700 ms at 100,000 threads. Here each word's postings are decoded a block at a time into two
arrays (document numbers, weights), scored in one vectorised BM25 expression with Whoosh's own IDF, average length
and stored field lengths, and summed per document; the page is the top `limit` by score, lower document number
first on ties, as Whoosh orders every match it visits (tests/search/test_plain_ranking.py compares the two).
Whoosh's own top-N collector skips blocks by their best possible score and, in a union of words, can miss a
thread that belongs on the page; the arrays see every posting. Related threads use the same arrays with each key
term's boost and Whoosh's coordination bonus.

Decoded postings and field lengths are kept per segment (cache.py). Keywords count a thread's words in its
length, sentences its bigrams too (lengths.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh import query as q
from whoosh.codec.whoosh3 import W3LeafMatcher

from ..topk import best, with_coordination
from . import lengths
from .cache import segments
from .ranking import SupportBM25F
from .schema import TEXT_FIELDS

FIELD = TEXT_FIELDS[0]


@dataclass(frozen=True)
class PlainQuery:
    words: tuple[str, ...]  # one entry per Term, repeats kept (Whoosh adds a repeated term's score twice)
    every: bool  # keywords: a thread needs every word; a sentence: any of them
    boosts: tuple[float, ...] | None = None  # each word's boost (more like this), else 1
    coordination: float | None = None  # Whoosh's Or(scale=...): a bonus for documents matching more of the words
    # (word, boost) pairs that add to the score of the documents the words match, never matching one alone
    # (Whoosh's AndMaybe: a sentence's bigrams)
    extra: tuple[tuple[str, float], ...] = ()
    words_only: bool = False  # keywords: a thread's length counts its words, not its bigrams (see lengths.py)


def plain_query(query) -> PlainQuery | None:
    """The query as a PlainQuery when it is one word, or an Or or an And of words over FIELD (nested compounds of
    the same kind flattened: their scores add up the same), each word unboosted or boosted, optionally as the
    required part of an AndMaybe whose optional part is an Or of words (`extra`); None for anything else, which
    Whoosh's own search then runs."""
    if type(query) is q.AndMaybe and query.boost == 1.0:
        required, extra = plain_query(query.a), _words(query.b, q.Or)
        if required is None or required.extra or not extra:
            return None
        return PlainQuery(required.words, required.every, required.boosts, extra=tuple(extra))
    if _is_word(query):
        return PlainQuery((query.text,), every=True, boosts=None if query.boost == 1.0 else (query.boost,))
    kind = type(query)
    if kind not in (q.Or, q.And):
        return None
    words = _words(query, kind)
    if not words:
        return None
    boosts = tuple(boost for _word, boost in words)
    return PlainQuery(tuple(word for word, _boost in words), every=kind is q.And,
                      boosts=None if all(boost == 1.0 for boost in boosts) else boosts)


def _words(query, kind) -> list[tuple[str, float]] | None:
    """The (word, boost) pairs of a compound of `kind`, or None when it holds anything else."""
    if _is_word(query):
        return [(query.text, query.boost)]
    if type(query) not in (q.Or, q.And) or query.boost != 1.0 or getattr(query, "scale", None):
        return None
    if type(query) is not kind and len(query.subqueries) != 1:
        return None
    words = []
    for child in query.subqueries:
        found = _words(child, kind)
        if found is None:
            return None
        words += found
    return words


def _is_word(query) -> bool:
    return type(query) is q.Term and query.fieldname == FIELD and query.boost > 0


def supported(searcher) -> bool:
    """Whether this searcher's scoring and segments are what `top` computes (else Whoosh searches)."""
    return type(searcher.weighting) is SupportBM25F and not searcher.weighting._field_B and all(
        hasattr(leaf, "segment") for leaf, _base in searcher.reader().leaf_readers())


def top(searcher, plain: PlainQuery, limit: int, exclude=()) -> tuple[list[int], list[float], int]:
    """The best `limit` document numbers (never those in `exclude`), their scores, and how many documents match."""
    reader = searcher.reader()
    scores = np.zeros(reader.doc_count_all())
    matched = np.zeros(len(scores), dtype=np.int16)
    average = lengths.average(searcher, plain.words_only)
    for n, word in enumerate(plain.words):
        for docnums, part in _scored(searcher, word, average, plain.words_only):
            scores[docnums] += part * plain.boosts[n] if plain.boosts else part
            matched[docnums] += 1
    for word, boost in plain.extra:
        for docnums, part in _scored(searcher, word, average, plain.words_only):
            scores[docnums] += part * boost
    for leaf, base in reader.leaf_readers():
        if leaf.has_deletions():
            matched[base + np.fromiter(leaf.segment().deleted_docs(), dtype=np.int64)] = 0
    matched[list(exclude)] = 0
    found = np.flatnonzero(matched == len(plain.words) if plain.every else matched > 0)
    counted = sum(1 for word in plain.words if reader.doc_frequency(FIELD, word))  # Whoosh's term matchers
    if plain.coordination and len(plain.words) > 1 and counted:  # as Whoosh's CoordMatcher scores
        with_coordination(scores, matched, found, counted, plain.coordination)
    order = best(found, scores, limit)
    return order.tolist(), scores[order].tolist(), len(found)


def _scored(searcher, word: str, average: float, words_only: bool):
    """Per segment: the reader's numbers of the documents with `word`, and the word's BM25 score in each."""
    weighting, idf = searcher.weighting, searcher.idf(FIELD, word)
    for leaf, base in searcher.reader().leaf_readers():
        docnums, weights = _postings(leaf, word)
        if len(docnums):
            norm = weighting.K1 * ((1 - weighting.B) + weighting.B * lengths.of(leaf, words_only)[docnums] / average)
            yield base + docnums, idf * (weights * (weighting.K1 + 1)) / (weights + norm)


# -- decoded postings and lengths, per segment --------------------------------------------------------------

_EMPTY = (np.zeros(0, dtype=np.int32), np.zeros(0))


def _postings(leaf, word: str) -> tuple[np.ndarray, np.ndarray]:
    if (FIELD, word) not in leaf:
        return _EMPTY
    key = (leaf.segment().segment_id(), word)
    entry = segments.get(key)
    if entry is None:
        entry = _decode(leaf.postings(FIELD, word))
        segments.put(key, entry)
    return entry


def _decode(matcher) -> tuple[np.ndarray, np.ndarray]:
    """Every posting of a term in one segment, deletions included (`top` masks them)."""
    while not isinstance(matcher, W3LeafMatcher) and hasattr(matcher, "child"):
        matcher = matcher.child  # a segment with deletions wraps its postings in a filter
    docnums: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    if isinstance(matcher, W3LeafMatcher):  # a block at a time: the block's pickled arrays as they are stored
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            docnums.append(np.asarray(matcher._ids, dtype=np.int32))
            weights.append(np.asarray(matcher._weights, dtype=np.float64))
            matcher._next_block()
    else:  # another codec: one posting at a time
        pairs = []
        while matcher.is_active():
            pairs.append((matcher.id(), matcher.weight()))
            matcher.next()
        if pairs:
            docnums.append(np.array([d for d, _w in pairs], dtype=np.int32))
            weights.append(np.array([w for _d, w in pairs], dtype=np.float64))
    if not docnums:
        return _EMPTY
    return np.concatenate(docnums), np.concatenate(weights)
