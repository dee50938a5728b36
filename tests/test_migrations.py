"""The schema comes only from migrations; they must produce exactly what the models declare."""
import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from forum.extensions import db
from forum.search.postgresql.tables import TABLE_NAMES as SEARCH_TABLES


def included(name, type_, parent_names) -> bool:
    """Everything but the PostgreSQL search backend's tables (tsvectors, not models; see migrations/env.py)."""
    return not (type_ == "table" and name in SEARCH_TABLES)


def test_upgrade_on_an_empty_database_matches_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": included})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_upgrade_creates_every_table_and_records_the_revision(app):
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables


@pytest.mark.sqlite_only
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_accounts_that_existed_before_verification_count_as_verified(app):
    """Nothing changes for existing members: the migration that adds email_verified_at fills it in."""
    flask_migrate.downgrade(revision="d5e6f7a8b9c0")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO users (username, username_key, email, password_hash, role, about_md, about_html, reputation,"
            " reputation_total, created_at, email_notifications) VALUES ('old', 'old', 'old@example.com', 'x',"
            " 'member', '', '', 1, 0, '2025-01-02 03:04:05', 'instant')"))
    flask_migrate.upgrade()
    with db.engine.connect() as connection:
        verified, deleted = connection.execute(text(
            "SELECT email_verified_at, deleted_at FROM users WHERE username_key = 'old'")).one()
    assert verified is not None and deleted is None
