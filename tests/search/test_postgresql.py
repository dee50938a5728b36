"""The PostgreSQL backend's own workings: weights, operators as SQL filters, term counts, "did you mean", writing in
the post's transaction, the one-transaction rebuild and its lock (the rest of tests/search runs on it too; the
postings are in test_postgresql_postings.py)."""
import pytest
from sqlalchemy import func, select, text

from forum import search
from forum.extensions import db
from forum.models import Post, SearchOutbox
from forum.search.backend import THREADS, IndexBusy
from forum.search.documents import build_documents
from forum.search.postgresql import queries, ranking, vectors, writing
from forum.search.query import parse
from forum.services.community import posts
from tests.factories import make_answer, make_comment, make_question

from .conftest import backend_of, found

pytestmark = pytest.mark.usefixtures("postgresql_only")


def stored(question_id: int, column: str) -> str:
    return db.session.execute(text(f"SELECT {column}::text FROM search_documents WHERE kind = 'thread' AND id = :id"),
                              {"id": question_id}).scalar()


def queued(question_id: int) -> bool:
    return db.session.scalar(select(func.count(SearchOutbox.id)).where(SearchOutbox.question_id == question_id)) > 0


def test_each_occurrence_is_labelled_with_its_sections_weight(app):
    question = make_question(title="Sync stops every minute", body="The sync stops after a minute or two.")
    make_comment(question, body="Same sync problem here since Monday.")
    # title A, question B, comment D: ts_rank_cd sums 1 + 0.375 + 0.125 = 1.5, times 4 = the weighted frequency 6
    assert stored(question.id, "text_vector").split("'sync':")[1].split()[0] == "1A,2B,3"
    weighted = db.session.execute(text(
        "SELECT 4 * ts_rank_cd('{0.125,0.25,0.375,1}', text_vector, 'sync', 0) FROM search_documents "
        "WHERE kind = 'thread' AND id = :id"), {"id": question.id}).scalar()
    assert weighted == pytest.approx(4.0 + 1.5 + 0.5)
    assert "'sync':1A" in stored(question.id, "question_vector")  # real positions, title words A


def test_a_title_word_outranks_the_same_word_in_a_comment(app):
    in_comment = make_question(title="Calendar events vanish", body="Events disappear from the shared calendar view.")
    make_comment(in_comment, body="Maybe the webhook deleted them?")
    in_title = make_question(title="Webhook fires twice", body="Every event arrives two times at our endpoint.")
    assert found("webhook") == [in_title.id, in_comment.id]


def test_operators_filter_in_sql_and_leave_the_ranking_alone(app):
    plan = queries.build(parse("sync crash [windows] score:2 answers:1..3 hasaccepted:yes user:7 -[mac]"))
    assert plan.match == ["'sync'", "'crash'"]  # one tsquery for the GIN index: 'sync' & 'crash'
    assert plan.scored == [("text", "sync", 1.0), ("text", "crash", 1.0)]  # operators score nothing
    where = " ".join(plan.conditions)
    for fragment in ("tags @>", "score >=", "answer_count >=", "answer_count <=", "has_accepted =", "author_id =",
                     "ANY(answerer_ids)", "NOT tags &&"):
        assert fragment in where
    strong = make_question(title="Backup fails on the network drive", body="The backup fails every single night.",
                           tags="backup windows")
    weak = make_question(title="Network printer offline", body="Our backup printer is offline.", tags="windows")
    assert found("backup") == [strong.id, weak.id]
    assert found("backup [windows] score:0") == [strong.id, weak.id]


def test_phrases_need_the_words_side_by_side_in_title_or_question(app):
    side_by_side = make_question(title="Error code 42 on start", body="The app shows error code 42 at every start.")
    apart = make_question(title="Code review tool shows an error", body="Every code review ends with an error here.")
    assert found('"error code"') == [side_by_side.id]
    assert found('title:"code review"') == [apart.id]
    assert sorted(found("error code")) == sorted([side_by_side.id, apart.id])


def test_term_counts_and_statistics_follow_every_write(app):
    question = make_question(title="Printer offline after the update", body="The printer is offline since the update.")
    answer = make_answer(question, body="Reinstall the driver of the printer, then restart.")
    other = make_question(title="Scanner offline since Monday", body="The scanner went offline yesterday morning.")
    posts.edit_question(other.author, other, "Scanner unreachable since Monday", "The scanner cannot be reached "
                        "from any computer.", "sync")
    posts.delete_post(answer.author, answer)
    db.session.commit()
    recounted = dict(db.session.execute(text(
        "SELECT lexeme, count(*) FROM search_documents, unnest(text_vector) WHERE kind = 'thread' GROUP BY lexeme")).all())
    counted = dict(db.session.execute(text(
        "SELECT term, documents FROM search_terms WHERE kind = 'thread' AND field = 'text'")).all())
    assert counted == recounted and counted["offlin"] == 1 and "reinstal" not in counted
    statistics = db.session.execute(text("SELECT * FROM search_statistics WHERE kind = 'thread'")).mappings().one()
    sums = db.session.execute(text("SELECT count(*) AS documents, sum(text_length) AS text_length, "
                                   "sum(words_length) AS words_length FROM search_documents WHERE kind = 'thread'")
                              ).mappings().one()
    assert (statistics["documents"], statistics["text_length"]) == (sums["documents"], sums["text_length"]) == (2, sums["text_length"])
    assert statistics["words_length"] == sums["words_length"] > 0


def test_did_you_mean_finds_title_words_by_trigrams_and_edit_distance(app):
    make_question(title="Printer offline after the update", body="Nothing prints any more since last Monday.")
    assert backend_of(app).corrections(["pritner", "ofline", "update", "zzzzzz"]) == {"pritner": "printer",
                                                                                      "ofline": "offline"}


