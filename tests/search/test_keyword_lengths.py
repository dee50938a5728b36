"""Keyword searches measure a thread by its words; sentences by its words and its Japanese bigrams.

A Japanese thread's whole-thread field holds a character bigram for nearly every character, so counting them in
its length made it look several times longer than an English thread with as many words, and keywords (`Python
GUI`) ranked it below English threads that were longer in words. Sentences are scored by bigrams too and keep
them in the length (whoosh/lengths.py).
"""
import threading
from pathlib import Path

import flask_migrate
from sqlalchemy import text
from whoosh import index as whoosh_index

from forum.extensions import db
from forum.search.analysis import GRAM_MARK, KotaeTokenizer, gram_count
from forum.search.whoosh.schema import build_schema
from tests.factories import make_question
from tests.search.conftest import found
from tests.search.test_postgresql_postings import postings_drift

JAPANESE_BODY = "画面を作りたいのですが、どれがおすすめでしょうか。ずっと迷っています。よろしくお願いいたします。"
ENGLISH_BODY = ("Which toolkit should I choose for a desktop window with buttons, menus, dialogs and tables "
                "in a small office program?")


def _tokens(text: str) -> tuple[int, int]:
    """(words, bigrams) the whole-thread field indexes for a text."""
    tokens = [token.text for token in KotaeTokenizer(grams=True)(text, mode="index")]
    grams = sum(1 for token in tokens if token.startswith(GRAM_MARK))
    return len(tokens) - grams, grams


def test_the_bigram_count_is_what_the_whole_thread_field_indexes():
    for text in (JAPANESE_BODY, ENGLISH_BODY, "\x1cｶﾀｶﾅの全角ＡＢＣ\n\x1dや 々 Python と Ruby", ""):
        assert gram_count(text) == _tokens(text)[1]


def test_keywords_rank_a_thread_shorter_in_words_first_whatever_its_bigrams(app):
    japanese = make_question(title="Python GUI toolkit?", body=JAPANESE_BODY, tags="python")
    english = make_question(title="Python GUI toolkit?", body=ENGLISH_BODY, tags="python")
    ja_words, ja_grams = _tokens(JAPANESE_BODY)
    en_words, en_grams = _tokens(ENGLISH_BODY)
    assert ja_words < en_words and ja_words + ja_grams > en_words + en_grams and en_grams == 0  # the premise
    assert found("Python GUI") == [japanese.id, english.id]
    assert found("gui") == [japanese.id, english.id]
    assert found("Python GUI [python]") == [japanese.id, english.id]  # an operator: the backend's other path
    assert found("Python GUI", language="ja") == [japanese.id]


def test_an_index_built_before_the_bigram_counts_takes_writes_and_searches_until_it_is_rebuilt(app, index):
    """An index without the `grams` column (built before it) still indexes and finds threads, ranking keywords
    as it did (every token in the length); `search check` asks for the rebuild that brings the column."""
    schema = build_schema()
    schema.remove("grams")
    Path(index.path).mkdir(parents=True, exist_ok=True)
    with index._lock:
        index._ix = whoosh_index.create_in(index.path, schema, indexname=index.name)
        index._local = threading.local()
    japanese = make_question(title="Python GUI toolkit?", body=JAPANESE_BODY, tags="python")
    english = make_question(title="Python GUI toolkit?", body=ENGLISH_BODY, tags="python")
    assert "grams" not in index.open().schema and not index.schema_is_current()
    assert found("Python GUI") == [english.id, japanese.id]
    assert found("Python GUI [python]") == [english.id, japanese.id]
    assert "older schema" in app.test_cli_runner().invoke(args=["search", "check"]).output
    assert app.test_cli_runner().invoke(args=["search", "reindex"]).exit_code == 0
    assert index.schema_is_current() and found("Python GUI") == [japanese.id, english.id]


def test_the_upgrade_to_words_lengths_ranks_keywords_as_before_until_the_rebuild(app, postgresql_only):
    """PostgreSQL, migration 5f6a7b8c9d0e: every words_length is its text_length until `search reindex` (which
    `search check` asks for), so keywords rank as before the upgrade; the rebuild measures threads by words."""
    japanese = make_question(title="Python GUI toolkit?", body=JAPANESE_BODY, tags="python")
    english = make_question(title="Python GUI toolkit?", body=ENGLISH_BODY, tags="python")
    db.session.commit()
    flask_migrate.downgrade(revision="4e5f6a7b8c9d")
    with db.engine.begin() as connection:  # as an index built before the upgrade
        connection.execute(text("UPDATE search_statistics SET layout = 2"))
    flask_migrate.upgrade()
    assert found("Python GUI") == [english.id, japanese.id]
    assert found("Python GUI [python]") == [english.id, japanese.id]
    assert postings_drift() == []
    db.session.commit()
    assert "older schema" in app.test_cli_runner().invoke(args=["search", "check"]).output
    assert app.test_cli_runner().invoke(args=["search", "reindex"]).exit_code == 0
    assert found("Python GUI") == [japanese.id, english.id] and postings_drift() == []
