"""Staff redaction: remove a passage (personal data, usually) from a post and from every stored revision of it.

The passage is replaced by a marker in the current title and body (re-rendered), in every `PostRevision` row of
the post (title, body and edit summary), in the post's comments (deleted ones too: their rows stay) and in the
notifications about the post (their excerpts quote it), and the post is recorded as changed so the commit steps
rewrite its search document. The audit log says that it happened and how often, never what was removed.
E-mails already sent and webhook deliveries already made are beyond reach; queued ones are not rewritten either.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ... import permissions
from ...extensions import db
from ...markup import excerpt, render_comment, render_markdown
from ...models import Comment, Notification, Post, PostRevision
from ...unit_of_work import changes
from ..audit_log import log_action
from ..errors import Forbidden, Invalid

REDACTED = "[redacted]"
PASSAGE_MIN, PASSAGE_MAX = 3, 1000


def redact_post(actor, post: Post, passage: str, reason: str = "") -> int:
    """Replace `passage` everywhere in `post` and its revisions; returns how many occurrences were replaced."""
    if not permissions.is_staff(actor):
        raise Forbidden(_l("Only moderators can redact posts."))
    passage = (passage or "").replace("\r\n", "\n").strip()
    if not PASSAGE_MIN <= len(passage) <= PASSAGE_MAX:
        raise Invalid(_l("Give the exact text to remove (%(min)d-%(max)d characters).", min=PASSAGE_MIN,
                         max=PASSAGE_MAX), field="passage")
    revisions = list(db.session.scalars(select(PostRevision).where(PostRevision.post_id == post.id)))
    replaced = _replace_in(post, ("title", "body_md"), passage)
    for revision in revisions:
        replaced += _replace_in(revision, ("title", "body_md", "summary"), passage)
    for comment in db.session.scalars(select(Comment).where(Comment.post_id == post.id)):
        if found := _replace_in(comment, ("body",), passage):
            comment.body_html = render_comment(comment.body)
            replaced += found
    if not replaced:
        raise Invalid(_l("This text is not in the post, its comments or any of its revisions."), field="passage")
    for notification in db.session.scalars(select(Notification).where(Notification.post_id == post.id)):
        _replace_in(notification, ("text",), passage)
    post.body_html = render_markdown(post.body_md)
    post.excerpt = excerpt(post.body_html, 200)
    db.session.flush()
    changes().post(post, "body_md", "title")  # rewrite the search document even if only old revisions changed
    log_action(actor, "post.redact", post, " ".join((reason or "").split())[:300], occurrences=replaced)
    return replaced


def _replace_in(row, columns: tuple[str, ...], passage: str) -> int:
    count = 0
    for column in columns:
        value = getattr(row, column)
        if value and passage in value:
            count += value.count(passage)
            value = value.replace(passage, REDACTED)
            setattr(row, column, value[:150] if column == "title" else value)  # the title column's length
    return count
