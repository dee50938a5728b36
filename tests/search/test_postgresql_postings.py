"""The PostgreSQL backend's postings (`search_postings`): kept exact by every write and the rebuild, the common
bigrams left out, the bounds that let a sentence skip common words, and plain searches ranked from them exactly as
from the vectors."""
import pytest
from sqlalchemy import text

from forum import search
from forum.extensions import db
from forum.search import query as search_query
from forum.search.analysis import GRAM_MARK
from forum.search.backend import THREADS
from forum.search.postgresql import ranking, scoring
from forum.search.query import sentence_grams
from forum.services.community import posts
from forum.services.community.search import fetch_questions
from tests.factories import make_answer, make_comment, make_question

from .conftest import backend_of, found

pytestmark = pytest.mark.usefixtures("postgresql_only")


def postings_drift() -> list:
    """Postings that disagree with the stored vectors: missing (unless the term is not posted), extra, or a
    frequency `ts_rank_cd` disagrees with, or lengths not their thread's."""
    return db.session.execute(text(
        "SELECT coalesce(p.term, v.term), coalesce(p.id, v.id), p.frequency, v.frequency FROM search_postings AS p "
        "FULL JOIN (SELECT entry.lexeme AS term, d.id, 4 * ts_rank_cd('{0.125,0.25,0.375,1}', d.text_vector, "
        "   quote_literal(entry.lexeme)::tsquery, 0) AS frequency, d.text_length AS length, d.words_length "
        "   FROM search_documents AS d, unnest(d.text_vector) AS entry WHERE d.kind = 'thread' AND NOT EXISTS ("
        "   SELECT FROM search_terms AS t WHERE t.kind = 'thread' AND t.field = 'text' AND t.term = entry.lexeme "
        "   AND NOT t.posted)) AS v "
        "ON p.term = v.term AND p.id = v.id "
        "WHERE p.term IS NULL OR v.term IS NULL OR abs(p.frequency - v.frequency) > 1e-4 OR p.length <> v.length "
        "OR p.words_length <> v.words_length"
    )).all()


def test_postings_follow_every_write_and_the_rebuild(app):
    question = make_question(title="Sync stops every minute", body="The sync stops after a minute or two.")
    make_comment(question, body="Same sync problem here since Monday.")
    answer = make_answer(question, body="Restart the sync service, then the sync resumes.")
    other = make_question(title="Calendar sync on Mondays", body="The calendar never syncs on Mondays.")
    posts.edit_question(other.author, other, "Calendar sync broken since Monday", "Nothing syncs any more at all.", "sync")
    posts.delete_post(answer.author, answer)
    db.session.commit()
    assert db.session.scalar(text("SELECT frequency FROM search_postings WHERE term = 'sync' AND id = :id"),
                             {"id": question.id}) == pytest.approx(4.0 + 1.5 + 0.5)  # title, question, comment
    assert postings_drift() == [] and bounds_below_the_truth() == []
    search.reindex_all()
    assert postings_drift() == [] and db.session.scalar(text("SELECT count(*) FROM search_postings")) > 0
    assert bounds_below_the_truth() == []


def unposted_terms() -> set[str]:
    return set(db.session.scalars(text("SELECT term FROM search_terms WHERE kind = 'thread' AND field = 'text' "
                                       "AND NOT posted")))


def postings_of(terms, thread_id: int | None = None) -> int:
    return db.session.scalar(text("SELECT count(*) FROM search_postings WHERE term = ANY(:terms) "
                                  "AND (CAST(:id AS int) IS NULL OR id = :id)"),
                             {"terms": list(terms), "id": thread_id})


