"""Commits index, rollbacks don't, failures are retried from the outbox, and the index never drifts."""
import logging

from sqlalchemy import func, select, text, update

from forum import search
from forum.extensions import db
from forum.models import Post, SearchOutbox, utcnow
from forum.search.backend import THREADS
from forum.services.community import comments, posts
from forum.unit_of_work import changes
from tests.factories import make_answer, make_comment, make_question, make_user

from .conftest import add_ghost, backend_of, document_version, found, remove_document


def outbox_rows() -> int:
    return db.session.scalar(select(func.count(SearchOutbox.question_id.distinct())))


def test_a_commit_indexes_the_question_and_clears_its_outbox_row(app):
    question = make_question(title="Calendar widget shows the wrong timezone", body="Events appear one hour "
                             "late since the clocks changed in spring.")
    assert found("timezone") == [question.id]
    assert found("clocks") == [question.id]
    assert outbox_rows() == 0


def test_a_rolled_back_transaction_leaves_the_index_untouched(app):
    committed = make_question(title="A committed question about printers", body="The printer queue is stuck again "
                              "today.")
    version = document_version(app, THREADS, committed.id)
    make_question(title="A rolled back question about scanners", body="The scanner never shows up at all.",
                  commit=False)
    db.session.rollback()
    assert document_version(app, THREADS, committed.id) == version
    assert found("scanner") == []
    assert outbox_rows() == 0


def test_a_rolled_back_savepoint_keeps_the_rest_of_the_transaction(app):
    question = make_question(commit=False)
    try:
        with db.session.begin_nested():
            make_question(title="Inside a savepoint that fails", body="This text must never be searchable.",
                          commit=False)
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    db.session.commit()
    assert found("sync") == [question.id]
    assert found("savepoint") == []


