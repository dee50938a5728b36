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


def test_guidelines_have_a_text_per_language_with_the_other_as_fallback(admin):
    site_settings.save_guidelines(admin, "Be kind.", "親切にしましょう。")
    assert "親切に" in site_settings.get_guidelines("ja").html
    assert "Be kind." in site_settings.get_guidelines("en").html
    site_settings.save_guidelines(admin, "", "親切にしましょう。")  # no English: English readers see the Japanese
    shown = site_settings.get_guidelines("en")
    assert "親切に" in shown.html and shown.language == "ja" and not shown.is_default
    site_settings.save_guidelines(admin, "Be kind.")  # None keeps the stored Japanese
    assert "親切に" in site_settings.get_guidelines("ja").html


def test_guidelines_stored_before_they_were_bilingual_count_as_their_detected_language(admin):
    from forum.services.site_settings import GUIDELINES_KEY, _store
    _store(admin, GUIDELINES_KEY, {"markdown": "親切にしましょう。", "html": "<p>親切にしましょう。</p>"})
    assert set(site_settings.guideline_texts()) == {"ja"}
    assert site_settings.get_guidelines("en").markdown == "親切にしましょう。"


def test_support_hours_notes_follow_the_ui_language_with_the_other_as_fallback(admin):
    hours = site_settings.save_support_hours(admin, "Asia/Tokyo", [0], "09:00", "18:00", note_ja="年末年始は休みです。",
                                             note_en="Closed over New Year.")
    assert (hours.note("ja"), hours.note("en")) == ("年末年始は休みです。", "Closed over New Year.")
    hours = site_settings.save_support_hours(admin, "Asia/Tokyo", [0], "09:00", "18:00", note_ja="年末年始は休みです。")
    assert site_settings.get_support_hours().note("en") == "年末年始は休みです。"
    with pytest.raises(Invalid):
        site_settings.save_support_hours(admin, "Asia/Tokyo", [0], "09:00", "18:00", note_en="x" * 501)


@pytest.fixture
def admin(db):
    return make_user(role=Role.ADMIN)
