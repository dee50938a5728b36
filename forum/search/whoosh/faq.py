"""Searching the FAQ entries, which Whoosh keeps in their own small index ("FAQ", same directory).

Why a second index rather than a `kind` field in the threads' index: every thread search, count, "did you
mean", common-word statistic and `search check` works on thread ids and thread fields; mixing in FAQ
documents would need a filter on every one of them (and an exclusion disables Whoosh's fast path). A named
index of its own has its own write lock, its own schema and its own cached searcher, and the thread code
stays as it was. The FAQ is small (hundreds of entries), so its index is cheap to search on every page.
"""
from __future__ import annotations

from math import ceil

from whoosh import query as q

from ..faq import FAQ_SENTENCE_SHARE, SIMILAR_MIN_WORDS
from ..query import ParsedQuery
from .queries import build_faq_query


def search_faq(index, parsed: ParsedQuery, limit: int) -> tuple[list[int], set[str]]:
    """Ids of published entries matching a parsed query, best first (operators are ignored here), and the
    analysed words to highlight."""
    query, terms = build_faq_query(parsed)
    searcher = index.searcher()
    if query is None or searcher is None or limit < 1:
        return [], terms
    if not parsed.sentence:
        return [int(hit["id"]) for hit in searcher.search(query, limit=limit, optimize=False)], terms
    # A sentence matches on any word: an entry shown as the official answer must share most of them.
    needed = max(2, ceil(len(terms) * FAQ_SENTENCE_SHARE))
    hits = searcher.search(query, limit=limit * 4, optimize=False, terms=True)
    found = [int(hit["id"]) for hit in hits if len({text for _f, text in hit.matched_terms()}) >= needed]
    return found[:limit], terms


def similar_faq(index, words: list[str], limit: int = 3) -> list[dict]:
    """Entries sharing at least SIMILAR_MIN_WORDS of a title's words (one for a one-word title)."""
    searcher = index.searcher()
    if not words or searcher is None:
        return []
    needed = min(SIMILAR_MIN_WORDS, len(words))
    hits = searcher.search(q.Or([q.Term("question", w) for w in words]), limit=max(limit * 4, 20), terms=True)
    found = []
    for hit in hits:
        if len({text for _field, text in hit.matched_terms()}) >= needed:
            found.append({"id": int(hit["id"]), "title": hit.get("title", ""), "faq": True})
        if len(found) == limit:
            break
    return found
