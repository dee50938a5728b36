"""The transaction's record of changes and the declared commit steps that consume it."""
import logging

import pytest
from sqlalchemy import update

from forum import commit_steps, unit_of_work
from forum.extensions import db
from forum.models import Post
from forum.unit_of_work import CLOSED, CREATED, CommitSteps, changes
from tests.factories import make_answer, make_question

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def seen():
    """Declare recording steps instead of the app's for one test; what each saw, in order of running."""
    calls = []

    def step(name, fail=False):
        def run(_session, record):
            calls.append((name, {post_id: set(change.columns) for post_id, change in record.posts.items()}))
            if fail:
                raise RuntimeError(name)
        return run

    unit_of_work.declare(CommitSteps(before=(step("before-1"), step("before-2")),
                                     after=(step("after-1", fail=True), step("after-2"))))
    yield calls
    unit_of_work.declare(commit_steps.STEPS)


def test_steps_run_in_their_declared_order_and_a_failing_one_does_not_stop_the_next(seen, caplog, monkeypatch):
    monkeypatch.setattr(logging.getLogger("forum.unit_of_work"), "disabled", False)  # Alembic's logging config
    question = make_question(commit=False)
    db.session.commit()
    assert [name for name, _ in seen] == ["before-1", "before-2", "after-1", "after-2"]
    assert CREATED in seen[-1][1][question.id]
    assert "after-commit step" in caplog.text and "RuntimeError" in caplog.text
    seen.clear()
    db.session.commit()  # nothing changed: no step runs
    assert seen == []


def test_a_rollback_drops_the_record_and_sets_nothing_off(seen):
    make_question(commit=False)
    db.session.rollback()
    db.session.commit()
    assert seen == [] and not changes()


def test_a_rolled_back_savepoint_keeps_what_the_transaction_recorded_before_it(seen):
    question = make_question(commit=False)
    with pytest.raises(RuntimeError):
        with db.session.begin_nested():
            make_answer(question, commit=False)
            db.session.flush()
            raise RuntimeError("undo the answer only")
    db.session.commit()
    assert question.id in seen[0][1]


def test_orm_changes_are_recorded_by_column_and_a_close_is_told_from_a_reopen(seen):
    question = make_question()
    seen.clear()
    question.title = "A clearer title for the same problem"
    question.view_count += 1
    question.closed_at = question.created_at
    db.session.commit()
    assert seen[0][1] == {question.id: {"title", "view_count", "closed_at", CLOSED}}
    seen.clear()
    question.closed_at = None
    db.session.commit()
    assert seen[0][1] == {question.id: {"closed_at"}}  # reopened: no CLOSED


def test_a_bulk_update_is_recorded_by_the_service_that_runs_it(seen):
    question = make_question()
    seen.clear()
    db.session.execute(update(Post).where(Post.id == question.id).values(score=Post.score + 1)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    assert seen == []  # the ORM never saw it: unrecorded, it sets nothing off
    db.session.execute(update(Post).where(Post.id == question.id).values(score=Post.score + 1)
                       .execution_options(synchronize_session=False))
    changes().post(question, "score")
    db.session.commit()
    assert seen[0][1] == {question.id: {"score"}}


def test_the_transaction_cache_lives_until_the_commit_or_rollback():
    make_question(commit=False)  # a transaction has begun
    unit_of_work.transaction_cache()["settings"] = {"a": "b"}
    db.session.rollback()
    assert unit_of_work.transaction_cache() == {}
    unit_of_work.transaction_cache()["settings"] = {"a": "b"}
    make_question()
    assert unit_of_work.transaction_cache() == {}


def test_the_app_declares_faq_checks_before_the_outbox_and_indexing_before_mail():
    names = [step.__module__.rsplit(".", 2)[-2] + "." + step.__name__ for step in commit_steps.STEPS.before]
    assert names == ["faq.review_sources", "faq.announce_candidates", "search.write_outbox", "forum.note_changed"]
    names = [step.__name__ for step in commit_steps.STEPS.after]
    # Pages are forgotten after indexing: a search page rendered in between would be kept without the change.
    assert names == ["index_committed", "forget_changed", "wake_sender", "hand_over"]
