"""Edits by others: suggested edits and their review queue, and rolling a post back to an older revision."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ... import permissions
from ...extensions import db
from ...models import (
    NotificationKind,
    Post,
    PostRevision,
    Question,
    SuggestedEdit,
    SuggestionStatus,
    User,
    utcnow,
)
from ..community import posts
from ..reputation import privileges
from ..community import tags as tag_service
from ..audit_log import log_action
from ..errors import Conflict, Forbidden, Invalid, NotFound
from .locking import require_unlocked
from ...urls import permalink
from ..outreach.notifications import notify
from ..community.revisions import DiffLine, diff_fields
from .suspensions import require_not_suspended

REVIEW_COMMENT_MAX = 300


@dataclass
class SuggestionView:
    suggestion: SuggestedEdit
    question: Question  # the thread, for its title and link
    title_diff: list[DiffLine] | None
    tags_diff: list[DiffLine] | None
    body_diff: list[DiffLine]


def can_suggest(user, post: Post, thresholds: dict) -> bool:
    """Signed-in users who may not edit this post directly, on a live, unlocked thread."""
    if not getattr(user, "is_authenticated", False) or post.is_deleted or post.author_id == user.id:
        return False
    return not permissions.can_edit(user, post, thresholds) and not permissions.is_thread_locked(post)


def can_review(user, thresholds: dict) -> bool:
    return privileges.has_privilege(user, "edit", thresholds)


def suggest_edit(user: User, post: Post, title: str | None, body: str, tags_text: str | None, summary: str,
                 thresholds: dict) -> SuggestedEdit:
    """Queue an edit for review; it must change something, and each user has one pending suggestion per post."""
    require_not_suspended(user)
    require_can_suggest(user, post, thresholds)
    body = posts._check_body(body, posts.BODY_MIN if post.is_question else posts.ANSWER_MIN)
    tags = None
    if post.is_question:
        title = posts._check_title(title)
        tags = " ".join(tag_service.parse_tags(tags_text))
        unchanged = title == post.title and sorted(tags.split()) == sorted(t.name for t in post.tags)
    else:
        title, unchanged = None, True
    if unchanged and body == post.body_md:
        raise Invalid(_l("Your suggestion does not change anything."), field="body")
    if db.session.scalar(select(SuggestedEdit.id).where(
            SuggestedEdit.post_id == post.id, SuggestedEdit.author_id == user.id,
            SuggestedEdit.status == SuggestionStatus.PENDING)):
        raise Conflict(_l("You already have a suggested edit waiting for review on this post."))
    suggestion = SuggestedEdit(post_id=post.id, author_id=user.id, base_revision=current_revision(post),
                               title=title, body_md=body, tags=tags, summary=(summary or "").strip()[:300])
    db.session.add(suggestion)
    db.session.flush()
    return suggestion


def queue_query():
    """Pending suggestions, oldest first, with their author and post loaded."""
    return (select(SuggestedEdit).where(SuggestedEdit.status == SuggestionStatus.PENDING)
            .options(joinedload(SuggestedEdit.author), joinedload(SuggestedEdit.post))
            .order_by(SuggestedEdit.created_at, SuggestedEdit.id))


def present(suggestions: list[SuggestedEdit]) -> list[SuggestionView]:
    """Each suggestion with its diff against the post's current text, in one extra query for the threads."""
    question_ids = {s.post.id if s.post.is_question else s.post.question_id for s in suggestions}
    questions = {q.id: q for q in db.session.scalars(
        select(Question).where(Question.id.in_(question_ids)).options(selectinload(Question.tags)))}
    views = []
    for s in suggestions:
        post = s.post
        question = questions[post.id if post.is_question else post.question_id]
        current_tags = " ".join(t.name for t in question.tags) if post.is_question else None
        title_diff, tags_diff, body_diff = diff_fields(post.title, s.title, current_tags, s.tags, post.body_md,
                                                       s.body_md)
        views.append(SuggestionView(s, question, title_diff, tags_diff, body_diff))
    return views


