"""The analyser: real Japanese sentences, English stems and code identifiers, with offsets for highlighting."""
import pickle

import pytest

from forum.search.analysis import GRAM_MARK, KotaeTokenizer, grams, normalize, terms
from forum.search.whoosh.schema import build_faq_schema, build_schema


def matches(query: str, text: str) -> bool:
    """What the index does: every query term must be among the text's indexed terms."""
    indexed = set(terms(text, mode="index"))
    return bool(terms(query)) and set(terms(query)) <= indexed


@pytest.mark.parametrize("text", [
    "昨日からアプリにログインができません。",
    "パスワードを変えたらログインできませんでした。",
    "スマホからだとログインできないことがあります",
])
def test_inflected_japanese_verbs_match_the_plain_negative(text):
    assert matches("ログインできない", text)


def test_sudachi_normalises_katakana_long_vowels():
    assert matches("サーバー", "社内のサーバに接続できません")
    assert matches("サーバ", "サーバーが応答しません")
    assert matches("ユーザー", "新しいユーザを招待したい")
    assert terms("プリンタ") == terms("プリンター")


def test_full_width_letters_and_digits_are_the_same_as_ascii():
    text = "Ｐｙｔｈｏｎ３．１１で同期スクリプトが動きません"
    assert matches("python", text)
    assert matches("python 3.11", text)
    assert matches("同期", text)


def test_half_width_kana():
    assert matches("ログイン", "ﾛｸﾞｲﾝできません")
    assert matches("ログインできない", "ｽﾏﾎでﾛｸﾞｲﾝできません")


def test_mixed_japanese_and_english():
    text = "Windows 11でDockerが起動しません。エラーはKeyError: 'path'です"
    assert matches("docker 起動しない", text)
    assert matches("windows", text)
    assert matches("keyerror", text)
    assert matches("起動", text)


def test_kyoto_does_not_match_tokyo_to():
    assert not matches("京都", "東京都の支社から問い合わせがありました")
    assert matches("東京", "東京都の支社から問い合わせがありました")
    assert matches("京都", "京都の店舗で使っています")


def test_particles_and_light_verbs_are_not_indexed():
    indexed = terms("同期をしているのですが、ファイルがなくなってしまいます。確認できますか。教えてください",
                    mode="index")
    for light in ("を", "が", "です", "為る", "居る", "成る", "出来る", "下さる"):
        assert light not in indexed
    assert "同期" in indexed and "ファイル" in indexed


def test_english_is_stemmed_and_stop_words_dropped():
    assert matches("passwords", "Reset your password from the login page")
    assert matches("syncing", "The sync stopped")
    assert terms("the and of is") == []


def test_code_identifiers_are_kept_whole_and_split():
    assert matches("KeyError", "Traceback: KeyError: 'name'")
    assert matches("key error", "Traceback: KeyError: 'name'")
    assert matches("os.path.join", "use os.path.join to build paths")
    assert matches("path", "use os.path.join to build paths")
    assert not matches("os.path.join", "the os module and the path of joining")
    assert matches("getHTTPResponse", "call getHTTPResponse twice")
    assert matches("http response", "call getHTTPResponse twice")
    assert matches("snake_case_name", "a snake_case_name here")


@pytest.mark.parametrize("word", ["C#", "C++", ".NET", "F#"])
def test_language_names_with_symbols_survive(word):
    assert terms(word) == [word.lower()]
    assert matches(word, f"I use {word} at work")
    assert not matches("C#", "I use C++ at work")


def test_letter_digit_boundaries():
    assert matches("python", "python3.11 crashes")
    assert matches("3.11", "python3.11 crashes")
    assert matches("x86-64", "an x86-64 build")


def test_offsets_point_at_the_original_characters():
    text = "ﾛｸﾞｲﾝ　Ｐｙｔｈｏｎ３．１１ KeyError"
    spans = {t.text: text[t.startchar:t.endchar]
             for t in KotaeTokenizer()(text, chars=True, positions=True, mode="index")}
    assert spans["ログイン"] == "ﾛｸﾞｲﾝ"
    assert spans["python3.11"] == "Ｐｙｔｈｏｎ３．１１"
    assert spans["keyerror"] == "KeyError"


