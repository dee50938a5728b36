"""How the index scores a thread against a query's words: BM25 with the probabilistic IDF.

Whoosh's BM25F uses ``log(N / (df + 1)) + 1`` as IDF, which keeps a common word (方法, "use", "error") worth a third
of a rare one; in a question typed as a sentence those common words then outvote the one rare word that names the
problem. The Robertson/Sparck Jones IDF ``log(1 + (N - df + 0.5) / (df + 0.5))`` (Lucene's) lets the rare word
lead. B and K1 were tuned on the tuning part of `bench/search_quality.py` and checked on its kept-out part.
"""
from math import log

from whoosh.scoring import BM25F

B = 0.9
K1 = 1.6


class SupportBM25F(BM25F):
    """BM25F with the probabilistic IDF (see the module's docstring)."""

    def idf(self, searcher, fieldname, text):
        parent = searcher.get_parent()
        found = parent.doc_frequency(fieldname, text)
        documents = parent.doc_count_all()
        return log(1 + (documents - found + 0.5) / (found + 0.5))


def weighting() -> SupportBM25F:
    return SupportBM25F(B=B, K1=K1)
