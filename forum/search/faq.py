"""The official FAQ in search: one document per PUBLISHED entry, in its own small index ("FAQ", same directory).

Why a second index rather than a `kind` field in the threads' index: every thread search, count, "did you
mean", common-word statistic and `search check` works on thread ids and thread fields; mixing in FAQ
documents would need a filter on every one of them (and an exclusion disables Whoosh's fast path). A named
index of its own has its own write lock, its own schema and its own cached searcher, and the thread code
stays as it was. The FAQ is small (hundreds of entries), so its index is cheap to search on every page.

Operators (tags, user:, score:, answers:, closed: ...) describe threads; FAQ entries have none of those
properties, so a search that uses any of them shows no FAQ entries. Words, "phrases", title: and -exclusions
apply to entries as they do to threads.
"""
from __future__ import annotations

from math import ceil
from typing import Iterable, Iterator

from sqlalchemy import func, select
from whoosh import query as q

from ..markup import html_to_text
from ..models import FaqEntry, FaqStatus
from .analysis import TITLE_MARK, terms as analyse
from .documents import fingerprint
from .query import ParsedQuery, any_of, _clause, parse, sentence_terms
from .schema import FAQ_FIELDS

BATCH = 400
SIMILAR_MIN_WORDS = 2  # words a draft title must share with an entry before the entry is suggested
FAQ_SENTENCE_SHARE = 0.5  # share of a sentence's words an FAQ entry must contain to be shown above the threads


# -- documents ----------------------------------------------------------------------------------------------

def _columns():
    return (FaqEntry.id, FaqEntry.title, FaqEntry.question_html, FaqEntry.answer_html, FaqEntry.status,
            FaqEntry.category_id)


def build_faq_documents(session, entry_ids: Iterable[int]) -> dict[int, dict | None]:
    """{entry id: document, or None when the entry is gone or not published (remove it from the index)}."""
    ids = sorted(set(entry_ids))
    documents: dict[int, dict | None] = {entry_id: None for entry_id in ids}
    for start in range(0, len(ids), BATCH):
        for row in session.execute(select(*_columns()).where(FaqEntry.id.in_(ids[start:start + BATCH]))):
            if row.status == FaqStatus.PUBLISHED:
                documents[row.id] = make_faq_document(row)
    return documents


def iter_all_faq_documents(session, batch: int = BATCH, with_text: bool = True) -> Iterator[list[dict]]:
    """Every published entry's document, a batch at a time, in id order."""
    last = 0
    while True:
        rows = session.execute(select(*_columns()).where(FaqEntry.status == FaqStatus.PUBLISHED,
                                                         FaqEntry.id > last)
                               .order_by(FaqEntry.id).limit(batch)).all()
        if not rows:
            return
        last = rows[-1].id
        yield [make_faq_document(row, with_text) for row in rows]


def count_published(session) -> int:
    return session.scalar(select(func.count(FaqEntry.id)).where(FaqEntry.status == FaqStatus.PUBLISHED))


def make_faq_document(entry, with_text: bool = True) -> dict:
    """The index document of one entry (text from the stored HTML, as readers see it)."""
    doc = {"id": str(entry.id), "title": entry.title or ""}
    if entry.category_id is not None:
        doc["category_id"] = str(entry.category_id)
    doc["fingerprint"] = fingerprint(doc, [entry.question_html, entry.answer_html])
    if with_text:
        doc["question"] = f"{entry.title or ''} {TITLE_MARK} {html_to_text(entry.question_html)}"
        doc["answer"] = html_to_text(entry.answer_html)
    return doc


# -- searching ----------------------------------------------------------------------------------------------

def thread_only(parsed: ParsedQuery) -> bool:
    """Whether the search narrows by something only threads have (then no FAQ entry can match)."""
    return bool(parsed.tags or parsed.excluded_tags or parsed.user_ids or parsed.score or parsed.answers
                or parsed.kind or parsed.is_accepted is not None or parsed.has_accepted is not None
                or parsed.has_official is not None or parsed.closed is not None)


def build_faq_query(parsed: ParsedQuery) -> tuple[q.Query | None, set[str]]:
    """Every word must match (title, question or answer), or for a sentence any of them (see query.py);
    exclusions must not; None without any word."""
    terms: set[str] = set()
    clauses = parsed.clauses
    positives = []
    if parsed.sentence:
        words = sentence_terms(" ".join(c.text for c in clauses if not c.phrase and not c.title_only))
        terms.update(words)
        positives.append(any_of(words, FAQ_FIELDS))
        clauses = [c for c in clauses if c.phrase or c.title_only]
    positives += [b for b in (_clause(c, FAQ_FIELDS, terms) for c in clauses) if b is not None]
    if not positives:
        return None, terms
    main = positives[0] if len(positives) == 1 else q.And(positives)
    negatives = [b for b in (_clause(c, FAQ_FIELDS, set()) for c in parsed.excluded) if b is not None]
    if negatives:
        main = q.AndNot(main, q.Or(negatives))
    return main, terms


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


def faq_entries(index, text: str | None, limit: int = 20) -> list[int]:
    """Ids of published entries matching a search box's text, best first; [] for blank or unusable text."""
    if not (text or "").strip():
        return []
    return search_faq(index, parse(text), limit)[0]


def similar_faq(index, title: str, limit: int = 3) -> list[dict]:
    """Entries sharing at least SIMILAR_MIN_WORDS words (one for a one-word title) with a title being typed."""
    words = list(dict.fromkeys(analyse((title or "")[:300])))
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
