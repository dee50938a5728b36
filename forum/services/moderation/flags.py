"""Flags: users report posts to staff; enough spam or rude flags hide a post until a moderator reviews it."""
import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ... import permissions
from ...extensions import db
from ...models import Flag, FlagReason, FlagStatus, NotificationKind, Post, Question, User, WebhookEvent, utcnow
from ..outreach import alerts
from ..reputation import privileges
from ..audit_log import log_action
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..outreach.notifications import notify
from ..community.posts import delete_post
from . import holds
from .suspensions import require_not_suspended

TEXT_MAX = 500
REASON_LABELS = {
    FlagReason.SPAM: _l("Spam"),
    FlagReason.RUDE: _l("Rude or abusive"),
    FlagReason.NEEDS_IMPROVEMENT: _l("Needs improvement"),
    FlagReason.DUPLICATE: _l("Duplicate"),
    FlagReason.OTHER: _l("Something else"),
    FlagReason.PERSONAL_DATA: _l("Personal data (posted anyway)"),
}
REASON_HELP = {
    FlagReason.SPAM: _l("Promotes a product or service without disclosing the affiliation."),
    FlagReason.RUDE: _l("Insulting, harassing or hateful content that a reasonable person would find offensive."),
    FlagReason.NEEDS_IMPROVEMENT: _l("Unclear, incomplete or hard to follow; a moderator may edit or close it."),
    FlagReason.DUPLICATE: _l("This question has already been asked and answered; give the other question."),
    FlagReason.OTHER: _l("Something a moderator needs to look at that is not listed above; explain it."),
}
_QUESTION_REF = re.compile(r"^(?:.*?/questions/)?(\d+)(?:[/?#].*)?$")


@dataclass(frozen=True)
class FlagPolicy:
    thresholds: dict
    hide_threshold: int = 3


def flag_post(user: User, post: Post, reason: str, policy: FlagPolicy, *, duplicate_of: str = "", text: str = "",
              url: str = "") -> Flag:
    """Record `user`'s flag on `post`, hide the post if enough spam/rude flags are pending, and alert staff."""
    require_can_flag(user, policy.thresholds)
    if post.is_deleted:
        raise NotFound(_l("This post does not exist or was deleted."))
    if post.author_id == user.id:
        raise Invalid(_l("You cannot flag your own post."))
    flag = Flag(post_id=post.id, user_id=user.id, reason=_check_reason(reason), created_at=utcnow(),
                text=_check_text(reason, text))
    if reason == FlagReason.DUPLICATE:
        if not isinstance(post, Question):
            raise Invalid(_l("Only a question can be a duplicate."), field="reason")
        flag.duplicate_of_id = _resolve_duplicate(post, duplicate_of).id
    _insert_once(flag)
    hidden_now = _maybe_hide(post, policy.hide_threshold)
    alerts.emit(WebhookEvent.FLAG_NEW, f"flag:{flag.id}", {
        "flag_id": flag.id, "post_id": post.id, "question_id": post.question_id or post.id,
        "title": _question_title(post), "reason": reason, "text": flag.text, "flagged_by": user.username,
        "url": url, "hidden": hidden_now or post.is_hidden,
    })
    return flag


def require_can_flag(user, thresholds: dict) -> None:
    """Raise why `user` may not flag at all (suspended, or not enough reputation)."""
    require_not_suspended(user)
    privileges.require(user, "flag", thresholds)


def has_flagged(user, post: Post) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(Flag.id).where(Flag.post_id == post.id, Flag.user_id == user.id)) is not None


def parse_question_ref(value: str) -> int | None:
    """A question id from '123', '/questions/123/slug' or a full URL to it."""
    match = _QUESTION_REF.match((value or "").strip())
    return int(match.group(1)) if match else None


def _check_reason(reason: str) -> str:
    if reason not in FlagReason.ALL:
        raise Invalid(_l("Choose why you are flagging this post."), field="reason")
    return reason


def _check_text(reason: str, text: str) -> str:
    text = " ".join((text or "").split())
    if len(text) > TEXT_MAX:
        raise Invalid(_l("The explanation is limited to %(max)d characters; yours has %(n)d.", max=TEXT_MAX,
                         n=len(text)), field="text")
    if reason == FlagReason.OTHER and not text:
        raise Invalid(_l("Explain what a moderator should look at."), field="text")
    return text


def _resolve_duplicate(post: Post, ref: str) -> Question:
    question_id = parse_question_ref(ref)
    target = db.session.get(Question, question_id) if question_id else None
    if target is None or target.is_deleted or target.is_hidden:
        raise Invalid(_l("Give the link or number of an existing question."), field="duplicate_of")
    if target.id in (post.id, post.question_id):
        raise Invalid(_l("A question cannot be a duplicate of itself."), field="duplicate_of")
    return target


def _insert_once(flag: Flag) -> None:
    exists = db.session.scalar(select(Flag.id).where(Flag.post_id == flag.post_id, Flag.user_id == flag.user_id))
    if exists is not None:
        raise Conflict(_l("You have already flagged this post."))
    try:
        with db.session.begin_nested():
            db.session.add(flag)
    except IntegrityError:  # the same user flagged twice at once (double click)
        raise Conflict(_l("You have already flagged this post.")) from None


