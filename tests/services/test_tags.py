"""Tag parsing: pure rules, no database."""
import pytest

from forum.services.errors import Invalid
from forum.services.community.tags import parse_tags


@pytest.mark.parametrize("text", [
    "sync windows",
    "sync, windows",
    "sync,windows",
    "  sync \t windows \n",
    "sync、windows",
    "sync，windows",
])
def test_tags_are_split_on_spaces_and_commas(text):
    assert parse_tags(text) == ["sync", "windows"]


def test_tags_are_lowercased():
    assert parse_tags("Sync WINDOWS") == ["sync", "windows"]


def test_full_width_letters_are_normalised():
    assert parse_tags("ＰＹＴＨＯＮ") == ["python"]


def test_ideographic_space_separates_tags():
    assert parse_tags("同期\u3000ログイン") == ["同期", "ログイン"]


@pytest.mark.parametrize("tag", ["同期", "ログイン", "c#", "c++", ".net", "node.js", "windows-11", "ios17"])
def test_japanese_and_programming_tags_are_allowed(tag):
    assert parse_tags(tag) == [tag]


@pytest.mark.parametrize("tag", ["snake_case", "sync!", "a/b", "<script>", "what?", "@home", "#", "++", "..."])
def test_underscores_and_other_punctuation_are_rejected(tag):
    with pytest.raises(Invalid) as error:
        parse_tags(tag)
    assert error.value.field == "tags"


def test_more_than_five_tags_are_rejected():
    assert len(parse_tags("a b c d e")) == 5
    with pytest.raises(Invalid):
        parse_tags("a b c d e f")


@pytest.mark.parametrize("text", ["", "   ", ", , 、", None])
def test_no_tags_is_rejected(text):
    with pytest.raises(Invalid):
        parse_tags(text)


def test_duplicates_are_removed_keeping_the_first_order():
    assert parse_tags("windows sync Windows SYNC ｗｉｎｄｏｗｓ") == ["windows", "sync"]


def test_duplicates_do_not_count_towards_the_limit():
    assert parse_tags("a a b b c c d d e e") == ["a", "b", "c", "d", "e"]


def test_tags_longer_than_35_characters_are_rejected():
    assert parse_tags("a" * 35) == ["a" * 35]
    with pytest.raises(Invalid):
        parse_tags("a" * 36)
