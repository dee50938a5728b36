"""Searching the FAQ entries: rows of kind "faq" beside the threads, their own statistics, the same ranking.

Entries score as Whoosh scores them: BM25F over `question` (title and question, the title's words weighing more)
and `answers` (the entry's answer), each with its own document frequencies.
"""
from __future__ import annotations

from math import ceil

from ..backend import FAQ
from ..faq import FAQ_SENTENCE_SHARE, SIMILAR_MIN_WORDS
from ..query import ParsedQuery
from . import scoring
from .queries import Plan, Sql, build_faq, joined, lexeme
from .ranking import Shape, run
from .searching import asked


def search_faq(connection, parsed: ParsedQuery, limit: int) -> tuple[list[int], set[str]]:
    """Ids of published entries matching a parsed query, best first (operators are ignored here), and the
    analysed words to highlight."""
    plan = build_faq(parsed)
    if not plan.searchable or limit < 1:
        return [], plan.terms
    stats = scoring.load(connection, FAQ, asked(plan))
    if stats is None:
        return [], plan.terms
    # A sentence matches on any word: an entry shown as the official answer must share most of them.
    needed = max(2, ceil(len(plan.terms) * FAQ_SENTENCE_SHARE)) if parsed.sentence else 0
    rows = run(connection, FAQ, plan, stats, limit, shape=Shape(min_matched=needed))
    return [row["id"] for row in rows], plan.terms


def similar_faq(connection, words: list[str], limit: int = 3) -> list[dict]:
    """Entries sharing at least SIMILAR_MIN_WORDS of a title's words (one for a one-word title)."""
    stats = scoring.load(connection, FAQ, set(words))
    if not words or stats is None:
        return []
    sql = Sql()
    plan = Plan(sql, match=[joined([lexeme(w) for w in words], "|")],
                conditions=[joined([f"question_vector @@ {sql.tsquery(lexeme(w))}" for w in words], "OR")],
                scored=[("question", w, 1.0) for w in words])
    shape = Shape(columns=("title",), min_matched=min(SIMILAR_MIN_WORDS, len(words)))
    return [{"id": row["id"], "title": row["title"], "faq": True}
            for row in run(connection, FAQ, plan, stats, limit, shape=shape)]
