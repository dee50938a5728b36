"""BM25F in SQL, as the Whoosh backend scores (whoosh/ranking.py): the same IDF, B, K1, weights and lengths.

For a term in a field, a document scores ``idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))``
with ``idf = log(1 + (N - df + 0.5) / (df + 0.5))``, summed over the query's terms. `tf`, the weighted term
frequency, is `ts_rank_cd` of the one-word query over the field's vector with the field's label weights, times
the field's scale (see vectors.py); document counts, df and lengths come from `search_terms` and
`search_statistics`, kept exact by every write.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from math import log

from sqlalchemy import text

from ..backend import THREADS
from ..whoosh.ranking import B, K1  # tuned once on bench/search_quality.py; both backends rank alike
from .vectors import (COUNT_WEIGHTS, QUESTION_SCALE, QUESTION_WEIGHTS, TEXT_SCALE, TEXT_WEIGHTS,
                      TITLE_WEIGHTS)


@dataclass(frozen=True)
class Field:
    vector: str  # the column searched
    weights: tuple  # ts_rank_cd's label weights (D, C, B, A)
    scale: float  # tf = scale * ts_rank_cd(...)
    label: str = ""  # a tsquery weight restriction: "A" for title words


FIELDS = {
    "text": Field("text_vector", TEXT_WEIGHTS, TEXT_SCALE),
    "question": Field("question_vector", QUESTION_WEIGHTS, QUESTION_SCALE),
    "title": Field("question_vector", TITLE_WEIGHTS, 1.0, label="A"),
    "answers": Field("answers_vector", COUNT_WEIGHTS, 1.0),
    "accepted": Field("accepted_vector", COUNT_WEIGHTS, 1.0),
}
# Which counted field's document frequency stands for a field's IDF (threads count the whole thread's terms).
DF_FIELD = {THREADS: dict.fromkeys(FIELDS, "text"),
            "faq": {"question": "question", "title": "question", "answers": "answers", "text": "question"}}


@dataclass
class Statistics:
    """A kind's document count, total field lengths and the document frequency of the terms asked about."""

    kind: str
    documents: int
    lengths: dict[str, float]
    frequencies: dict[tuple[str, str], int]
    bounds: dict[str, float] = field(default_factory=dict)  # thread text term -> the most of its weight it earns
    versions: dict[str, int] = field(default_factory=dict)  # thread text term -> its postings' version

    def share_bound(self, term: str) -> float:
        """The largest share of its BM25 weight a thread earns with this term (1 when unknown)."""
        return self.bounds.get(term, 1.0)

    def df(self, field: str, term: str) -> int:
        return self.frequencies.get((DF_FIELD[self.kind][field], term), 0)

    def idf(self, field: str, term: str) -> float:
        found = self.df(field, term)
        return log(1 + (self.documents - found + 0.5) / (found + 0.5))

    def average(self, field: str) -> float:
        return (self.lengths.get(field, 0.0) / self.documents if self.documents else 0.0) or 1.0


# One round trip: the kind's statistics and the asked terms' document frequencies. It also turns sequential
# scans off for the rest of the search's transaction: a tsvector match costs far more per row than the planner
# thinks, so it scanned the whole table for a sentence's common words (212 ms at 20,000 threads) where the GIN
# index finds the same rows in 15 ms. JIT compilation goes off too: a statement the planner prices that high
# would otherwise be compiled first, which costs far more than these statements take to run. A term left out of
# the postings (search_terms.posted: a bigram too common to score a sentence by) is unknown to every search.
_LOAD = text(
    "SELECT statistics.*, set_config('enable_seqscan', 'off', true) AS planned, "
    "set_config('jit', 'off', true) AS compiled, "
    "(SELECT coalesce(array_agg(field || ' ' || documents || ' ' || version || ' ' || term), '{}') FROM search_terms "
    " WHERE kind = :kind AND field = ANY(:fields) AND term = ANY(:terms) AND documents > 0 AND posted) AS frequencies, "
    "(SELECT coalesce(array_agg(CASE WHEN average = 0 THEN 1 ELSE least(1, best * 1.000001 * greatest(1, "
    "   greatest(statistics.text_length / nullif(statistics.documents, 0), 1) / average)) END || ' ' || term), "
    "   '{}') FROM search_terms "
    " WHERE kind = :kind AND field = 'text' AND term = ANY(:terms) AND documents > 0) AS bounds "
    "FROM search_statistics AS statistics WHERE kind = :kind")


def load(connection, kind: str, terms: set[str]) -> Statistics | None:
    """The statistics for these terms; None when the kind has no index yet."""
    row = connection.execute(_LOAD, {"kind": kind, "fields": sorted(set(DF_FIELD[kind].values())),
                                     "terms": sorted(terms)}).mappings().first()
    if row is None:
        return None
    frequencies, versions = {}, {}
    for found in row["frequencies"]:
        field, count, version, term = found.split(" ", 3)
        frequencies[field, term] = int(count)
        if field == "text":
            versions[term] = int(version)
    bounds = {}
    for found in row["bounds"]:
        share, term = found.split(" ", 1)
        bounds[term] = float(share)
    lengths = {name.removesuffix("_length"): value for name, value in row.items() if name.endswith("_length")}
    return Statistics(kind, row["documents"], lengths, frequencies, bounds, versions)


def tf_sql(field: str, tsquery: str) -> str:
    """The weighted frequency of a one-word tsquery (an SQL expression) in a field of the row."""
    spec = FIELDS[field]
    weights = "{" + ",".join(repr(float(w)) for w in spec.weights) + "}"
    return f"({spec.scale!r} * ts_rank_cd('{weights}'::float4[], {spec.vector}, {tsquery}, 0))"


def bm25_sql(stats: Statistics, field: str, term: str, tf: str, boost: float = 1.0, length: str | None = None) -> str:
    """One term's BM25 contribution; `tf` names a column holding its weighted frequency; `length` the length it
    is scored by (default: the field's; "words" for a keyword search's whole-thread text)."""
    weight = stats.idf(field, term) * boost * (K1 + 1)
    length = length or field
    norm = f"({K1 * (1 - B)!r} + {K1 * B / stats.average(length)!r} * {length}_length)"
    return f"({weight!r} * {tf} / ({tf} + {norm}))"
