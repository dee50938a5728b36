"""Comments: short remarks under a question or an answer."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from ... import permissions
from ...extensions import db
from ...markup import render_comment
from ...models import Comment, NotificationKind, Post, Question, User, utcnow
from ..reputation import badges, privileges
from . import mentions
from ..errors import Forbidden, Invalid
from ...urls import permalink
from ..outreach.notifications import notify
from ..moderation import holds
from ..moderation.locking import require_unlocked
from ..moderation.suspensions import require_not_suspended

COMMENT_MIN, COMMENT_MAX = 15, 600


def add_comment(author: User, post: Post, body: str, thresholds: dict | None = None,
                post_anyway: bool | None = None) -> Comment:
    """Comment on a post; with `thresholds`, commenting on other people's posts needs the privilege.

    `post_anyway` screens for personal data (see `posts.ask_question`); a comment posted anyway is held: only its
    author and staff see it, nobody is notified, and its post goes to the review queue (holds.hold)."""
    require_not_suspended(author)
    require_unlocked(post)
    if not permissions.can_comment(author, post):
        raise Forbidden(_l("You cannot comment on this post."))
    if thresholds is not None and not _is_own_thread(author, post):
        privileges.require(author, "comment", thresholds)
    body = " ".join((body or "").split())
    if not COMMENT_MIN <= len(body) <= COMMENT_MAX:
        raise Invalid(_l("Comments must be %(min)d-%(max)d characters; yours has %(n)d.",
                         min=COMMENT_MIN, max=COMMENT_MAX, n=len(body)), field="body")
    findings = holds.screen(body, post_anyway=post_anyway)
    comment = Comment(post_id=post.id, author=author, body=body, body_html=render_comment(body), created_at=utcnow())
    if findings:
        comment.held_at = comment.created_at
    db.session.add(comment)
    if not comment.is_held:
        _adjust_count(post.id, +1)
    db.session.flush()
    holds.hold(author, post, findings, comment_id=comment.id)
    badges.on_comment(author)
    if not comment.is_held:
        _notify(author, post, body)
    return comment


def delete_comment(actor: User, comment: Comment) -> None:
    if not permissions.can_delete_comment(actor, comment):
        raise Forbidden(_l("You can only delete your own comments."))
    comment.deleted_at = utcnow()
    _adjust_count(comment.post_id, -1)
    db.session.flush()


def _is_own_thread(user: User, post: Post) -> bool:
    """Everyone may comment on their own posts and on answers to their own questions."""
    if post.author_id == user.id:
        return True
    question = post if isinstance(post, Question) else post.question
    return question.author_id == user.id


def _notify(author: User, post: Post, body: str) -> None:
    """The post's author hears about the comment; people it @mentions too (once each)."""
    url = f"{permalink(post)}#comments-{post.id}"
    excerpt = body if len(body) <= 140 else body[:139] + "…"
    notify(post.author_id, NotificationKind.COMMENT, actor=author, post=post, url=url, text=excerpt)
    mentions.notify_mentions(author, body, post=post, url=url, excerpt=excerpt, skip={post.author_id})


def _adjust_count(post_id: int, delta: int) -> None:
    db.session.execute(update(Post).where(Post.id == post_id).values(comment_count=Post.comment_count + delta))
