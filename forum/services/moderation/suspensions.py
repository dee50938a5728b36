"""Suspensions: staff stop a user from posting, voting and flagging for a while, with a reason they can read."""
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ... import permissions
from ...extensions import db
from ...models import NotificationKind, Suspension, User, utcnow
from ..audit_log import log_action
from ..errors import Forbidden, Invalid
from ..outreach.notifications import notify
from ..people.sessions import end_all_sessions
from ..site_settings import site_time

MAX_DAYS = 3650
REASON_MAX = 500


def format_until(value: datetime) -> str:
    """A suspension's end in the site's time zone, the zone named: the same in every message and page."""
    return site_time(value)


def require_not_suspended(user) -> None:
    """Raise 403 with the reason and end date if `user` is currently suspended."""
    if user is not None and getattr(user, "is_authenticated", False) and user.is_suspended():
        raise Forbidden(_l("Your account is suspended until %(date)s: %(reason)s",
                           date=format_until(user.suspended_until), reason=user.suspension_reason or ""))


def suspend(actor: User, user: User, days: int, reason: str) -> Suspension:
    """Suspend `user` for `days` days from now (replacing any live suspension); audit-logged and notified."""
    _require_can_moderate(actor, user)
    reason = " ".join((reason or "").split())
    if not reason:
        raise Invalid(_l("Give a reason: the user will see it."), field="reason")
    if len(reason) > REASON_MAX:
        raise Invalid(_l("The reason is limited to %(max)d characters.", max=REASON_MAX), field="reason")
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise Invalid(_l("The duration must be between 1 and %(max)d days.", max=MAX_DAYS), field="days")
    now = utcnow()
    _end_live(user, actor, now)
    suspension = Suspension(user_id=user.id, reason=reason, starts_at=now, ends_at=now + timedelta(days=days),
                            created_by_id=actor.id)
    db.session.add(suspension)
    user.suspended_until, user.suspension_reason = suspension.ends_at, reason
    end_all_sessions(user)  # a suspended user signs in again to read why; a stolen session does not outlive it
    log_action(actor, "user.suspend", user, reason, days=days, until=suspension.ends_at)
    notify(user.id, NotificationKind.MODERATION, actor=actor,
           text=_("You are suspended until %(date)s: %(reason)s", date=format_until(suspension.ends_at),
                  reason=reason))
    db.session.flush()
    return suspension


def lift(actor: User, user: User, reason: str = "") -> bool:
    """End `user`'s suspension now; returns False if there was none."""
    _require_can_moderate(actor, user)
    if not user.is_suspended():
        return False
    _end_live(user, actor, utcnow())
    user.suspended_until, user.suspension_reason = None, None
    reason = " ".join((reason or "").split())[:REASON_MAX]
    log_action(actor, "user.unsuspend", user, reason)
    notify(user.id, NotificationKind.MODERATION, actor=actor, text=_("Your suspension was lifted."))
    db.session.flush()
    return True


def history(user: User) -> list[Suspension]:
    """Every suspension of `user`, newest first (with who imposed it), for staff."""
    return list(db.session.scalars(
        select(Suspension).where(Suspension.user_id == user.id).order_by(Suspension.starts_at.desc())
    ))


def _require_can_moderate(actor: User, user: User) -> None:
    if not permissions.is_staff(actor):
        raise Forbidden(_l("Only moderators can suspend users."))
    if actor.id == user.id:
        raise Forbidden(_l("You cannot suspend yourself."))
    if user.is_admin:
        raise Forbidden(_l("Administrators cannot be suspended."))


def _end_live(user: User, actor: User, now: datetime) -> None:
    live = db.session.scalars(
        select(Suspension).where(Suspension.user_id == user.id, Suspension.lifted_at.is_(None),
                                 Suspension.ends_at > now)
    )
    for suspension in live:
        suspension.lifted_at, suspension.lifted_by_id = now, actor.id