def test_identifier_parts_share_the_whole_words_position():
    tokens = [(t.text, t.pos) for t in KotaeTokenizer()("fix KeyError now", positions=True, mode="index")]
    positions = dict(tokens)
    assert positions["keyerror"] == positions["error"] == positions["kei"]
    assert positions["now"] == positions["keyerror"] + 1


def test_normalize_maps_back_and_leaves_ascii_alone():
    assert normalize("plain ascii") == ("plain ascii", None, None)
    text, starts, ends = normalize("ｶﾞｲﾄﾞ")
    assert text == "ガイド"
    assert [(s, e) for s, e in zip(starts, ends)] == [(0, 2), (2, 3), (3, 5)]


def test_control_characters_and_huge_input_do_not_break_analysis():
    assert terms("\x00\x1f\u200b") == []
    assert len(terms("word " * 5000)) == 5000
    assert terms("あ" * 20000) is not None  # longer than Sudachi's input limit: analysed in chunks


def test_indexes_on_disk_name_the_tokenizer_by_its_old_import_path():
    """Whoosh pickles the schema, tokenizer included, into every index: existing indexes must still open."""
    for schema in (build_schema(), build_faq_schema()):
        assert b"forum.search.analysis\nKotaeTokenizer" in pickle.dumps(schema, protocol=0)
    assert type(pickle.loads(pickle.dumps(KotaeTokenizer()))) is KotaeTokenizer


@pytest.mark.parametrize("text, particle", [("Python や Ruby の違い", "や"), ("'h' や 'l' の意味", "や"),
                                             ("Windows と Mac で同期できない", "と")])
def test_a_lone_particle_between_latin_words_is_no_term(text, particle):
    """Seen alone in its run, Sudachi reads や as a content word (形状詞); it is a particle there."""
    assert particle not in terms(text) and terms(text)


def test_the_whole_thread_field_also_indexes_japanese_bigrams_at_the_words_positions():
    tokens = [(t.text, t.pos) for t in KotaeTokenizer(grams=True)("同期エラー in Windows 円", positions=True,
                                                                   mode="index")]
    words = [term for term, _pos in tokens if not term.startswith(GRAM_MARK)]
    assert words == terms("同期エラー in Windows 円", mode="index")  # the words are unchanged
    grams = [term for term, _pos in tokens if term.startswith(GRAM_MARK)]
    assert grams == ["~同期", "~期エ", "~エラ", "~ラー", "~円"]  # a lone kanji is its own gram
    positions = dict(tokens)
    assert positions["~ラー"] == positions["エラー"] and positions["window"] == positions["エラー"] + 1
    # a run with no word in it (です) still gives its bigrams a position
    assert [(t.text, t.pos) for t in KotaeTokenizer(grams=True)("ですか", positions=True, mode="index")] == \
        [("~です", 0), ("~すか", 0)]


def test_bigrams_are_never_query_terms_and_other_fields_have_none():
    assert not any(t.text.startswith(GRAM_MARK) for t in KotaeTokenizer(grams=True)("同期エラー", mode="query"))
    assert not any(term.startswith(GRAM_MARK) for term in terms("同期エラー", mode="index"))
    assert grams("ＰｙｔｈｏｎとRuby の同期") == ["~の同", "~同期"]  # と between Latin words: a lone hiragana letter
    assert grams("同期、同期が") == ["~同期", "~期が"]  # distinct, in order


def test_the_tokenizer_remembers_whether_it_makes_bigrams_and_old_indexes_have_none():
    assert KotaeTokenizer(grams=True) != KotaeTokenizer() and KotaeTokenizer() == KotaeTokenizer()
    assert pickle.loads(pickle.dumps(KotaeTokenizer(grams=True))).grams
    old = KotaeTokenizer.__new__(KotaeTokenizer)  # as unpickled from an index written before bigrams
    assert not old.grams