def test_write_documents_lands_in_the_callers_transaction_only(app):
    backend = backend_of(app)
    with search.indexing_deferred():  # as if the commit hooks wrote in the transaction themselves
        question = make_question(title="Written with its post, at once", body="The document commits with the question.",
                                 commit=False)
        with db.session.begin_nested():
            backend.write_documents(db.session.connection(), THREADS, build_documents(db.session, [question.id]))
        assert found("written") == []  # other connections see nothing before the commit
        db.session.commit()
    assert found("written") == [question.id]
    with search.indexing_deferred():
        db.session.get(Post, question.id).title = "Rolled back title about scanners"
        db.session.flush()
        backend.write_documents(db.session.connection(), THREADS, build_documents(db.session, [question.id]))
        db.session.rollback()
    assert found("scanners") == [] and found("written") == [question.id]


def test_a_failing_document_write_rolls_back_its_savepoint_and_keeps_the_post(app):
    backend = backend_of(app)
    with search.indexing_deferred():
        question = make_question(title="Saved although its document is not", body="The post must survive this failure.",
                                 commit=False)
        broken = dict(build_documents(db.session, [question.id])[question.id], score=10**12)  # overflows integer
        with pytest.raises(Exception):
            with db.session.begin_nested():
                backend.write_documents(db.session.connection(), THREADS, {question.id: broken})
        db.session.commit()  # the savepoint rolled back; the rest of the transaction stands
    assert db.session.get(Post, question.id) is not None
    assert queued(question.id)  # the outbox still names it
    assert found("survive") == []
    search.retry_pending()
    assert found("survive") == [question.id]


def test_a_rebuild_holding_the_lock_makes_writers_give_up_into_the_outbox(app):
    service = app.extensions["kotae_search"]
    service.write_timeout, service.retry_after = 0.2, 0
    with db.engine.connect() as rebuilding, rebuilding.begin():
        writing.lock_kind(rebuilding, THREADS, exclusive=True)
        with pytest.raises(IndexBusy):
            with backend_of(app).writer(THREADS, timeout=0.1):
                pass
        waiting = make_question(title="Posted during a rebuild", body="Kept in the outbox until the lock is free.")
    assert found("rebuild") == []
    assert queued(waiting.id)
    make_question()  # the next commit sweeps up the old row
    assert found("rebuild") == [waiting.id]


def test_a_rebuild_keeps_the_old_documents_searchable_until_it_commits(app):
    kept = make_question(title="Kept through the rebuild", body="Still here afterwards, as it should be.")
    dropped = make_question(title="Dropped by the rebuild", body="Gone afterwards, as it should be too.")
    seen_meanwhile = []

    def batches():
        yield [build_documents(db.session, [kept.id])[kept.id]]
        seen_meanwhile.append((found("kept"), found("dropped")))  # another connection, mid-rebuild

    assert backend_of(app).rebuild(THREADS, batches(), timeout=5) == 1
    assert seen_meanwhile == [([kept.id], [dropped.id])]
    assert found("kept") == [kept.id] and found("dropped") == []
    assert backend_of(app).doc_count(THREADS) == 1


def test_occurrences_are_numbered_so_long_threads_count_past_the_last_position():
    entries, length = vectors.counted("filler " * 20000 + "zebra")
    assert len(entries["filler"]) == vectors.MAX_OCCURRENCES and entries["zebra"] == ["1D"]
    assert length == vectors.stored_length(20001)
    positions, _length, _title = vectors.positional("filler " * 20000 + "zebra")
    assert positions["zebra"] == [f"{vectors.MAX_POSITION}D"]  # real positions stop at 16,383


def test_only_words_that_cannot_reach_the_page_are_left_out_of_a_sentence():
    bounds = {"nanodiamond": 10.0, "surfac": 6.0, "improv": 3.0, "relat": 2.0}
    assert ranking.unreachable(bounds, rest=0.0, bar=5.5) == ["relat", "improv"]
    assert ranking.unreachable(bounds, rest=4.0, bar=5.5) == []  # a phrase beside the sentence scores too
    assert ranking.unreachable(bounds, rest=0.0, bar=100.0) == ["relat", "improv", "surfac"]  # never the rarest


def test_a_sentence_with_a_phrase_ranks_every_thread_that_can_reach_the_page(app, monkeypatch):
    monkeypatch.setattr(ranking, "unreachable", lambda best, rest, bar: sorted(best, key=best.get)[:-1])
    for n in range(3):
        make_question(title=f"Passivation improves the surface, case {n}", body="Nanodiamond surfaces with NV "
                      "centers improve after passivation, as measured.")
    assert len(found('why does "nv centers" passivation improve the nanodiamond surface?', per_page=2)) == 2


def test_a_post_and_its_document_commit_together_without_the_outbox(app):
    question = make_question(title="Sync stops on the train", body="The sync stops whenever the train enters a tunnel.")
    assert stored(question.id, "id") == str(question.id) and not queued(question.id)
    answer = make_answer(question, body="Turn on offline mode before the tunnel; it resumes on its own.")
    assert found("tunnel offline") == [question.id] and not queued(question.id)
    posts.delete_post(answer.author, answer)
    db.session.commit()
    assert found("offline mode") == [] and not queued(question.id)


def test_a_failing_write_in_the_transaction_keeps_the_post_and_queues_it(app, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writing, "write_documents", broken)
    question = make_question(title="Printer offline on Mondays", body="Every Monday the printer reports offline.")
    assert db.session.get(Post, question.id) is not None and queued(question.id)  # the post is safe, queued
    monkeypatch.undo()
    assert search.retry_pending() >= 1
    assert found("printer monday") == [question.id]