def test_a_rebuild_leaves_the_commonest_bigrams_out_of_the_postings_and_the_rankings_stay(app, monkeypatch):
    """Bigrams in too many threads score no sentence (query.common_grams_floor), so a rebuild keeps no postings
    for them (a third of the rows at 100,000 threads), later writes add none, and every search ranks as before."""
    monkeypatch.setattr(search_query, "GRAM_COMMON_MIN_DOCS", 3)  # as if です were in thousands of threads
    made = [make_question(title=title, body=body) for title, body in [
        ("アップデート後にアプリの同期が止まってしまいます", "デスクトップアプリの同期がアップデートのたびに止まります。困っています。"),
        ("同期の設定はどこの画面で変更できますか", "スマホの同期設定を変更したいです。アップデートの後で場所が変わりました。"),
        ("パスワードを忘れてログインできなくなりました", "ログインできません。パスワードの再設定メールを何度送っても届きません。"),
        ("スマホのアプリで通知が表示されません", "スマホで通知が表示されません。アプリの設定は何度も確認しました。"),
        ("毎月の請求書をエクスポートしたいです", "毎月の請求書を CSV でエクスポートする方法を教えてください。")]]
    asked = ["アップデート後に同期が止まるのはなぜですか", "パスワードの再設定メールが届かないのはなぜですか",
             "スマホで通知が表示されないときはどうすればいいですか", "請求書 エクスポート"]
    before = [found(query) for query in asked]
    rows_before = db.session.scalar(text("SELECT count(*) FROM search_postings"))
    assert unposted_terms() == set()  # written one by one: every term is posted until a rebuild reckons

    search.reindex_all()
    unposted = unposted_terms()
    assert unposted and all(term.startswith(GRAM_MARK) for term in unposted)
    assert postings_of(unposted) == 0 and db.session.scalar(text("SELECT count(*) FROM search_postings")) < rows_before
    assert postings_of({"~請求"}) == 1 and "~請求" not in unposted  # in one thread: still scores sentences
    assert any(set(sentence_grams(query)) & unposted for query in asked)
    stats = scoring.load(db.session.connection(), THREADS, unposted)
    assert [gram for gram in unposted if stats.df("text", gram)] == []  # unknown to the searches, whatever its count
    assert [found(query) for query in asked] == before
    assert before[0][0] == made[0].id and before[2][0] == made[3].id

    newer = make_question(title="アップデートの後で同期が止まりました", body="アップデートのあとで同期が止まります。今月の請求書も出せなくなりました。")
    assert postings_of(unposted, newer.id) == 0 and postings_of({"~請求"}, newer.id) == 1
    assert postings_drift() == []
    assert newer.id in found("同期が止まったのはなぜですか")


def bounds_below_the_truth() -> list:
    """Terms whose bound (as scoring.load reads it) is below the share some thread really earns with them."""
    stats = scoring.load(db.session.connection(), THREADS, set(db.session.scalars(text(
        "SELECT term FROM search_terms WHERE kind = 'thread' AND field = 'text'"))))
    flat, scaled = ranking.K1 * (1 - ranking.B), ranking.K1 * ranking.B / stats.average("text")
    shares = db.session.execute(text("SELECT term, max(frequency / (frequency + :flat + :scaled * length)) "
                                     "FROM search_postings GROUP BY term"), {"flat": flat, "scaled": scaled}).all()
    return [(term, share, stats.share_bound(term)) for term, share in shares if stats.share_bound(term) < share]


def test_term_bounds_stay_above_every_threads_share_as_posts_come_and_go(app):
    long_one = make_question(title="Printer offline after the update", body="Printer printer printer. " * 30)
    make_question(title="Printer offline again today", body="The printer is offline again since this morning.")
    assert bounds_below_the_truth() == []
    short = make_question(title="Printer printer printer", body="Printer printer printer printer offline.")
    posts.delete_post(long_one.author, long_one)
    posts.edit_question(short.author, short, "Printer printer printer offline", "Printer offline, printer "
                        "printer printer printer.", "printer")
    db.session.commit()
    assert bounds_below_the_truth() == []
    stats = scoring.load(db.session.connection(), THREADS, {"printer", "offlin"})
    assert 0 < stats.share_bound("offlin") < stats.share_bound("printer") < 1


def test_plain_searches_rank_from_the_postings_exactly_as_from_the_vectors(app, monkeypatch):
    texts = [("Sync stops after the update", "The desktop app stops syncing after every update."),
             ("Desktop app keeps resetting", "Since the last update the settings keep resetting on the desktop."),
             ("Update fails with error 42", "The update stops with error 42 on the desktop app."),
             ("Calendar does not sync", "Events never sync to the calendar app on my phone."),
             ("How do I reset my password?", "I forgot the password and the reset mail never arrives."),
             ("アップデート後にアプリの同期が止まってしまいます", "デスクトップアプリの同期がアップデートのたびに止まります。困っています。"),
             ("同期の設定はどこの画面で変更できますか", "スマホの同期設定を変更したいです。アップデートの後で場所が変わりました。")]
    made = [make_question(title=title, body=body) for title, body in texts]
    make_answer(made[3], body="Turn sync off and on again in the app's settings; the update fixed it for me.")
    used = []
    real = ranking.run_postings
    monkeypatch.setattr(ranking, "run_postings", lambda *args, **kwargs: used.append(1) or real(*args, **kwargs))
    asked = ["sync", "desktop app", "update stops", "why does the desktop app keep resetting after the update?",
             "アップデート後に同期が止まるのはなぜですか", "password reset", "同期 アップデート"]
    from_postings = [found(query) for query in asked]
    assert len(used) == len(asked)
    monkeypatch.setattr(ranking, "postings_terms", lambda plan: None)  # the four-level statement over the vectors
    assert [found(query) for query in asked] == from_postings
    assert from_postings[0][:2] == [made[0].id, made[3].id] and from_postings[1][0] == made[1].id
    assert from_postings[4][:2] == [made[5].id, made[6].id]  # scored with the sentence's bigrams on both paths