def approve(reviewer: User, suggestion: SuggestedEdit, thresholds: dict) -> None:
    """Apply the suggestion through the normal edit path, as a revision credited to the suggester."""
    _check_reviewable(reviewer, suggestion, thresholds)
    post = suggestion.post
    if post.is_deleted:
        raise Conflict(_l("The post was deleted; reject this suggestion instead."))
    if current_revision(post) != suggestion.base_revision:
        raise Conflict(_l("The post was edited after this suggestion was made, so applying it would undo that "
                          "edit. Reject it, or edit the post yourself."))
    summary = suggestion.summary or str(_l("Suggested edit"))
    if post.is_question:
        posts.edit_question(reviewer, post, suggestion.title, suggestion.body_md, suggestion.tags or "", summary,
                            thresholds, credit=suggestion.author)
    else:
        posts.edit_answer(reviewer, post, suggestion.body_md, summary, thresholds, credit=suggestion.author)
    _decide(reviewer, suggestion, SuggestionStatus.APPROVED, "", _l("Your suggested edit was approved."))


def reject(reviewer: User, suggestion: SuggestedEdit, thresholds: dict, comment: str = "") -> None:
    _check_reviewable(reviewer, suggestion, thresholds)
    comment = " ".join((comment or "").split())
    if len(comment) > REVIEW_COMMENT_MAX:
        raise Invalid(_l("Keep the comment under %(max)d characters.", max=REVIEW_COMMENT_MAX), field="comment")
    _decide(reviewer, suggestion, SuggestionStatus.REJECTED, comment, _l("Your suggested edit was rejected."))


def get_suggestion(suggestion_id: int) -> SuggestedEdit:
    suggestion = db.session.get(SuggestedEdit, suggestion_id)
    if suggestion is None:
        raise NotFound(_l("This suggested edit does not exist."))
    return suggestion


def rollback(actor: User, post: Post, number: int) -> None:
    """Save an older revision's content as a NEW revision, so nothing in the history is lost."""
    if not permissions.can_rollback(actor, post):
        raise Forbidden(_l("Only the author and staff can roll back a post."))
    revision = db.session.scalar(select(PostRevision).where(PostRevision.post_id == post.id,
                                                            PostRevision.number == number))
    if revision is None:
        raise NotFound(_l("This revision does not exist."))
    if number == current_revision(post):
        raise Conflict(_l("This is already the current revision."))
    summary = f"Rolled back to revision {number}"  # stored text, like a user's summary: not per-reader
    if post.is_question:
        tags = revision.tags if revision.tags is not None else " ".join(t.name for t in post.tags)
        changed = posts.edit_question(actor, post, revision.title, revision.body_md, tags, summary)
    else:
        changed = posts.edit_answer(actor, post, revision.body_md, summary)
    if not changed:
        raise Conflict(_l("The post already has the content of revision %(num)d.", num=number))
    if actor.is_staff:
        log_action(actor, "post.rollback", post, revision=number)


def current_revision(post: Post) -> int:
    return db.session.scalar(select(func.max(PostRevision.number)).where(PostRevision.post_id == post.id)) or 0


def require_can_suggest(user: User, post: Post, thresholds: dict) -> None:
    """Raise why this user may not suggest an edit here."""
    if post.is_deleted:
        raise NotFound(_l("This post does not exist or was deleted."))
    require_unlocked(post)
    if post.author_id == user.id or permissions.can_edit(user, post, thresholds):
        raise Forbidden(_l("You can edit this post directly."))


def _check_reviewable(reviewer: User, suggestion: SuggestedEdit, thresholds: dict) -> None:
    if not can_review(reviewer, thresholds):
        raise Forbidden(_l("Only staff and users with the edit privilege can review suggested edits."))
    if suggestion.author_id == reviewer.id:
        raise Forbidden(_l("You cannot review your own suggestion."))
    if suggestion.status != SuggestionStatus.PENDING:
        raise Conflict(_l("This suggested edit was already reviewed."))


def _decide(reviewer: User, suggestion: SuggestedEdit, status: str, comment: str, message) -> None:
    suggestion.status = status
    suggestion.reviewed_at = utcnow()
    suggestion.reviewer_id = reviewer.id
    suggestion.review_comment = comment
    text = f"{message} {comment}".strip() if comment else str(message)
    notify(suggestion.author_id, NotificationKind.MODERATION, actor=reviewer, post=suggestion.post,
           url=permalink(suggestion.post), text=text)
    if reviewer.is_staff:
        action = "suggested_edit.approve" if status == SuggestionStatus.APPROVED else "suggested_edit.reject"
        log_action(reviewer, action, suggestion.post, reason=comment, suggestion_id=suggestion.id,
                   suggester_id=suggestion.author_id)
    db.session.flush()