def test_a_failing_index_write_still_saves_the_post_and_the_outbox_retries_it(app, monkeypatch, caplog):
    monkeypatch.setattr(logging.getLogger("forum.search.indexer"), "disabled", False)  # alembic's fileConfig

    def broken_writer(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(backend_of(app), "writer", broken_writer)
    monkeypatch.setattr(backend_of(app), "write_documents", broken_writer, raising=False)  # PostgreSQL's own
    question = make_question(title="Saved although the index is broken", body="The index write fails, the "
                             "question is committed all the same.")
    assert db.session.get(Post, question.id) is not None
    assert outbox_rows() == 1
    assert "stay in the outbox" in caplog.text
    monkeypatch.undo()
    assert found("broken") == []
    assert search.retry_pending() == 1
    assert found("broken") == [question.id]
    assert outbox_rows() == 0


def test_a_locked_index_waits_then_gives_up_and_a_later_commit_catches_up(app, index):
    """(Whoosh's lock file; tests/search/test_postgresql.py holds the PostgreSQL backend's lock.)"""
    app.extensions["kotae_search"].write_timeout = 0.2
    app.extensions["kotae_search"].retry_after = 0
    index.open()
    blocker = index.open().writer()  # another worker holding the lock
    try:
        first = make_question(title="Posted while another worker writes", body="This must not raise a "
                              "LockError to the person posting it.")
    finally:
        blocker.cancel()
    assert outbox_rows() == 1 and found("worker") == []
    second = make_question(title="The next post sweeps up the old outbox rows", body="Old rows are retried "
                           "by later commits.")
    assert found("worker") == [first.id] and found("sweeps") == [second.id]
    assert outbox_rows() == 0


def test_editing_a_question_replaces_its_document(app):
    question = make_question(title="Export to spreadsheet loses accents", body="Accented letters turn into "
                             "question marks in the exported file.")
    posts.edit_question(question.author, question, "Export to spreadsheet loses umlauts",
                        "Umlauts turn into question marks in the exported file.", "export csv")
    db.session.commit()
    assert found("accents") == []
    assert found("umlauts") == [question.id]
    assert found("[csv]") == [question.id] and found("[sync]") == []


def test_deleting_removes_and_undeleting_restores(app):
    question = make_question(title="Delete me later please friends", body="Nothing special in this body text.")
    posts.delete_post(question.author, question)
    db.session.commit()
    assert found("friends") == []
    posts.undelete_post(question.author, question)
    db.session.commit()
    assert found("friends") == [question.id]


def test_answers_and_comments_are_part_of_the_thread(app):
    question = make_question()
    answer = make_answer(question, body="Reinstall the companion plugin and restart the laptop.")
    comment = make_comment(question, body="The companion plugin from the answer fixed it for me.")
    assert found("reinstall plugin") == [question.id]
    assert found("is:answer reinstall") == [question.id]
    assert found("is:question reinstall") == []
    posts.delete_post(answer.author, answer)
    db.session.commit()
    assert found("reinstall") == []
    assert found("companion") == [question.id]  # the comment is still there
    comments.delete_comment(comment.author, comment)
    db.session.commit()
    assert found("companion") == []


def test_accepting_and_voting_update_the_document(app):
    question = make_question()
    answer = make_answer(question, body="Switch the proxy setting to automatic detection.")
    assert found("hasaccepted:yes") == []
    question.accepted_answer_id = answer.id
    db.session.commit()
    assert found("hasaccepted:yes") == [question.id]
    assert found("isaccepted:yes proxy") == [question.id]
    assert found("isaccepted:no proxy") == []
    db.session.execute(update(Post).where(Post.id == question.id).values(score=Post.score + 5)
                       .execution_options(synchronize_session=False))
    changes().post(question, "score")  # a bulk UPDATE is recorded by whoever runs it, as the votes service does
    db.session.commit()
    assert found("score:5") == [question.id]
    assert found("score:6") == []


def test_view_counts_do_not_rewrite_the_index(app):
    question = make_question()
    version = document_version(app, THREADS, question.id)
    db.session.execute(update(Post).where(Post.id == question.id).values(view_count=Post.view_count + 1))
    db.session.commit()
    assert document_version(app, THREADS, question.id) == version


def test_many_small_commits_never_return_stale_duplicates(app):
    """The cached searcher is replaced, never refresh()ed: forks of Whoosh return merged-away segments."""
    author = make_user()
    questions = []
    for n in range(25):
        questions.append(make_question(author=author, title=f"Duplicate check number {n} for refresh",
                                       body="Every commit adds a small segment and triggers merges."))
        assert sorted(found("refresh")) == sorted(q.id for q in questions)  # searcher cached between commits
    first = questions[0]
    for n in range(15):
        posts.edit_question(author, first, f"Duplicate check edited {n} for refresh", first.body_md + " x",
                            "sync")
        db.session.commit()
        assert found("refresh").count(first.id) == 1
    assert len(found("refresh")) == 25


def test_check_reports_missing_stale_and_extra(app):
    kept, changed, removed = make_question(), make_question(), make_question()
    remove_document(app, THREADS, kept.id)
    add_ghost(app, THREADS, 999999)
    connection = db.session.connection()  # changed behind the app's back: no session events
    connection.execute(text("UPDATE posts SET score = 3 WHERE id = :id"), {"id": changed.id})
    db.session.commit()
    report = search.check()
    assert report.missing == [kept.id] and report.stale == [changed.id] and report.extra == [999999]
    assert not report.ok
    assert removed.id not in report.missing + report.stale
    search.reindex_all(procs=1)
    assert search.check().ok


def test_reindex_with_two_processes_rebuilds_everything(app):
    ids = [make_question(title=f"Reindex me number {n} with workers", body="ファイルの同期が途中で止まってしまいます。どうすればいいですか。").id
           for n in range(12)]
    remove_document(app, THREADS, ids[0])
    counted = []
    report = search.reindex_all(progress=counted.append, procs=2)
    assert report.threads == 12 and sum(counted) == 12
    assert sorted(found("reindex")) == sorted(ids)
    assert sorted(found("同期")) == sorted(ids)
    assert search.check().ok


def test_deferred_indexing_queues_in_the_outbox(app):
    with search.indexing_deferred():
        question = make_question(title="Imported later in bulk from a dump", body="Bulk imports index at the end.")
    assert found("imported") == [] and outbox_rows() == 1
    search.retry_pending()
    assert found("imported") == [question.id]


def test_posts_hidden_by_flags_leave_the_index_and_come_back_when_unhidden(app):
    question = make_question(title="Cheap watches here", body="Visit my shop for the cheapest watches today.")
    answer = make_answer(make_question(title="Battery drains overnight", body="The battery is empty every "
                                       "morning although the phone was idle."),
                         body="Spam answer selling discount sunglasses for everyone.")
    post, spam = db.session.get(Post, question.id), db.session.get(Post, answer.id)
    post.hidden_at = spam.hidden_at = utcnow()
    db.session.commit()
    assert found("watches") == [] and found("sunglasses") == []
    assert search.check().ok
    post.hidden_at = None
    db.session.commit()
    assert found("watches") == [question.id]
