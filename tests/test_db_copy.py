"""`flask db copy --to postgresql://...`: a community that started on the embedded SQLite file moves to
PostgreSQL without losing a post, vote or revision, and the site then works on the copy."""
import itertools
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool

from forum import create_app
from forum.extensions import db as _db

from . import pgcluster
from .databases import make_config
from .helpers import ask, login

COMPARED = {  # what a company would miss first, compared row by row
    "posts": "id, question_id, author_id, title, body_md, score, accepted_answer_id, duplicate_of_id, deleted_at",
    "votes": "id, post_id, user_id, value",
    "post_revisions": "id, post_id, number, author_id, body_md, created_at",
    "reputation_events": "id, user_id, amount, reason, post_id, vote_id, reversed_at",
    "users": "id, username, email, password_hash, reputation, role",
}
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def cluster():
    reason = pgcluster.unavailable_reason()
    if reason:
        pytest.skip(reason)
    started = pgcluster.start_cluster()
    yield started
    started.stop()


@pytest.fixture
def target_url(cluster):
    """An empty PostgreSQL database, written as people write it (`postgresql://`, no driver name)."""
    name = f"copy_target_{next(_numbers)}"
    admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield cluster.url(name).replace("postgresql+psycopg://", "postgresql://")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def rows(url: str, table: str) -> list[tuple]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"), poolclass=NullPool)
    columns = _db.metadata.tables[table].c
    with engine.connect() as connection:  # typed columns, so a SQLite date and a PostgreSQL one compare equal
        found = connection.execute(select(*[columns[name] for name in COMPARED[table].split(", ")])
                                   .order_by(columns.id)).all()
    engine.dispose()
    return [tuple(row) for row in found]


def test_copy_moves_every_post_vote_and_revision_and_the_site_works_on_the_copy(
        runner, database_url, target_url, tmp_path):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0

    result = runner.invoke(args=["db", "copy", "--to", target_url])

    assert result.exit_code == 0, result.output
    assert "every table's count matches" in result.output
    for table in COMPARED:
        assert rows(target_url, table) == rows(database_url, table), table
    assert any(row[6] for row in rows(target_url, "posts"))  # accepted answers survived the second pass

    # The copy is a working site: sign in, ask, and the new post gets a fresh id (the sequences moved on).
    moved = create_app(make_config(target_url, tmp_path / "moved-index"))
    highest = max(row[0] for row in rows(target_url, "posts"))
    client = moved.test_client()
    login(client, SimpleNamespace(username=rows(target_url, "users")[0][1]), "kotae-demo")
    response = ask(client, title="Does the copied site accept new questions?",
                   body="Asking on PostgreSQL after the move, with the ids that come next.")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert max(row[0] for row in rows(target_url, "posts")) > highest
    with moved.app_context():
        _db.engine.dispose()


def test_copy_refuses_a_target_with_data_unless_forced(runner, app, database_url, target_url):
    runner.invoke(args=["demo", "load"])
    assert runner.invoke(args=["db", "copy", "--to", target_url]).exit_code == 0
    _db.session.execute(text("DELETE FROM comments"))
    _db.session.commit()
    before = rows(target_url, "posts")

    refused = runner.invoke(args=["db", "copy", "--to", target_url])

    assert refused.exit_code == 1
    assert "already has data" in refused.output and "--force" in refused.output
    assert rows(target_url, "posts") == before

    forced = runner.invoke(args=["db", "copy", "--to", target_url, "--force"])
    assert forced.exit_code == 0, forced.output
    engine = create_engine(target_url.replace("postgresql://", "postgresql+psycopg://"), poolclass=NullPool)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM comments")).scalar_one() == 0
    engine.dispose()


@pytest.mark.sqlite_only  # PostgreSQL never stores a NUL, so only a SQLite source can hold one
def test_a_row_the_target_rejects_stops_the_copy_and_leaves_the_target_empty(runner, app, target_url):
    runner.invoke(args=["demo", "load"])
    _db.session.execute(text("UPDATE posts SET body_md = 'before' || char(0) || 'after' "
                             "WHERE id = (SELECT MAX(id) FROM posts)"))
    _db.session.commit()

    result = runner.invoke(args=["db", "copy", "--to", target_url])

    assert result.exit_code == 1
    assert "left unchanged" in result.output
    assert rows(target_url, "posts") == []


def test_copy_onto_itself_or_to_a_bad_address_is_a_clear_error(runner, database_url):
    itself = runner.invoke(args=["db", "copy", "--to", database_url])
    assert itself.exit_code == 1 and "same database" in itself.output

    unknown = runner.invoke(args=["db", "copy", "--to", "nosuchdb://somewhere/x"])
    assert unknown.exit_code == 2 and "--to" in unknown.output

    unreachable = runner.invoke(args=["db", "copy", "--to", "postgresql://kotae@/x?host=/nonexistent&port=1"])
    assert unreachable.exit_code == 1 and "Cannot reach the target database" in unreachable.output
