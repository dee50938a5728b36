"""Suspensions: who may suspend whom, the mirror on the user, lifting, audit log and notification."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import AuditLogEntry, Notification, NotificationKind, Role, Suspension, utcnow
from forum.services import site_settings
from forum.services.moderation import suspensions
from forum.services.errors import Forbidden, Invalid
from tests.factories import make_user


def test_suspend_records_the_period_mirrors_it_logs_and_notifies(factories):
    moderator, user = make_user(role=Role.MODERATOR), make_user()
    suspension = suspensions.suspend(moderator, user, 7, "  Repeated   spam links ")
    db.session.commit()
    assert user.is_suspended()
    assert user.suspension_reason == "Repeated spam links"
    assert user.suspended_until == suspension.ends_at
    assert timedelta(days=6, hours=23) < suspension.ends_at - utcnow() <= timedelta(days=7)
    entry = db.session.scalars(select(AuditLogEntry)).one()
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id, entry.reason) == (
        moderator.id, "user.suspend", "user", user.id, "Repeated spam links")
    notification = db.session.scalars(select(Notification)).one()
    assert (notification.user_id, notification.kind) == (user.id, NotificationKind.MODERATION)
    assert "Repeated spam links" in notification.text


def test_require_not_suspended_gives_the_reason_and_the_end(factories):
    moderator, user = make_user(role=Role.MODERATOR), make_user()
    suspensions.require_not_suspended(user)  # not suspended: nothing happens
    suspensions.suspend(moderator, user, 3, "Rude replies")
    with pytest.raises(Forbidden) as error:
        suspensions.require_not_suspended(user)
    message = str(error.value.message)
    assert "Rude replies" in message and suspensions.format_until(user.suspended_until) in message


def test_an_expired_suspension_no_longer_blocks(factories):
    user = make_user()
    user.suspended_until, user.suspension_reason = utcnow() - timedelta(minutes=1), "old"
    suspensions.require_not_suspended(user)


def test_lift_ends_the_suspension_and_is_logged(factories):
    moderator, user = make_user(role=Role.MODERATOR), make_user()
    suspensions.suspend(moderator, user, 30, "Spam")
    assert suspensions.lift(moderator, user, "Apologised") is True
    db.session.commit()
    assert not user.is_suspended() and user.suspended_until is None and user.suspension_reason is None
    assert db.session.scalars(select(Suspension)).one().lifted_by_id == moderator.id
    actions = db.session.scalars(select(AuditLogEntry.action).order_by(AuditLogEntry.id)).all()
    assert actions == ["user.suspend", "user.unsuspend"]
    assert suspensions.lift(moderator, user) is False  # nothing left to lift, nothing logged
    assert db.session.scalar(select(db.func.count(AuditLogEntry.id))) == 2


def test_a_new_suspension_replaces_the_live_one(factories):
    moderator, user = make_user(role=Role.MODERATOR), make_user()
    suspensions.suspend(moderator, user, 30, "First")
    suspensions.suspend(moderator, user, 2, "Second")
    rows = db.session.scalars(select(Suspension).order_by(Suspension.id)).all()
    assert rows[0].lifted_at is not None and rows[1].lifted_at is None
    assert user.suspension_reason == "Second"


@pytest.mark.parametrize("actor_role,target_role,self_target", [
    (Role.MEMBER, Role.MEMBER, False),
    (Role.MODERATOR, Role.ADMIN, False),
    (Role.MODERATOR, Role.MODERATOR, True),
])
def test_who_cannot_suspend(factories, actor_role, target_role, self_target):
    actor = make_user(role=actor_role)
    target = actor if self_target else make_user(role=target_role)
    with pytest.raises(Forbidden):
        suspensions.suspend(actor, target, 1, "reason")
    assert not target.is_suspended()
    assert db.session.scalar(select(db.func.count(AuditLogEntry.id))) == 0


@pytest.mark.parametrize("days,reason,field", [(0, "ok", "days"), (5000, "ok", "days"), (3, "  ", "reason"),
                                               (3, "x" * 501, "reason")])
def test_bad_input_is_refused(factories, days, reason, field):
    moderator, user = make_user(role=Role.MODERATOR), make_user()
    with pytest.raises(Invalid) as error:
        suspensions.suspend(moderator, user, days, reason)
    assert error.value.field == field
    assert not user.is_suspended()


def test_the_end_reads_in_the_site_time_zone_with_the_zone_named(factories):
    ends = datetime(2026, 12, 14, 9, 0)  # UTC, as stored
    assert suspensions.format_until(ends) == "2026-12-14 18:00 JST"  # the default zone: Asia/Tokyo
    admin = make_user(role=Role.ADMIN)
    site_settings.save_support_hours(admin, "America/New_York", [0, 1, 2, 3, 4], "09:00", "17:00")
    assert suspensions.format_until(ends) == "2026-12-14 04:00 EST"


def test_every_message_gives_the_same_end(factories):
    moderator, user = make_user(role=Role.MODERATOR), make_user()
    suspensions.suspend(moderator, user, 3, "Rude replies")
    until = suspensions.format_until(user.suspended_until)
    assert until.endswith(" JST")
    with pytest.raises(Forbidden) as error:
        suspensions.require_not_suspended(user)
    assert until in str(error.value.message)
    notification = db.session.scalars(select(Notification).where(Notification.user_id == user.id)).one()
    assert until in notification.text