def test_a_language_filter_keeps_plain_searches_on_the_postings_with_the_same_ranking(app, monkeypatch):
    made = [make_question(title=title, body=body) for title, body in [
        ("Sync stops after the update", "The desktop app stops syncing after every update."),
        ("同期がアップデートの後に止まってしまう", "デスクトップアプリの sync がアップデートのたびに止まります。"),
        ("Update fails with error 42", "The update stops with error 42 on the desktop app; sync too.")]]
    assert [q.language for q in made] == ["en", "ja", "en"]
    used = []
    real = ranking.run_postings
    monkeypatch.setattr(ranking, "run_postings", lambda *args, **kwargs: used.append(args[5]) or real(*args, **kwargs))
    asked = ["sync", "update stops", "sync update desktop"]
    from_postings = [found(query, language="en") for query in asked]
    assert used == ["en"] * len(asked)
    assert found("sync", language="ja") == [made[1].id]
    monkeypatch.setattr(ranking, "postings_terms", lambda plan: None)  # the four-level statement over the vectors
    assert [found(query, language="en") for query in asked] == from_postings
    assert all(made[1].id not in ids for ids in from_postings)


def test_a_sentence_with_few_postings_reads_them_all_without_pruning(app, monkeypatch):
    for n in range(3):
        make_question(title=f"App sync stops, report {n}", body="The app sync stops every single day " + "again " * n)
    tried = []
    monkeypatch.setattr(ranking, "_pruned", lambda *args: tried.append(1))
    page = search.search("why does the app sync stop every day?", fetch=fetch_questions, per_page=2)
    assert tried == [] and page.exact and page.total == 3 and len(page.items) == 2


def test_a_sentence_skips_its_common_words_only_when_the_page_is_exactly_the_same(app, monkeypatch):
    for n in range(12):
        make_question(title=f"App sync stops, report {n}", body="The app sync stops every single day " + "again " * n)
    for n, rare in enumerate(["passphrase", "keychain", "passphrase keychain"]):
        make_question(title=f"Sync asks for the {rare}", body=f"The app sync keeps asking for the {rare} ({n}).")
    monkeypatch.setattr(ranking, "FIRST_PASS_POSTINGS", 4)  # as if "app" and "sync" were in thousands of threads
    monkeypatch.setattr(ranking, "PRUNE_ABOVE", 0)
    monkeypatch.setattr(ranking, "CANDIDATES", 4)
    pruned = []
    real = ranking._pruned
    monkeypatch.setattr(ranking, "_pruned", lambda *args: pruned.append(result := real(*args)) or result)
    asked = ["why does the app sync keep asking for the keychain passphrase?", "why does the app sync stop?"]
    backend = backend_of(app)  # the best thread alone (the search page asks for phrases.RERANK_DEPTH)
    skipping = [backend.search(search_query.parse(query), "relevance", 1) for query in asked]
    monkeypatch.setattr(ranking, "_pruned", lambda *args: None)
    reading_all = [backend.search(search_query.parse(query), "relevance", 1) for query in asked]
    assert pruned[0] is not None  # the rare words decide the page: "app" and "sync" were left out
    assert [hits.ids for hits in skipping] == [hits.ids for hits in reading_all]
    assert skipping[0].exact is False and reading_all[0].exact is True


@pytest.mark.parametrize("required, coordination, exclude", [(1, None, None), (2, None, None), (1, 0.9, None),
                                                              (1, None, "first")])
def test_posting_arrays_rank_as_the_grouped_sql_did(app, required, coordination, exclude):
    """`arrays.ranked` (postings packed by PostgreSQL, summed in numpy) returns the rows, ranks and totals of
    the SQL aggregate it replaced, with a required count, Whoosh's coordination bonus or a thread left out."""
    from forum.search.postgresql.arrays import PostingArrays, ranked
    made = [make_question(title=title, body=body) for title, body in [
        ("Sync stops after the update", "The desktop app stops syncing after every update, sync again."),
        ("Desktop app keeps resetting", "Since the last update the settings keep resetting on the desktop."),
        ("Update fails with error 42", "The update stops with error 42 on the desktop app."),
        ("Calendar does not sync at all", "Events never sync to the calendar app on my phone.")]]
    connection = db.session.connection()
    words = {"sync", "updat", "desktop", "app"}
    stats = scoring.load(connection, THREADS, words)
    weights = {word: stats.idf("text", word) * (ranking.K1 + 1) for word in words}
    norm = {"flat": ranking.K1 * (1 - ranking.B), "scaled": ranking.K1 * ranking.B / stats.average("text")}
    shape = ranking.Shape(coordination=coordination, exclude_id=made[0].id if exclude else None)
    from_sql = ranking._aggregated(connection, weights, norm, 10, shape, required=required)
    from_arrays = ranked(PostingArrays(connection), weights, norm, 10, required, coordination, shape.exclude_id)
    assert [row["id"] for row in from_arrays] == [row["id"] for row in from_sql] and from_arrays
    assert [row["rank"] for row in from_arrays] == pytest.approx([row["rank"] for row in from_sql], rel=1e-9)
    assert {row["total"] for row in from_arrays} == {row["total"] for row in from_sql}
