"""Plain searches on Whoosh are ranked from posting arrays (`whoosh/plain.py`): the same threads, order and scores
as Whoosh's own matchers visiting every match, on an index of several segments with replaced documents."""
from dataclasses import replace

import numpy as np
import pytest
from whoosh import query as q

from forum import search
from forum.search.query import parse
from forum.search.whoosh import plain
from forum.search import cache as search_cache
from forum.search.cache import ArrayCache
from forum.search.whoosh.queries import build
from forum.services.community.search import fetch_questions
from tests.factories import make_answer, make_question
from tests.search.conftest import found

PLAIN = [
    "アップデートしてからWindowsアプリで同期ができなくなったのはなぜですか",  # a Japanese sentence: any word
    "why does the desktop app stop syncing after the update?",  # an English sentence
    "パスワード再設定",  # one Japanese word analysed to three terms: all of them
    "printer driver",  # keywords: every word
    "sync",
]
NOT_PLAIN = ['"desktop app"', "printer -spooler", "[printer] driver", "title:printer", "is:answer driver",
             "score:1 printer", "sync hasaccepted:yes"]


@pytest.fixture
def threads(app, whoosh_only):
    made = [
        make_question(title="Desktop app stops syncing every few minutes", tags="windows sync",
                      body="Since the update the desktop app on Windows stops syncing after a while."),
        make_question(title="Windows版アプリの同期が止まってしまいます", tags="windows 同期",
                      body="アップデートしてからデスクトップアプリの同期が数分で止まります。"),
        make_question(title="ログイン用のパスワードを再設定したいです", body="パスワード再設定のメールが届きません。迷惑メールも確認しました。", tags="アカウント"),
        make_question(title="Printer offline after the driver update", body="The printer shows offline since yesterday morning.", tags="printer"),
        make_question(title="Print spooler keeps stopping", body="The spooler stops every hour. Sync is fine.",
                      tags="printer"),
        make_question(title="Mobile app update on my phone", body="How do I update the app? It does not sync.", tags="mobile"),
    ]
    make_answer(made[3], body="Reinstall the printer driver, then restart the printer spooler.")
    make_answer(made[0], body="Update the desktop app again: syncing works after the update.")  # rewrites its document
    return made


def exhaustive(searcher, query, limit):
    """Whoosh's ranking visiting every match (its top-N collector can skip a match; see plain.py)."""
    hits = searcher.search(query, limit=None, optimize=False)
    return [(hit.docnum, hit.score) for hit in hits][:limit], len(hits)


@pytest.mark.parametrize("text", PLAIN)
def test_plain_searches_rank_as_whoosh_does(threads, index, text):
    searcher = index.searcher()
    built = build(parse(text), searcher.reader())
    words = plain.plain_query(built.query)
    assert words is not None and plain.supported(searcher)
    docnums, scores, total = plain.top(searcher, words, 20)
    expected, expected_total = exhaustive(searcher, built.query, 20)
    assert docnums == [docnum for docnum, _score in expected] and docnums
    assert scores == pytest.approx([score for _docnum, score in expected], rel=1e-12)
    assert total == expected_total


@pytest.mark.parametrize("text", [t for t in PLAIN if not parse(t).sentence])
def test_plain_keywords_rank_as_whoosh_does_with_words_only_lengths(threads, index, text):
    """Keywords: a thread's length less its bigrams (lengths.py), in the arrays and in Whoosh's own matchers."""
    from forum.search.whoosh.searching import keyword_searcher
    searcher = index.searcher()
    built = build(parse(text), searcher.reader())
    words = replace(plain.plain_query(built.query), words_only=True)
    docnums, scores, total = plain.top(searcher, words, 20)
    expected, expected_total = exhaustive(keyword_searcher(searcher), built.query, 20)
    assert docnums == [docnum for docnum, _score in expected] and docnums and total == expected_total
    assert scores == pytest.approx([score for _docnum, score in expected], rel=1e-12)
    if text == "パスワード再設定":  # a Japanese thread: shorter without its bigrams, so it scores more
        assert scores[0] > plain.top(searcher, replace(words, words_only=False), 20)[1][0]


def test_a_replaced_thread_is_found_once_with_its_new_text(threads, index):
    assert len(index.searcher().reader().leaf_readers()) > 1 or index.searcher().reader().has_deletions()
    assert found("restart spooler driver") == [threads[3].id]  # keywords: every word
    assert found("why do I need to update the desktop app again?")[0] == threads[0].id
    assert found("why do I need to update the desktop app again?").count(threads[0].id) == 1


def test_a_page_of_a_sentence_counts_every_thread_that_shares_a_word(threads):
    page = search.search("why does my app stop syncing?", fetch=fetch_questions, per_page=2)
    every = found("why does my app stop syncing?")
    assert set(every) == {threads[0].id, threads[4].id, threads[5].id}  # app, stop or sync
    assert page.total == 3 and page.exact and [question.id for question in page.items] == every[:2]


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_operators_phrases_and_exclusions_are_left_to_whoosh(threads, index, text):
    built = build(parse(text), index.searcher().reader())
    assert built.ranges or plain.plain_query(built.query) is None


