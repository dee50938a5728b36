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


def test_existing_questions_and_faq_entries_get_the_language_of_their_text(app):
    """The migration that adds posts.language detects it for the questions already asked."""
    flask_migrate.downgrade(revision="0a1b2c3d4e5f")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO users (id, username, username_key, email, password_hash, role, about_md, about_html,"
            " reputation, reputation_total, created_at, email_notifications, email_verified_at) VALUES (1, 'old',"
            " 'old', 'old@example.com', 'x', 'member', '', '', 1, 0, '2025-01-02 03:04:05', 'instant',"
            " '2025-01-02 03:04:05')"))
        for post_id, post_type, title, body in [(1, "question", "同期が止まる", "Windows アプリの同期が止まります。"),
                                                (2, "question", "Sync stops", "```\nprint('同期')\n```"),
                                                (3, "answer", None, "再起動してください。")]:
            connection.execute(text(
                "INSERT INTO posts (id, post_type, question_id, author_id, title, body_md, body_html, excerpt, score,"
                " view_count, answer_count, comment_count, created_at, last_activity_at) VALUES (:id, :type, :qid,"
                " 1, :title, :body, '', '', 0, 0, 0, 0, '2025-01-02 03:04:05', '2025-01-02 03:04:05')"),
                {"id": post_id, "type": post_type, "qid": 1 if post_type == "answer" else None, "title": title,
                 "body": body})
        connection.execute(text("INSERT INTO faq_categories (id, name, description, position, created_at)"
                                " VALUES (1, 'ログイン', '', 0, '2025-01-02 03:04:05')"))
    flask_migrate.upgrade()
    with db.engine.connect() as connection:
        languages = dict(connection.execute(text("SELECT id, language FROM posts ORDER BY id")).all())
        name_ja = connection.execute(text("SELECT name_ja FROM faq_categories WHERE id = 1")).scalar()
    assert languages == {1: "ja", 2: "en", 3: None}
    assert name_ja == "ログイン"
