"""A sentence's best threads are ranked again by how much of it they say verbatim (forum/search/phrases.py).

Each test first shows that BM25 alone (the backend's own order) puts the thread that scatters the sentence's words
first, then that the search page puts the one saying it in the same words first; keywords keep the backend's order.
"""
import pytest

from forum.search.phrases import folded, phrase_bonus, reranked, verbatim_runs
from forum.search.query import parse, sentence_grams, sentence_terms
from tests.factories import make_question
from tests.helpers import result_ids
from tests.search.conftest import backend_of, found

JA_SENTENCE = "dict.setdefault でキーの値を取得してよいのはどんな場合ですか？"
EN_SENTENCE = "Why does the backup job skip files that are open in another program?"


def _bm25_order(app, text: str) -> list[int]:
    with app.app_context():
        return backend_of(app).search(parse(text), "relevance", 30).ids


@pytest.fixture
def threads(app):
    """Both pairs below, among threads on other subjects (so that words have their usual weights)."""
    others = [("プリンターが印刷できなくなりました", "ドライバーを入れ直しても印刷が始まりません。エラーの表示もありません。"),
              ("メールの通知が届かないのですが", "スマホのアプリで通知を許可しているのに、メールの通知が届きません。"),
              ("The printer stays offline after the update", "It worked until yesterday's update of the driver."),
              ("How do I change my e-mail address?", "The settings page does not let me edit it.")]
    for title, body in others:
        make_question(title=title, body=body, tags="support")
    return {"ja": _japanese_pair(), "en": _english_pair()}


def _japanese_pair():
    verbatim = make_question(
        title="setdefault の使い方についての質問があります",
        body="社内の在庫管理のプログラムを毎晩バッチで動かしていて、結果をログに出力しています。"
             "その中で dict.setdefault でキーの値を取得してもよいのでしょうか。"
             "どんな場合に副作用が出るのかが気になっています。",
        tags="python")
    scattered = make_question(
        title="辞書から値を取り出す方法の場合分けについて",
        body="キーの一覧を取得する場合と、setdefault で値を取得する場合では、書き方が違います。",
        tags="python")
    return verbatim, scattered


def _english_pair():
    verbatim = make_question(
        title="Nightly backup job is incomplete",
        body="Our office has twelve laptops and one shared drive, and everyone leaves the mail client running "
             "all day long. The backup job skips files that are open in another program, such as the mail client.",
        tags="backup")
    scattered = make_question(
        title="Skipped: opened files, programs, jobs, backups",
        body="Backups skipped opened files. Jobs, programs: another backups skipped opened files.",
        tags="backup")
    return verbatim, scattered


def test_a_japanese_sentence_ranks_the_thread_that_says_it_verbatim_first(app, client, threads):
    verbatim, scattered = threads["ja"]
    assert _bm25_order(app, JA_SENTENCE) == [scattered.id, verbatim.id]  # the premise: words alone
    assert found(JA_SENTENCE) == [verbatim.id, scattered.id]
    assert result_ids(client.get("/search", query_string={"q": JA_SENTENCE})) == [verbatim.id, scattered.id]


def test_an_english_sentence_ranks_the_thread_that_says_it_verbatim_first(app, client, threads):
    verbatim, scattered = threads["en"]
    assert _bm25_order(app, EN_SENTENCE) == [scattered.id, verbatim.id]
    assert found(EN_SENTENCE) == [verbatim.id, scattered.id]
    assert found(EN_SENTENCE + " [backup]") == [verbatim.id, scattered.id]  # operators do not change it
    assert result_ids(client.get("/search", query_string={"q": EN_SENTENCE})) == [verbatim.id, scattered.id]


def test_keywords_keep_the_backends_order(app, threads):
    keywords = "backup job skip files open program"
    assert not parse(keywords).sentence
    assert found(keywords) == _bm25_order(app, keywords)


def test_pages_of_a_sentence_show_each_thread_once(app, threads):
    """Pages cut one ranked list: the threads ranked again are the same whichever page is asked for. Each pair
    of threads below has the same words, once in the sentence's order and once not: BM25 cannot tell them apart,
    the phrases can."""
    in_order, scrambled = [], []
    for n in range(12):
        in_order.append(make_question(title=f"Office number {n} has a question",
                                      body=f"In office {n}, the backup job skips files. Nobody knows why.").id)
        scrambled.append(make_question(title=f"Office number {n} has a question",
                                       body=f"In office {n}, files skip the job backup. Nobody knows why.").id)
    order = _bm25_order(app, EN_SENTENCE)
    assert max(order.index(i) for i in in_order) > min(order.index(i) for i in scrambled)  # the premise
    every = found(EN_SENTENCE)
    assert len(every) == 26 and max(every.index(i) for i in in_order) < min(every.index(i) for i in scrambled)
    assert sum([found(EN_SENTENCE, page=page, per_page=10) for page in (1, 2, 3)], []) == every
    assert sum([found(EN_SENTENCE, page=page, per_page=1) for page in range(1, 8)], []) == every[:7]


def test_runs_of_kana_punctuation_or_fewer_than_four_characters_earn_nothing():
    text = folded("このアプリはどうすればいいのですか？設定画面を開いてください")
    assert verbatim_runs(folded("どうすればいいのですか？"), text) == []  # kana and punctuation alone
    assert verbatim_runs(folded("設定画"), text) == []  # three characters
    assert verbatim_runs(folded("ＦＯＯ設定画面を開くには"), text) == [6]  # 設定画面を開: folded, longest first
    assert phrase_bonus([]) == 0 and phrase_bonus([12]) > phrase_bonus([6]) > 0


def test_threads_without_text_or_scores_keep_their_order():
    assert reranked("backup job skips", [3, 1, 2], [5.0, 4.0, 3.0], {}) == [3, 1, 2]
    assert reranked("backup job skips", [3, 1, 2], [], {1: "backup job skips"}) == [3, 1, 2]
    assert reranked("backup job skips", [3, 1, 2], [5.0, 4.0, 3.0], {1: "the backup job skips"}) == [1, 3, 2]


def test_similar_questions_while_asking_rank_a_title_said_in_the_same_words_first(app, client, threads):
    """Similar questions are ranked again as the search page ranks a sentence, by their titles and questions."""
    typed = "Why does the desktop app stop syncing after the update?"
    verbatim = make_question(title="My desktop copy will stop syncing after the update to version 5",
                             body="Since last week the desktop app sends nothing. I have tried logging out and in, "
                                  "restarting the laptop twice and reinstalling from the download page. Our office "
                                  "network has a proxy, but it has not changed in months and the browser works.",
                             tags="sync")
    scattered = make_question(title="Desktop sync: app update, app stop, sync stop",
                              body="Update the desktop app, stop the sync, update again: the app stops syncing.",
                              tags="sync")
    with app.app_context():  # the backend's own order, before the phrases
        first = backend_of(app).similar(sentence_terms(typed), 30, sentence_grams(typed))
    assert [item["id"] for item in first][:2] == [scattered.id, verbatim.id]
    listed = client.get("/search/similar", query_string={"title": typed}).get_json()["questions"]
    assert [item["id"] for item in listed] == [verbatim.id, scattered.id]
