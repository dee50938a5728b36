"""Keyword searches measure a thread by its words; sentences by its words and its Japanese bigrams.

A Japanese thread's whole-thread field holds a character bigram for nearly every character, so counting them in
its length made it look several times longer than an English thread with as many words, and keywords (`Python
GUI`) ranked it below English threads that were longer in words. Sentences are scored by bigrams too and keep
them in the length (whoosh/lengths.py).
"""
from forum.search.analysis import GRAM_MARK, KotaeTokenizer, gram_count
from tests.factories import make_question
from tests.search.conftest import found

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
