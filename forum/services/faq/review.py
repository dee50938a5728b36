"""Staying true to the thread: reviews opened when the source changes, and staff re-sync or dismiss them.

A review opens (see hooks.py) when the source answer is edited, another answer outscores it, or the question is
closed. An entry has at most one open review per reason and is flagged `needs_review` while any is open.
"""
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, tuple_

from ...extensions import db
from ...models import FaqEntry, FaqReview, FaqStatus, Post, PostRevision, ReviewReason, User, WebhookEvent, utcnow
from ..outreach import alerts
from ..audit_log import log_action
from ..errors import Conflict, NotFound
from ..community.revisions import _diff_lines  # the same diff as the posts' history page
from .common import add_entry_revision, latest_revision_number, require_staff
from .entries import set_content


def open_review(entry: FaqEntry, reason: str, post_id: int | None = None, url: str = "") -> FaqReview | None:
    """Open a review unless one is already open for this reason; flags the entry and alerts the webhooks."""
    if entry.status == FaqStatus.RETIRED:
        return None
    already = db.session.scalar(select(FaqReview.id).where(
        FaqReview.entry_id == entry.id, FaqReview.reason == reason, FaqReview.resolved_at.is_(None)))
    if already is not None:
        return None
    review = FaqReview(entry_id=entry.id, reason=reason, post_id=post_id, created_at=utcnow())
    db.session.add(review)
    entry.needs_review = True
    db.session.flush()
    alerts.emit(WebhookEvent.FAQ_NEEDS_REVIEW, f"faq-review:{review.id}",
                {"entry_id": entry.id, "title": entry.title, "reason": reason, "post_id": post_id, "url": url})
    return review


def was_reviewed(entry_id: int, reason: str, post_id: int) -> bool:
    """Whether staff already heard about this post for this reason (so a dismissed outscoring stays dismissed)."""
    return db.session.scalar(select(FaqReview.id).where(
        FaqReview.entry_id == entry_id, FaqReview.reason == reason, FaqReview.post_id == post_id).limit(1)) is not None


def resync(staff: User, entry: FaqEntry) -> None:
    """Copy the thread's current question and answer into the entry (a new revision) and close its reviews."""
    require_staff(staff)
    if entry.status == FaqStatus.RETIRED:
        raise Conflict(_l("A retired entry is not kept in step with its thread."))
    question, answer = entry.question, entry.answer
    if question is None or answer is None:
        raise NotFound(_l("The source thread or answer no longer exists."))
    set_content(entry, question.body_md, answer.body_md)
    entry.question_revision = latest_revision_number(question.id)
    entry.answer_revision = latest_revision_number(answer.id)
    add_entry_revision(entry, staff, summary="resynced")
    _close_open(entry, staff, FaqReview.RESYNCED)
    log_action(staff, "faq.resync", entry, answer_revision=entry.answer_revision)


def dismiss(staff: User, review: FaqReview) -> FaqEntry:
    """Staff decide the change does not matter; the entry is cleared once no review is left open."""
    require_staff(staff)
    entry = db.session.get(FaqEntry, review.entry_id)
    if review.resolved_at is None:
        _resolve(review, staff, FaqReview.DISMISSED)
        db.session.flush()
        entry.needs_review = _has_open(entry.id)
        log_action(staff, "faq.review.dismiss", entry, review_id=review.id, reason=review.reason)
    return entry


def get_review(review_id: int) -> FaqReview:
    review = db.session.get(FaqReview, review_id)
    if review is None:
        raise NotFound(_l("This review does not exist."))
    return review


@dataclass
class ReviewItem:
    review: FaqReview
    post: Post | None  # the answer that outscored the source, if any
    answer_diff: list = field(default_factory=list)  # source answer: entry's revision -> now


@dataclass
class EntryReview:
    entry: FaqEntry
    source_answer: Post | None
    items: list[ReviewItem]


def entries_to_review() -> list[EntryReview]:
    """Entries needing review with their open reviews and what changed, in a constant number of queries."""
    entries = list(db.session.scalars(select(FaqEntry).where(
        FaqEntry.needs_review.is_(True), FaqEntry.status != FaqStatus.RETIRED).order_by(FaqEntry.id)))
    if not entries:
        return []
    reviews = list(db.session.scalars(select(FaqReview).where(
        FaqReview.entry_id.in_([e.id for e in entries]), FaqReview.resolved_at.is_(None)).order_by(FaqReview.id)))
    post_ids = {e.answer_id for e in entries} | {r.post_id for r in reviews}
    posts = {p.id: p for p in db.session.scalars(select(Post).where(Post.id.in_(post_ids - {None})))}
    old_bodies = _revision_bodies([(e.answer_id, e.answer_revision) for e in entries if e.answer_id])
    result = []
    for entry in entries:
        answer = posts.get(entry.answer_id)
        old = old_bodies.get((entry.answer_id, entry.answer_revision), entry.answer_md)
        items = [ReviewItem(r, posts.get(r.post_id),
                            _diff_lines(old, answer.body_md) if answer and r.reason == ReviewReason.ANSWER_EDITED
                            else [])
                 for r in reviews if r.entry_id == entry.id]
        result.append(EntryReview(entry, answer, items))
    return result


def count_needing_review() -> int:
    return db.session.scalar(select(db.func.count(FaqEntry.id)).where(
        FaqEntry.needs_review.is_(True), FaqEntry.status != FaqStatus.RETIRED))


def _revision_bodies(pairs: list[tuple[int, int | None]]) -> dict[tuple[int, int], str]:
    pairs = [(post_id, number) for post_id, number in pairs if number is not None]
    if not pairs:
        return {}
    rows = db.session.execute(select(PostRevision.post_id, PostRevision.number, PostRevision.body_md).where(
        tuple_(PostRevision.post_id, PostRevision.number).in_(pairs)))
    return {(post_id, number): body for post_id, number, body in rows}


def _close_open(entry: FaqEntry, staff: User, resolution: str) -> None:
    for review in db.session.scalars(select(FaqReview).where(FaqReview.entry_id == entry.id,
                                                             FaqReview.resolved_at.is_(None))):
        _resolve(review, staff, resolution)
    entry.needs_review = False


def _resolve(review: FaqReview, staff: User, resolution: str) -> None:
    review.resolved_at, review.resolved_by_id, review.resolution = utcnow(), staff.id, resolution


def _has_open(entry_id: int) -> bool:
    return db.session.scalar(select(FaqReview.id).where(FaqReview.entry_id == entry_id,
                                                        FaqReview.resolved_at.is_(None)).limit(1)) is not None
