"""Row locks for rules that read a row and then write what depends on it (one accepted answer, one edit based on
the revision before it). On PostgreSQL, where two requests run side by side under READ COMMITTED, the second waits
for the first to commit and then reads what it saved; on SQLite, `BEGIN IMMEDIATE` already queues writers and
SQLAlchemy leaves `FOR UPDATE` out."""
from sqlalchemy import select

from ..extensions import db
from ..models import Post


def lock_post_row(post: Post) -> None:
    """Wait for other transactions changing this post, then reload it (FOR NO KEY UPDATE: inserts that only
    reference the post, such as votes and comments, are not held up)."""
    # The rows must be fetched: populate_existing refreshes objects only as the result is read.
    db.session.scalars(select(Post).where(Post.id == post.id).with_for_update(key_share=True, of=Post)
                       .execution_options(populate_existing=True)).all()
