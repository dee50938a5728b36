"""Notifications: what a user should hear about (inbox, and e-mail when they asked for it)."""
from ..extensions import db
from ..models import Notification


def notify(user_id: int | None, kind: str, *, actor=None, post=None, url: str = "", text: str = "") -> Notification | None:
    """Add a notification in the caller's transaction; nobody is notified of their own action."""
    actor_id = getattr(actor, "id", None)
    if user_id is None or user_id == actor_id:
        return None
    notification = Notification(
        user_id=user_id, kind=kind, actor_id=actor_id, post_id=getattr(post, "id", None), url=url, text=text[:300]
    )
    db.session.add(notification)
    return notification
