"""Support hours and guidelines stored as site settings: defaults, admins only, audit-logged, one query."""
import json

import pytest
from sqlalchemy import select

from forum.models import AuditLogEntry, Role, SiteSetting
from forum.services import site_settings
from forum.services.business_hours import SupportHours
from forum.services.errors import Forbidden, Invalid
from tests.factories import make_user
from tests.helpers import counted_statements


def test_defaults_when_nothing_is_stored(db):
    assert site_settings.get_support_hours() == SupportHours()
    guidelines = site_settings.get_guidelines()
    assert guidelines.is_default and "<h2>" in guidelines.html


def test_admin_saves_hours_and_the_change_is_audited(db):
    admin = make_user(role=Role.ADMIN)
    site_settings.save_support_hours(admin, "America/New_York", [0, 2, 4], "08:30", "17:00", "2026-12-25")
    db.session.commit()
    hours = site_settings.get_support_hours()
    assert hours == SupportHours("America/New_York", (0, 2, 4), "08:30", "17:00", ("2026-12-25",))
    entry = db.session.scalar(select(AuditLogEntry).filter_by(action="settings.hours"))
    assert entry.actor_id == admin.id
    assert json.loads(entry.detail)["after"]["timezone"] == "America/New_York"


@pytest.mark.parametrize("role", [Role.MEMBER, Role.MODERATOR])
def test_only_admins_change_settings(db, role):
    user = make_user(role=role)
    with pytest.raises(Forbidden):
        site_settings.save_support_hours(user, "Asia/Tokyo", [0], "09:00", "18:00")
    with pytest.raises(Forbidden):
        site_settings.save_guidelines(user, "Be nice.")
    assert db.session.scalar(select(SiteSetting)) is None


def test_invalid_hours_store_nothing(db):
    admin = make_user(role=Role.ADMIN)
    with pytest.raises(Invalid):
        site_settings.save_support_hours(admin, "Nowhere/Atlantis", [0], "09:00", "18:00")
    db.session.rollback()
    assert db.session.scalar(select(SiteSetting)) is None
    assert db.session.scalar(select(AuditLogEntry)) is None


def test_guidelines_are_rendered_and_sanitised(db):
    admin = make_user(role=Role.ADMIN)
    site_settings.save_guidelines(admin, "## Rules\n\nBe **kind**.\n\n<script>alert(1)</script>")
    db.session.commit()
    guidelines = site_settings.get_guidelines()
    assert not guidelines.is_default
    assert "<strong>kind</strong>" in guidelines.html and "<script>" not in guidelines.html
    assert db.session.scalar(select(AuditLogEntry.action)) == "settings.guidelines"


def test_blank_guidelines_restore_the_default(db):
    admin = make_user(role=Role.ADMIN)
    site_settings.save_guidelines(admin, "Short rules.")
    db.session.commit()
    site_settings.save_guidelines(admin, "   ")
    db.session.commit()
    assert site_settings.get_guidelines().is_default


def test_too_long_guidelines_are_refused(db):
    admin = make_user(role=Role.ADMIN)
    with pytest.raises(Invalid):
        site_settings.save_guidelines(admin, "x" * (site_settings.GUIDELINES_MAX + 1))


def test_settings_are_read_once_per_transaction_and_never_stale(db):
    db.session.commit()
    with counted_statements() as statements:
        site_settings.get_support_hours()
        site_settings.get_guidelines()
        site_settings.support_summary("en")
    assert len(statements) == 1
    # Another worker changes the hours: the next transaction sees it.
    admin = make_user(role=Role.ADMIN)
    db.session.execute(SiteSetting.__table__.insert().values(
        key="support_hours", value=json.dumps(SupportHours(timezone="Europe/Paris").to_json()),
        updated_by_id=admin.id))
    db.session.commit()
    assert site_settings.get_support_hours().timezone == "Europe/Paris"


def test_unreadable_setting_falls_back_to_defaults(db):
    db.session.add(SiteSetting(key="support_hours", value="{not json"))
    db.session.commit()
    assert site_settings.get_support_hours() == SupportHours()
