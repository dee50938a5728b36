"""The PostgreSQL backend's decoded postings, kept in each app server's memory while their term's version stands
(postgresql/arrays.py): a repeated search reads no postings again, a write through any server renews the versions
of the terms whose postings it changed, and a write that changes no posting (a vote) rewrites none."""
import pytest
from sqlalchemy import event, text, update

from forum.extensions import db
from forum.models import Post
from forum.search.cache import ArrayCache
from forum.search.postgresql import arrays
from forum.unit_of_work import changes
from tests.factories import make_answer, make_question

from .conftest import found
from .test_postgresql_postings import postings_drift

pytestmark = pytest.mark.usefixtures("postgresql_only")

SENTENCE = "why does the desktop app stop syncing after the update?"


@pytest.fixture
def reads(app, monkeypatch):
    """The terms each search reads from search_postings, with an empty cache to begin with."""
    monkeypatch.setattr(arrays, "_cache", ArrayCache(arrays.POSTINGS_CACHE_BYTES))
    fetched: list = []

    def record(_connection, _cursor, statement, parameters, _context, _many):
        if "string_agg(int4send(id)" in statement:
            fetched.extend(parameters["terms"])

    event.listen(db.engine, "before_cursor_execute", record)
    yield fetched
    event.remove(db.engine, "before_cursor_execute", record)


@pytest.fixture
def threads(app):
    made = [make_question(title="Desktop app stops syncing after the update",
                          body="Sync stops every hour on the office PC."),
            make_question(title="Mobile app update on my phone", body="The update on my phone never finishes at all."),
            make_question(title="Calendar sync on Mondays", body="The calendar app never syncs on Mondays.")]
    make_answer(made[0], body="Update the desktop app again: syncing works after that.")
    return made


def versions(words) -> dict:
    return dict(db.session.execute(text("SELECT term, version FROM search_terms WHERE kind = 'thread' AND "
                                        "field = 'text' AND term = ANY(:terms)"), {"terms": list(words)}).all())


def test_a_repeated_search_reads_no_postings_and_ranks_the_same(threads, reads):
    first = found(SENTENCE)
    assert first[0] == threads[0].id and {"desktop", "sync", "updat"} <= set(reads)
    read_once = len(reads)
    assert found(SENTENCE) == first and len(reads) == read_once  # every term from memory
    assert found("desktop app stops syncing after an update")[0] == first[0]
    assert len(reads) == read_once  # the same terms in another sentence: still from memory


def test_a_new_thread_renews_the_versions_of_its_terms_and_is_found_at_once(threads, reads):
    found(SENTENCE)
    before = versions(["desktop", "sync", "calendar"])
    newer = make_question(title="Desktop sync stops after the update again",
                          body="Desktop sync fails since then, every single day.")
    after = versions(["desktop", "sync", "calendar"])
    assert after["desktop"] != before["desktop"] and after["sync"] != before["sync"]
    assert after["calendar"] == before["calendar"]  # not in the new thread: its postings stay as they were
    reads.clear()
    assert newer.id in found(SENTENCE)
    assert {"desktop", "sync", "updat"} <= set(reads) and "calendar" not in reads


def test_a_vote_rewrites_no_posting_and_keeps_every_version(threads, reads):
    question = threads[0]
    found(SENTENCE)
    written = db.session.execute(text("SELECT term, xmin::text FROM search_postings WHERE id = :id"),
                                 {"id": question.id}).all()
    before = versions([term for term, _xmin in written])
    db.session.execute(update(Post).where(Post.id == question.id).values(score=7))
    changes().post(question, "score")
    db.session.commit()
    assert db.session.scalar(text("SELECT score FROM search_documents WHERE kind = 'thread' AND id = :id"),
                             {"id": question.id}) == 7
    assert db.session.execute(text("SELECT term, xmin::text FROM search_postings WHERE id = :id"),
                              {"id": question.id}).all() == written  # the same row versions: not rewritten
    assert versions(before) == before
    reads.clear()
    assert found(SENTENCE)[0] == question.id and reads == []
    assert found(f"{SENTENCE} score:5")[0] == question.id  # the operator sees the new score
    assert postings_drift() == []


def test_an_edit_rewrites_the_postings_and_a_deletion_removes_them(threads, reads):
    from forum.services.community import posts
    question = threads[2]
    found("why does my calendar stop syncing?")
    before = versions(["calendar", "sync"])
    posts.edit_question(question.author, question, "Calendar sync fails on Mondays",
                        "Nothing syncs on Mondays, not even the calendar.", "sync")
    db.session.commit()
    after = versions(["calendar", "sync"])  # in the thread before and after: the same count, new postings
    assert after["calendar"] != before["calendar"] and after["sync"] != before["sync"]
    reads.clear()
    assert found("why does my calendar sync fail?")[0] == question.id and {"fail", "calendar"} <= set(reads)
    assert postings_drift() == []
    posts.delete_post(question.author, question)
    db.session.commit()
    assert question.id not in found("why does my calendar sync fail?") and postings_drift() == []
