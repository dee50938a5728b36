"""The FAQ's commit steps: keep entries true to their threads and announce new candidates, whoever changes a post.

Both run just before the commit, from the transaction's record of changes (`unit_of_work.Changes`), so the
reviews and alerts they write commit or roll back with the change that caused them:

- `review_sources` opens reviews of entries whose source answer was edited (`body_md`), whose thread was
  closed, or whose source answer another answer now outscores (a post's `score` or `deleted_at` moved).
- `announce_candidates` tells the webhooks about threads a vote or an accept made FAQ candidates.

They cost nothing when no post changed, and one indexed query per kind of change otherwise.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from ...extensions import db
from ...models import FaqEntry, FaqStatus, Post, PostType, Question, ReviewReason, WebhookEvent
from ...unit_of_work import CLOSED, DELETED, Changes
from ...urls import absolute, faq_entry_path, question_path
from ..outreach import alerts
from .candidates import CandidateRules, candidate_ids
from .review import open_review, was_reviewed


def review_sources(session: Session, record: Changes) -> None:
    """Entries whose source answer was edited or outscored, or whose thread was closed, need a review."""
    edited = {post_id for post_id, change in record.posts.items()
              if not change.is_question and "body_md" in change.columns}
    closed = {post_id for post_id, change in record.posts.items() if change.is_question and CLOSED in change.columns}
    _review_edited_or_closed(session, edited, closed)
    answers_scored = {post_id for post_id in record.posts_with("score", "deleted_at", DELETED)
                      if not record.posts[post_id].is_question}  # a question's score never outscores an answer
    if answers_scored:
        _review_outscored(session, answers_scored)


def announce_candidates(session: Session, record: Changes) -> None:
    """A vote or an accept may make its thread an FAQ candidate."""
    moved = record.posts_with("score", "deleted_at", DELETED)
    moved |= {post_id for post_id, change in record.posts.items()
              if change.is_question and "accepted_answer_id" in change.columns}
    if moved:
        _announce_candidates(session, moved)


def _live():
    return FaqEntry.status != FaqStatus.RETIRED


def _review_edited_or_closed(session: Session, edited: set[int], closed: set[int]) -> None:
    if not edited and not closed:
        return
    entries = session.scalars(select(FaqEntry).where(_live(), or_(FaqEntry.answer_id.in_(edited),
                                                                  FaqEntry.question_id.in_(closed)))).all()
    for entry in entries:
        if entry.answer_id in edited:
            open_review(entry, ReviewReason.ANSWER_EDITED, entry.answer_id, url=_entry_url(entry))
        if entry.question_id in closed:
            open_review(entry, ReviewReason.CLOSED, entry.question_id, url=_entry_url(entry))


def _review_outscored(session: Session, post_ids: set[int]) -> None:
    """Entries whose source answer now has a better-scored, visible sibling."""
    source, other = aliased(Post), aliased(Post)
    threads = _threads_of(post_ids)
    rows = session.execute(
        select(FaqEntry, other.id)
        .join(source, source.id == FaqEntry.answer_id)
        .join(other, and_(other.question_id == FaqEntry.question_id, other.id != source.id,
                          other.post_type == PostType.ANSWER, other.deleted_at.is_(None), other.score > source.score))
        .where(_live(), FaqEntry.question_id.in_(threads))
        .order_by(other.score.desc())
    ).all()
    seen = set()
    for entry, other_id in rows:
        if entry.id in seen or was_reviewed(entry.id, ReviewReason.OUTSCORED, other_id):
            continue
        seen.add(entry.id)
        open_review(entry, ReviewReason.OUTSCORED, other_id, url=_entry_url(entry))


def _announce_candidates(session: Session, post_ids: set[int]) -> None:
    """A vote or an accept may make its thread an FAQ candidate: tell the webhooks (once per thread)."""
    if not has_app_context():
        return
    rules = CandidateRules.from_config(current_app.config)
    for question_id in candidate_ids(rules, _threads_of(post_ids)):
        question = session.get(Question, question_id)
        alerts.emit(WebhookEvent.FAQ_CANDIDATE, f"faq-candidate:{question_id}", {
            "question_id": question_id, "title": question.title, "score": question.score,
            "url": absolute(alerts.site_url(), question_path(question_id, question.title))})


def scan_candidates(now: datetime) -> list:
    """The periodic `faq.candidate` check (registered with alerts.scan): threads that became candidates without a
    vote or accept this process saw (by age, by views), each announced once."""
    ids = candidate_ids(CandidateRules.from_config(current_app.config), now=now)[:100]
    if not ids:
        return []
    questions = db.session.scalars(select(Question).options(selectinload(Question.tags))
                                   .where(Post.id.in_(ids))).all()
    return alerts.emit_many(WebhookEvent.FAQ_CANDIDATE,
                            [(f"faq-candidate:{question.id}", alerts.question_data(question))
                             for question in questions])


def _threads_of(post_ids: set[int]):
    """A select of the question ids of these posts (aliased: it sits inside queries on the same table)."""
    post = aliased(Post)
    return select(func.coalesce(post.question_id, post.id)).where(post.id.in_(post_ids))


def _entry_url(entry: FaqEntry) -> str:
    """The entry's public page for chat alerts: absolute, on SITE_URL (the same in a request, the CLI and jobs)."""
    return absolute(alerts.site_url(), faq_entry_path(entry.id, entry.title))
