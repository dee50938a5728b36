"""Post forms answered once: a form sent again (a retry after a dropped connection, a double click) gets what
its first sending created instead of a second copy.

Each posting form carries a random one-time token; the question, answer or comment it made is recorded under
(user, token), unique in the database. A twin request that races the first one waits on that unique index,
fails, and then finds the first one's result.
"""
import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from ...extensions import db
from ...models import Comment, FormSubmission, Post, User, utcnow

TOKEN_MAX = 64
KEPT_FOR = timedelta(days=2)  # long past any retry; old tokens are pruned as new ones arrive


def new_token() -> str:
    return secrets.token_urlsafe(18)


def earlier_result(user: User, token: str | None) -> Post | Comment | None:
    """What a previous sending of this form created, if there was one."""
    if not token:
        return None
    submission = db.session.scalar(
        select(FormSubmission).where(FormSubmission.user_id == user.id, FormSubmission.token == token[:TOKEN_MAX]))
    if submission is None:
        return None
    if submission.post_id is not None:
        return db.session.get(Post, submission.post_id)
    return db.session.get(Comment, submission.comment_id)


def record(user: User, token: str | None, created: Post | Comment) -> None:
    """Remember that this form made `created`; flushes, so a twin that committed first fails here."""
    if not token:
        return
    db.session.flush()
    db.session.execute(delete(FormSubmission).where(FormSubmission.user_id == user.id,
                                                    FormSubmission.created_at < utcnow() - KEPT_FOR))
    is_comment = isinstance(created, Comment)
    db.session.add(FormSubmission(user_id=user.id, token=token[:TOKEN_MAX],
                                  post_id=None if is_comment else created.id,
                                  comment_id=created.id if is_comment else None))
    db.session.flush()
