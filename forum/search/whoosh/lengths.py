"""A thread's length as BM25 sees it: every token of the whole-thread field for sentences, its words for keywords.

The whole-thread field (`text`) holds a Japanese thread's character bigrams beside its words, and Whoosh's
stored length counts them all. A sentence is scored by bigrams too, and ranks best with them counted. Keywords
are scored by words alone: counting the bigrams made a Japanese thread look two or three times longer than an
English one with as many words, and `list sort` or `Python GUI` lost their Japanese threads
(bench/search_quality.py ja-keyword). So a keyword search takes each thread's bigrams (the `grams` column) out of
its stored length, and all of them out of the average: keywords rank as they did before the bigrams.
"""
from __future__ import annotations

import numpy as np

from .cache import segments

FIELD = "text"
GRAMS = "grams"  # the column counting each thread's bigram tokens (schema.with_gram_count)
_EMPTY = np.zeros(0)
_STORED, _COUNTED = None, 0  # cache keys' second parts (a word's key is a string)


def stored(leaf) -> np.ndarray:
    """The stored (byte-rounded) length of FIELD of every document of a segment, as Whoosh's scorer reads it."""
    key = (leaf.segment().segment_id(), _STORED)
    entry = segments.get(key)
    if entry is None:
        count = leaf.doc_count_all()
        lengths = np.fromiter((leaf.doc_field_length(n, FIELD, 1) or 1 for n in range(count)), dtype=np.float64,
                              count=count)
        entry = (lengths, _EMPTY)
        segments.put(key, entry)
    return entry[0]


def grams(leaf) -> np.ndarray:
    """Each document's bigram count in a segment (zeros for a segment written before the column)."""
    key = (leaf.segment().segment_id(), _COUNTED)
    entry = segments.get(key)
    if entry is None:
        count = leaf.doc_count_all()
        counted = (np.fromiter(leaf.column_reader(GRAMS), dtype=np.float64, count=count)
                   if GRAMS in leaf.schema and leaf.has_column(GRAMS) else np.zeros(count))
        entry = (counted, _EMPTY)
        segments.put(key, entry)
    return entry[0]


def words(leaf) -> np.ndarray:
    """The length of FIELD less its bigrams, for each document of a segment (at least 1, as stored lengths)."""
    return np.maximum(stored(leaf) - grams(leaf), 1.0)


def of(leaf, words_only: bool) -> np.ndarray:
    return words(leaf) if words_only else stored(leaf)


def average(searcher, words_only: bool) -> float:
    """FIELD's average length over the searcher's documents, as Whoosh reckons it (total / every document),
    less the bigrams for keywords."""
    total = searcher.field_length(FIELD)
    if words_only:
        total -= sum(float(grams(leaf).sum()) for leaf, _base in searcher.reader().leaf_readers())
    return max(total, 0.0) / (searcher.doc_count_all() or 1) or 1.0
