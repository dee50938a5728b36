"""The schema comes only from migrations; they must produce exactly what the models declare."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

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
