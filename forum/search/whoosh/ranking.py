"""How the index scores a thread against a query's words: BM25 with the probabilistic IDF.

Whoosh's BM25F uses ``log(N / (df + 1)) + 1`` as IDF, which keeps a common word (方法, "use", "error") worth a third
of a rare one; in a question typed as a sentence those common words then outvote the one rare word that names the
problem. The Robertson/Sparck Jones IDF ``log(1 + (N - df + 0.5) / (df + 0.5))`` (Lucene's) lets the rare word
lead. B and K1 were tuned on the tuning part of `bench/search_quality.py` and checked on its kept-out part.
"""
from math import log

from whoosh.scoring import BM25F, BM25FScorer

from . import lengths

B = 0.9
K1 = 1.6


class SupportBM25F(BM25F):
    """BM25F with the probabilistic IDF (see the module's docstring)."""

    def idf(self, searcher, fieldname, text):
        parent = searcher.get_parent()
        found = parent.doc_frequency(fieldname, text)
        documents = parent.doc_count_all()
        return log(1 + (documents - found + 0.5) / (found + 0.5))


class KeywordBM25F(SupportBM25F):
    """SupportBM25F for keyword searches: the whole-thread field's length counts its words, not its bigrams (see
    lengths.py)."""

    def scorer(self, searcher, fieldname, text, qf=1):
        if fieldname != lengths.FIELD:
            return super().scorer(searcher, fieldname, text, qf=qf)
        return _WordsScorer(searcher, fieldname, text, self.B, self.K1, qf=qf)


class _WordsScorer(BM25FScorer):
    """BM25 with the words-only length. The best score a block or a term can give (which lets Whoosh skip blocks)
    is reckoned at the shortest length there is, 1: the stored shortest lengths count the bigrams."""

    def __init__(self, searcher, fieldname, text, B, K1, qf=1):
        super().__init__(searcher, fieldname, text, B, K1, qf=qf)
        self.avgfl = lengths.average(searcher.get_parent(), words_only=True)
        self._maxquality = self._score(searcher.term_info(fieldname, text).max_weight(), 1)
        self._reader = searcher.reader()  # one segment's, when scoring its postings
        self._words = None

    def block_quality(self, matcher):
        return self._score(matcher.block_max_weight(), 1)

    def score(self, matcher):
        if self._words is None:
            self._words = lengths.words(self._reader)
        return self._score(matcher.weight(), self._words[matcher.id()])


def weighting() -> SupportBM25F:
    return SupportBM25F(B=B, K1=K1)


def keyword_weighting() -> KeywordBM25F:
    return KeywordBM25F(B=B, K1=K1)