def _maybe_hide(post: Post, threshold: int) -> bool:
    """Hide the post once `threshold` pending spam/rude flags have been raised; returns whether it just happened."""
    if post.is_hidden or threshold <= 0:
        return False
    count = db.session.scalar(select(func.count(Flag.id)).where(
        Flag.post_id == post.id, Flag.status == FlagStatus.PENDING, Flag.reason.in_(FlagReason.HIDING)))
    if count < threshold:
        return False
    post.hidden_at = utcnow()
    log_action(None, "post.hide", post, _("Hidden automatically by %(num)d flags", num=count), flags=count)
    notify(post.author_id, NotificationKind.MODERATION, post=post,
           text=_("Your post is hidden until a moderator reviews the flags it received."))
    return True


def _question_title(post: Post) -> str:
    if isinstance(post, Question):
        return post.title or ""
    question = db.session.get(Question, post.question_id)
    return question.title if question else ""


# --- Staff decisions -------------------------------------------------------------------------------------------

def resolve(actor: User, post: Post, status: str, reason: str = "") -> int:
    """Mark the post's pending flags helpful or dismissed and unhide it; returns how many flags were handled."""
    require_staff(actor)
    now = utcnow()
    handled = db.session.execute(
        update(Flag).where(Flag.post_id == post.id, Flag.status == FlagStatus.PENDING)
        .values(status=status, handled_at=now, handled_by_id=actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    was_hidden = post.is_hidden
    post.hidden_at = None
    released = holds.release_comments(post)
    reason = " ".join((reason or "").split())[:300]
    action = "flags.dismiss" if status == FlagStatus.DISMISSED else "flags.helpful"
    log_action(actor, action, post, reason, flags=handled, unhidden=was_hidden, comments_released=released)
    if was_hidden:
        notify(post.author_id, NotificationKind.MODERATION, actor=actor, post=post,
               text=_("A moderator reviewed your post; it is visible again."))
    db.session.flush()
    return handled


def delete_flagged(actor: User, post: Post, reason: str, rules) -> None:
    """Delete a flagged post (the flags were helpful), tell its author why."""
    require_staff(actor)
    if post.is_deleted:
        raise Conflict(_l("This post is already deleted."))
    reason = " ".join((reason or "").split())[:300]
    delete_post(actor, post, rules, reason=reason)  # audit-logs "post.delete" and tells the author
    now = utcnow()
    db.session.execute(
        update(Flag).where(Flag.post_id == post.id, Flag.status == FlagStatus.PENDING)
        .values(status=FlagStatus.HELPFUL, handled_at=now, handled_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()


def require_staff(actor) -> None:
    if not permissions.is_staff(actor):
        raise Forbidden(_l("Only moderators can review flags."))


# --- The review queue ------------------------------------------------------------------------------------------

@dataclass
class ReviewItem:
    post: Post
    question: Question | None  # the thread the post belongs to (the post itself for a question)
    flags: list[Flag]
    first_flagged_at: datetime

    @property
    def reason_counts(self) -> list[tuple[str, int]]:
        counts = {reason: 0 for reason in FlagReason.REVIEWED}
        for flag in self.flags:
            counts[flag.reason] += 1
        return [(reason, count) for reason, count in counts.items() if count]


def pending_count() -> int:
    """How many posts wait for review (one COUNT, for the staff navigation)."""
    return db.session.scalar(select(func.count(func.distinct(Flag.post_id))).where(Flag.status == FlagStatus.PENDING))


def review_queue(page: int, per_page: int) -> tuple[list[ReviewItem], bool]:
    """Posts with pending flags, oldest first by their oldest pending flag, in four queries; and whether more follow."""
    first = func.min(Flag.created_at).label("first_flagged_at")
    rows = db.session.execute(
        select(Flag.post_id, first).where(Flag.status == FlagStatus.PENDING).group_by(Flag.post_id)
        .order_by(first, Flag.post_id).limit(per_page + 1).offset((page - 1) * per_page)
    ).all()
    has_next, rows = len(rows) > per_page, rows[:per_page]
    ids = [row.post_id for row in rows]
    if not ids:
        return [], False
    posts = {post.id: post for post in db.session.scalars(select(Post).where(Post.id.in_(ids)))}
    question_ids = {post.question_id for post in posts.values() if post.question_id} - set(ids)
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(question_ids)))} \
        if question_ids else {}
    questions.update({post.id: post for post in posts.values() if isinstance(post, Question)})
    flags: dict[int, list[Flag]] = {}
    for flag in db.session.scalars(
        select(Flag).where(Flag.post_id.in_(ids), Flag.status == FlagStatus.PENDING)
        .options(joinedload(Flag.user)).order_by(Flag.created_at, Flag.id)
    ):
        flags.setdefault(flag.post_id, []).append(flag)
    items = [ReviewItem(post=posts[row.post_id], question=questions.get(posts[row.post_id].question_id or row.post_id),
                        flags=flags.get(row.post_id, []), first_flagged_at=row.first_flagged_at)
             for row in rows if row.post_id in posts]
    return items, has_next