def test_coordinated_queries_are_not_plain_and_boosted_words_keep_their_boosts():
    assert plain.plain_query(q.Or([q.Term("text", "a"), q.Term("text", "b")], scale=0.9)) is None
    assert plain.plain_query(q.Or([q.Term("text", "a"), q.Term("text", "b")], boost=2.0)) is None
    assert plain.plain_query(q.Or([q.Term("text", "a"), q.Term("text", "b", boost=0.5)])) == \
        plain.PlainQuery(("a", "b"), every=False, boosts=(1.0, 0.5))
    # a sentence's bigrams: they add to the score of the threads its words match
    assert plain.plain_query(q.AndMaybe(q.Or([q.Term("text", "a"), q.Term("text", "b")]),
                                        q.Or([q.Term("text", "~ab", boost=0.2)]))) == \
        plain.PlainQuery(("a", "b"), every=False, extra=(("~ab", 0.2),))
    assert plain.plain_query(q.AndMaybe(q.Term("text", "a"), q.Term("title", "b"))) is None
    assert plain.plain_query(q.Or([q.Term("text", "a"), q.And([q.Term("text", "b"), q.Term("text", "c")])])) is None
    assert plain.plain_query(q.And([q.Term("text", "a"), q.And([q.Term("text", "b"), q.Term("text", "c")])])) == \
        plain.PlainQuery(("a", "b", "c"), every=True)


def test_the_postings_cache_keeps_within_its_budget():
    cache = ArrayCache(budget=1000)
    for n in range(10):
        cache.put(("segment", str(n)), (np.zeros(50, dtype=np.int32), np.zeros(50)))  # 600 bytes each
    assert cache.used <= 1000 and cache.get(("segment", "9")) is not None and cache.get(("segment", "0")) is None
    cache.resize(500)
    assert cache.used == 0 and cache.get(("segment", "9")) is None


def test_both_backends_postings_caches_take_their_budget_from_the_config(database_url, tmp_path):
    from forum import create_app
    from forum.search.postgresql import arrays
    from forum.search.whoosh.cache import POSTINGS_CACHE_BYTES, segments
    from tests.databases import make_config
    try:
        create_app(make_config(database_url, tmp_path / "index", SEARCH_POSTINGS_CACHE_MB=256))
        assert segments.budget == arrays._cache.budget == 256 * 2**20
    finally:
        search_cache.set_budget(POSTINGS_CACHE_BYTES)
    assert segments.budget == arrays._cache.budget == 64 * 2**20


def test_related_threads_rank_by_boosted_key_terms_with_the_coordination_bonus(threads, index):
    """More like this: each key term's Whoosh score times its weight in the question, summed, with the
    coordination bonus of Whoosh's Or(scale=0.9) over every key term ((sum + (matched - 1) / (n - 0.9)^2) *
    (n - 1) / n), the question itself left out. (Whoosh's own CoordMatcher recounts the terms as posting lists run
    out, so late documents got a smaller bonus or none at all.)"""
    from forum.search.whoosh import searching
    searcher = index.searcher()
    question = threads[0]
    text_of_question = question.title + " " + question.body_md
    key_terms = dict(searcher.key_terms_from_text("text", text_of_question, numterms=12))
    telling = searching._telling(searcher.reader(), list(key_terms), keep=8)
    assert len(telling) > 1
    sums: dict[int, float] = {}
    matched: dict[int, int] = {}
    for word in telling:
        for hit in searcher.search(q.Term("text", word, boost=key_terms[word]), limit=None, optimize=False):
            doc_id = int(hit["id"])
            sums[doc_id] = sums.get(doc_id, 0.0) + hit.score
            matched[doc_id] = matched.get(doc_id, 0) + 1
    n, scale = len(telling), searching.RELATED_COORDINATION
    expected = sorted(((s + (matched[d] - 1) / (n - scale) ** 2) * (n - 1) / n, d) for d, s in sums.items()
                      if d != question.id)
    expected = [(d, score) for score, d in sorted(expected, key=lambda pair: -pair[0])][:5]
    related = searching.related(index, question.id, text_of_question, 5)
    assert [item["id"] for item in related] == [d for d, _score in expected] and related
    assert [item["relevance"] for item in related] == pytest.approx([score for _d, score in expected], rel=1e-9)


def test_related_key_terms_are_words_not_bigrams(threads, index):
    from forum.search.analysis import GRAM_MARK
    from forum.search.whoosh import searching
    question = threads[1]  # Japanese: its whole-thread field has bigrams
    key_terms = dict(searching._key_terms(index.searcher(), question.title + " " + question.body_md, 12))
    assert "同期" in key_terms and not any(term.startswith(GRAM_MARK) for term in key_terms)
    assert index.searcher().reader().doc_frequency("text", "~同期")
