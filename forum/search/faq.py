"""The official FAQ in search: one document per PUBLISHED entry, kept apart from the threads' documents (the
Whoosh backend gives them an index of their own, see `whoosh/faq.py`).

Operators (tags, user:, score:, answers:, closed: ...) describe threads; FAQ entries have none of those
properties, so a search that uses any of them shows no FAQ entries. Words, "phrases", title: and -exclusions
apply to entries as they do to threads.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from sqlalchemy import func, select

from ..markup import html_to_text
from ..models import FaqEntry, FaqStatus
from .analysis import TITLE_MARK
from .documents import fingerprint
from .query import ParsedQuery

BATCH = 400
# How much an entry must share with a title or a sentence to be shown (every backend applies these):
SIMILAR_MIN_WORDS = 2  # words a draft title must share with an entry before the entry is suggested
FAQ_SENTENCE_SHARE = 0.5  # share of a sentence's words an FAQ entry must contain to be shown above the threads


# -- documents ----------------------------------------------------------------------------------------------

def _columns():
    return (FaqEntry.id, FaqEntry.title, FaqEntry.question_html, FaqEntry.answer_html, FaqEntry.status,
            FaqEntry.category_id, FaqEntry.language)


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
    doc = {"id": str(entry.id), "title": entry.title or "", "lang": entry.language or "en"}
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
