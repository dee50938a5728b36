"""Snippets: the searched words marked in the text shown, found even deep inside a long answer."""
from forum.search.snippets import HIGHLIGHT_CHARS, highlight_text


def test_a_word_deep_inside_a_long_text_is_still_marked():
    text = "Background noise about other things. " * 1000 + "Finally the sync resumed after the update."
    assert len(text) > 10 * HIGHLIGHT_CHARS
    marked = highlight_text(text, {"sync", "updat"})
    assert "<mark>sync</mark>" in marked and "<mark>update</mark>" in marked


def test_japanese_words_are_marked_by_their_base_form_in_a_long_text():
    text = "関係のない説明です。" * 2000 + "アップデートの後で同期が止まってしまいました。"
    marked = highlight_text(text, {"同期", "止まる"})
    assert "<mark>同期</mark>" in marked and "<mark>止まっ</mark>" in marked


def test_markup_in_the_text_is_escaped_and_nothing_marked_gives_none():
    marked = highlight_text("<script>alert(1)</script> sync", {"sync"}, whole=True)
    assert marked == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>sync</mark>"
    assert highlight_text("nothing to see here", {"sync"}) is None
