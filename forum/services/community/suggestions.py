"""Answer suggestions for chatbots and the help widget: for a customer's sentence, the few best passages from
published FAQ entries, official answers and accepted answers. Retrieval only: every passage is text staff or the
community wrote, with its source, so nothing is invented, and it works offline.

Candidates come from the search index (FAQ entries first, then answered threads, in ranking order). Each gets a
confidence: the share of the question's content words (as the search analyses them, Japanese and English) that
its title, question and answer contain, times a small weight for how authoritative the source is. Below
`MIN_CONFIDENCE` a candidate is not offered; with none left the answer is "no good answer".
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from ... import search as index
from ...extensions import db
from ...markup import html_to_text
from ...models import Answer, FaqEntry
from ...search.analysis import terms
from ...urls import faq_entry_path, question_path
from ..insights import feedback
from .search import fetch_faq_entries, fetch_questions

MIN_CONFIDENCE = 0.5
PASSAGE_CHARS = 400
SOURCE_WEIGHT = {"faq": 1.0, "official_answer": 0.95, "accepted_answer": 0.9}  # staff-checked text first
CANDIDATES = 8  # threads looked at; only answered ones can be suggested


@dataclass
class Suggestion:
    source_type: str  # faq | official_answer | accepted_answer
    title: str
    path: str
    passage: str
    votes: int
    resolved_rate: float | None
    confidence: float


def suggest(text: str, limit: int = 3) -> list[Suggestion]:
    """Up to `limit` passages that answer `text`, best first; [] when none is good enough."""
    wanted = set(terms(text or ""))
    if not wanted:
        return []
    found = _from_faq(text, wanted) + _from_threads(text, wanted)
    good = [item for item in found if item.confidence >= MIN_CONFIDENCE]
    good.sort(key=lambda item: item.confidence, reverse=True)
    return good[:limit]


def _confidence(wanted: set[str], source_type: str, *texts: str) -> float:
    found = set(terms(" ".join(texts), mode="index")) if texts else set()
    return round(len(wanted & found) / len(wanted) * SOURCE_WEIGHT[source_type], 3)


def _passage(html: str) -> str:
    text = " ".join(html_to_text(html or "").split())
    return text if len(text) <= PASSAGE_CHARS else text[:PASSAGE_CHARS - 1].rstrip() + "…"


def _rate(counts: dict[str, int]) -> float | None:
    total = sum(counts.values())
    return round(counts.get("resolved", 0) / total, 3) if total else None


def _from_faq(text: str, wanted: set[str]) -> list[Suggestion]:
    ids = index.faq_entries(text, limit=3)
    entries = fetch_faq_entries(ids)
    result = []
    for entry_id in ids:
        entry: FaqEntry | None = entries.get(entry_id)
        if entry is None:
            continue
        answer_text = html_to_text(entry.answer_html)
        rated = entry.helpful_count + entry.not_helpful_count
        result.append(Suggestion(
            "faq", entry.title, faq_entry_path(entry.id, entry.title), _passage(entry.answer_html),
            votes=entry.helpful_count, resolved_rate=round(entry.helpful_count / rated, 3) if rated else None,
            confidence=_confidence(wanted, "faq", entry.title, html_to_text(entry.question_html), answer_text)))
    return result


def _from_threads(text: str, wanted: set[str]) -> list[Suggestion]:
    results = index.search(text, per_page=CANDIDATES, fetch=fetch_questions)
    questions = [q for q in results.items if q.accepted_answer_id is not None or q.id in results.official]
    if not questions:
        return []
    ids = [q.id for q in questions]
    answers = db.session.scalars(select(Answer).where(
        Answer.question_id.in_(ids), Answer.deleted_at.is_(None), Answer.hidden_at.is_(None),
        or_(Answer.official_at.is_not(None), Answer.id.in_([q.accepted_answer_id for q in questions
                                                            if q.accepted_answer_id])))).all()
    by_question: dict[int, list[Answer]] = {}
    for answer in answers:
        by_question.setdefault(answer.question_id, []).append(answer)
    rates = feedback.counts_for("thread", ids)
    result = []
    for question in questions:
        # An official (staff-verified) answer speaks for the company; else the asker's accepted one.
        best = sorted(by_question.get(question.id, []), key=lambda a: (a.official_at is None, -a.score))
        if not best:
            continue
        answer = best[0]
        source = "official_answer" if answer.official_at is not None else "accepted_answer"
        path = question_path(question.id, question.title, anchor=f"answer-{answer.id}")
        result.append(Suggestion(
            source, question.title, path, _passage(answer.body_html), votes=answer.score,
            resolved_rate=_rate(rates.get(question.id, {})),
            confidence=_confidence(wanted, source, question.title, html_to_text(question.body_html),
                                   html_to_text(answer.body_html))))
    return result
