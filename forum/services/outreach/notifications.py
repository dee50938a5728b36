"""Notifications: what a user should hear about (inbox, and e-mail when they asked for it).

A notification stores its kind, actor and a short plain-text excerpt; the sentence ("aoi answered your
question: ...") is built when it is shown, in the reader's language.
"""
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models import Notification, NotificationKind as Kind, Post, Question, User, utcnow
from . import mail
from ..reputation.badge_catalog import get_badge
from ..errors import Invalid, NotFound
from ..people.names import display_name

EMAIL_CHOICES = ("instant", "daily", "off")
DIGEST_MAX_ITEMS = 50

KIND_LABELS = {
    Kind.ANSWER: _l("Answer"), Kind.COMMENT: _l("Comment"), Kind.MENTION: _l("Mention"),
    Kind.ACCEPTED: _l("Accepted"), Kind.BADGE: _l("Badge"), Kind.FAQ_PROMOTED: _l("FAQ"),
    Kind.MODERATION: _l("Moderation"),
}


def notify(user_id: int | None, kind: str, *, actor=None, post=None, url: str = "", text: str = "") -> Notification | None:
    """Add a notification in the caller's transaction; nobody is notified of their own action.

    Users who want instant e-mail also get an OutgoingEmail row in the same transaction (sent after the commit).
    """
    actor_id = getattr(actor, "id", None)
    if user_id is None or user_id == actor_id:
        return None
    notification = Notification(
        user_id=user_id, kind=kind, actor_id=actor_id, post_id=getattr(post, "id", None), url=url, text=text[:300],
        created_at=utcnow(),
    )
    # Set the relationship too, so describe() can name the actor before the row is flushed.
    actor = actor._get_current_object() if hasattr(actor, "_get_current_object") else actor  # current_user
    notification.actor = actor if isinstance(actor, User) else None
    db.session.add(notification)
    if mail.enabled():
        _email_instantly(notification)
    return notification


def _email_instantly(notification: Notification) -> None:
    with db.session.no_autoflush:  # callers may be half-way through building their rows
        user = db.session.get(User, notification.user_id)
    if user is None or user.email_notifications != "instant" or not may_email(user):
        return
    with mail.user_locale(user.locale):
        item = describe(notification)
    mail.queue(user, "notification", item=item, link=mail.absolute_url(item.url))
    notification.emailed_at = utcnow()


def may_email(user: User) -> bool:
    """Notifications go only to real addresses, and (REQUIRE_VERIFIED_EMAIL_FOR_MAIL) only once confirmed."""
    if current_app.config.get("REQUIRE_VERIFIED_EMAIL_FOR_MAIL", True) and user.email_verified_at is None:
        return False
    return user.deleted_at is None and mail.looks_deliverable(user.email)


def thread_title(post: Post) -> str:
    return post.title if isinstance(post, Question) or post.question_id is None else post.question.title


# --- Reading ---

@dataclass
class InboxItem:
    id: int
    kind: str
    label: str
    sentence: str
    url: str
    created_at: datetime
    unread: bool


def describe(notification: Notification) -> InboxItem:
    """The notification as the reader sees it, in the current language."""
    actor = display_name(notification.actor) if notification.actor is not None else _("Someone")
    text = notification.text
    sentences = {
        Kind.ANSWER: lambda: _("%(actor)s answered your question: %(text)s", actor=actor, text=text),
        Kind.COMMENT: lambda: _("%(actor)s commented on your post: %(text)s", actor=actor, text=text),
        Kind.MENTION: lambda: _("%(actor)s mentioned you: %(text)s", actor=actor, text=text),
        Kind.ACCEPTED: lambda: _("%(actor)s accepted your answer to: %(text)s", actor=actor, text=text),
        Kind.BADGE: lambda: _("You earned the “%(badge)s” badge.", badge=_badge_name(text)),
        Kind.FAQ_PROMOTED: lambda: _("Your answer is now an official FAQ entry: %(text)s", text=text),
    }
    sentence = sentences[notification.kind]() if notification.kind in sentences else text
    return InboxItem(id=notification.id, kind=notification.kind, label=str(KIND_LABELS.get(notification.kind, "")),
                     sentence=sentence, url=notification.url or "/inbox", created_at=notification.created_at,
                     unread=notification.read_at is None)


def _badge_name(key: str) -> str:
    badge = get_badge(key)
    return str(badge.name) if badge is not None else key


def inbox_query(user: User):
    """The user's notifications, newest first, with the actor loaded in the same query."""
    return (select(Notification).where(Notification.user_id == user.id)
            .options(joinedload(Notification.actor))
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


def unread_count(user_id: int) -> int:
    """One COUNT on the (user_id, read_at) index."""
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def open_notification(user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read; someone else's is not found."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound(_l("This notification does not exist."))
    if notification.read_at is None:
        notification.read_at = utcnow()
    return notification


def mark_all_read(user: User) -> int:
    return db.session.execute(
        update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False)).rowcount


# --- E-mail preferences and digests ---

def set_email_preference(user: User, value: str) -> None:
    if value not in EMAIL_CHOICES:
        raise Invalid(_l("Choose instant, daily or never."), field="email_notifications")
    user.email_notifications = value


def unsubscribe(token: str) -> User:
    """Turn e-mail off for the user a signed token names (the token is the credential)."""
    user = user_for_token(token)
    user.email_notifications = "off"
    return user


def user_for_token(token: str) -> User:
    user_id = mail.user_id_from_token(token)
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None:
        raise NotFound(_l("This unsubscribe link is not valid."))
    return user


def queue_digests() -> int:
    """One e-mail per "daily" user with their unread notifications not e-mailed yet; returns how many."""
    rows = db.session.scalars(
        select(Notification).join(User, User.id == Notification.user_id)
        .where(User.email_notifications == "daily", Notification.read_at.is_(None),
               Notification.emailed_at.is_(None))
        .options(joinedload(Notification.actor))
        .order_by(Notification.user_id, Notification.created_at.desc(), Notification.id.desc())).unique().all()
    by_user: dict[int, list[Notification]] = {}
    for notification in rows:
        by_user.setdefault(notification.user_id, []).append(notification)
    users = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(by_user)))}
    now, queued = utcnow(), 0
    for user_id, notifications in by_user.items():
        user = users[user_id]
        if may_email(user):
            with mail.user_locale(user.locale):
                items = [describe(n) for n in notifications[:DIGEST_MAX_ITEMS]]
            mail.queue(user, "digest", items=items, more=max(len(notifications) - DIGEST_MAX_ITEMS, 0),
                       count=len(notifications), inbox_url=mail.absolute_url("/inbox"),
                       absolute=mail.absolute_url)
            queued += 1
        for notification in notifications:
            notification.emailed_at = now
    return queued
