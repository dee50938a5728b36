"""@mentions: `@username` in a question, answer or comment notifies that person (existing users only)."""
import re

from sqlalchemy import select

from ...extensions import db
from ...models import NotificationKind, Post, User, username_key
from ...urls import permalink
from ..outreach.notifications import notify

MAX_MENTIONS = 10  # per post: a list of fifty names is not a conversation
# A name after a non-word character (so "me@example.com" is not a mention); usernames are 3-30 of [\w.-].
_MENTION = re.compile(r"(?<![\w@/])@([\w][\w.\-]{2,29})", re.UNICODE)
# Code is quoted, not addressed: `@decorator` and fenced blocks mention nobody.
_CODE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`|^(?: {4}|\t).*$", re.DOTALL | re.MULTILINE)


def mentioned_keys(text: str) -> list[str]:
    """The distinct username keys mentioned in `text`, in order, at most MAX_MENTIONS."""
    keys: list[str] = []
    for match in _MENTION.finditer(_CODE.sub(" ", text or "")):
        key = username_key(match.group(1).rstrip(".-"))
        if key not in keys:
            keys.append(key)
        if len(keys) == MAX_MENTIONS:
            break
    return keys


def notify_mentions(author: User, text: str, *, post: Post, excerpt: str, url: str | None = None,
                    skip: set[int] | frozenset = frozenset(), previous: str = "") -> list[int]:
    """Notify the people `text` mentions (not the author, not those in `skip` who hear about it anyway,
    not those `previous` already mentioned); returns their ids. Costs no query when nobody is mentioned."""
    keys = [key for key in mentioned_keys(text) if key not in set(mentioned_keys(previous))]
    if not keys:
        return []
    user_ids = db.session.scalars(select(User.id).where(User.username_key.in_(keys))).all()
    if user_ids and post.id is None:
        db.session.flush()  # a new question: the link needs its id
    url = url or permalink(post)
    notified = []
    for user_id in user_ids:
        if user_id != author.id and user_id not in skip:
            notify(user_id, NotificationKind.MENTION, actor=author, post=post, url=url, text=excerpt)
            notified.append(user_id)
    return notified
