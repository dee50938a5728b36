"""`flask search reindex | check | retry`."""
from sqlalchemy import text

from forum.extensions import db
from forum.models import Post
from tests.factories import make_question

from .conftest import found, lose_index


def test_reindex_rebuilds_and_check_passes(app, runner, index_dir):
    questions = [make_question() for _ in range(3)]
    lose_index(app, index_dir)
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1 and "3 missing" in result.output
    result = runner.invoke(args=["search", "reindex", "--procs", "1"])
    assert result.exit_code == 0, result.output
    assert "Indexed 3 threads" in result.output
    assert sorted(found("sync")) == sorted(q.id for q in questions)
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 0 and "matches the database" in result.output


def test_reindex_if_missing_only_builds_once(app, runner, index_dir):
    make_question()
    result = runner.invoke(args=["search", "reindex", "--if-missing"])
    assert result.exit_code == 0 and "leaving it" in result.output
    lose_index(app, index_dir)
    result = runner.invoke(args=["search", "reindex", "--if-missing", "--procs", "1"])
    assert result.exit_code == 0 and "Indexed 1 threads" in result.output


def test_check_reports_stale_documents_and_retry_is_harmless(runner):
    question = make_question()
    db.session.connection().execute(text("UPDATE posts SET title = 'Changed behind our back' WHERE id = :id"),
                                    {"id": question.id})  # behind the app's back: no session events
    db.session.commit()
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1 and f"1 stale: {question.id}" in result.output
    assert runner.invoke(args=["search", "retry"]).exit_code == 0
    db.session.expire_all()
    assert db.session.get(Post, question.id).title == "Changed behind our back"


def test_a_removed_index_means_no_results_not_an_error(app, client, index_dir):
    client.application.config["PAGE_CACHE_ENABLED"] = False  # each search must reach the index
    make_question()
    assert client.get("/search?q=sync").status_code == 200
    lose_index(app, index_dir)
    response = client.get("/search?q=sync")
    assert response.status_code == 200 and "not ready yet" in response.get_data(as_text=True)
