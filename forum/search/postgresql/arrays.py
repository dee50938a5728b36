"""Summing BM25 over postings in numpy: each term's postings come back as three packed arrays, not rows.

Grouping a sentence's postings by thread in SQL spent most of its time in the aggregate, not the scans: for the
four words of 「管理画面 エラーが出ます」 at 100,000 threads, 13 ms of index-only scans (49,000 postings) and
40 ms of hash aggregate, window count and sort over 35,000 threads. Here PostgreSQL packs each term's postings into
byte strings (`string_agg(int4send(id))`: one row per term, 12 bytes a posting), and numpy adds the same BM25
terms per thread (`weight * frequency / (frequency + flat + scaled * length)`, in double precision as the SQL
did): 13-16 ms for the same query, with the exact count.
"""
from __future__ import annotations

import numpy as np
from sqlalchemy import text

from ..cache import ArrayCache
from ..topk import best, with_coordination

_FETCH = {length: text(
    "SELECT term, string_agg(int4send(id), ''::bytea) AS ids, string_agg(float4send(frequency), ''::bytea) AS "
    f"frequencies, string_agg(float4send({length}), ''::bytea) AS lengths FROM search_postings "
    "WHERE term = ANY(:terms) AND (CAST(:language AS text) IS NULL OR language = :language) GROUP BY term")
    for length in ("length", "words_length")}
# Decoded postings kept per process, per (term, language, lengths), with the term's version when they were read:
# used while `search_terms.version` (read with the statistics, in the search's own snapshot) is the same, so a
# write through any server makes every server read the term again. 12 bytes a posting, as stored.
POSTINGS_CACHE_BYTES = 64 * 2**20  # per process, as Whoosh's (SEARCH_POSTINGS_CACHE_MB)
_cache = ArrayCache(POSTINGS_CACHE_BYTES, shared=True)
_EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0))


class PostingArrays:
    """Each term's postings on one connection as (ids, frequencies, lengths), fetched once per search and kept
    across searches while the term's version stays (`versions`, from scoring.load); the lengths less the
    bigrams for keywords (`words_only`)."""

    def __init__(self, connection, language: str | None = None, words_only: bool = False,
                 versions: dict[str, int] | None = None):
        self.connection, self.language, self.words_only = connection, language, words_only
        self.versions = versions or {}
        self._fetch = _FETCH["words_length" if words_only else "length"]
        self._fetched: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.read = 0  # terms read from the database, for the tests

    def get(self, terms) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        missing = [term for term in terms if term not in self._fetched and not self._cached(term)]
        if missing:
            self.read += len(missing)
            for row in self.connection.execute(self._fetch, {"terms": missing, "language": self.language}):
                stored = (np.frombuffer(row.ids, dtype=">i4").astype(np.int32),
                          np.frombuffer(row.frequencies, dtype=">f4").astype(np.float32),
                          np.frombuffer(row.lengths, dtype=">f4").astype(np.float32))
                if row.term in self.versions:
                    _cache.put(self._key(row.term), (*stored, self.versions[row.term]))
                self._fetched[row.term] = _widened(stored)
            for term in missing:
                self._fetched.setdefault(term, _EMPTY)
        return {term: self._fetched[term] for term in terms}

    def _key(self, term: str) -> tuple:
        return term, self.language, self.words_only

    def _cached(self, term: str) -> bool:
        entry = _cache.get(self._key(term))
        if entry is None or term not in self.versions or entry[3] != self.versions[term]:
            return False
        self._fetched[term] = _widened(entry[:3])
        return True


def _widened(stored: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stored postings as the scores need them: 64-bit ids and double precision, as the SQL computed."""
    ids, frequencies, lengths = stored
    return ids.astype(np.int64), frequencies.astype(np.float64), lengths.astype(np.float64)


def ranked(arrays: PostingArrays, weights: dict[str, float], norm: dict, limit: int, required: int = 1,
           coordination: float | None = None, exclude_id: int | None = None, extra=frozenset()) -> list[dict]:
    """The best `limit` threads with at least `required` of the terms: id, rank (the terms' BM25 sum, with
    Whoosh's coordination bonus when given) and total (how many threads have them), best first, lower id first
    on ties; what `ranking._aggregated` returned from SQL. Terms in `extra` (a sentence's bigrams) add to the
    rank but are not counted as matched."""
    names = sorted(weights)
    postings = arrays.get(names)
    ids, parts, counted = [], [], []
    for name in names:
        docs, frequency, length = postings[name]
        ids.append(docs)
        parts.append(weights[name] * frequency / (frequency + norm["flat"] + norm["scaled"] * length))
        if name not in extra:
            counted.append(docs)
    every_id = np.concatenate(ids)
    if not len(every_id):
        return []
    scores = np.bincount(every_id, weights=np.concatenate(parts))
    matched = np.bincount(np.concatenate(counted or [np.zeros(0, dtype=np.int64)]), minlength=len(scores))
    if exclude_id is not None and exclude_id < len(matched):
        matched[exclude_id] = 0
    found = np.flatnonzero(matched >= max(required, 1))
    if coordination is not None:
        with_coordination(scores, matched, found, len(names) - len(extra & set(names)), coordination)
    order = best(found, scores, limit)
    total = len(found)
    return [{"id": int(doc_id), "rank": float(scores[doc_id]), "total": total} for doc_id in order]
