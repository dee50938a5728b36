"""The query parser: every operator, and malformed input that must become a message, never an error."""
import pytest
from whoosh import query as q

from forum.search.query import MAX_CLAUSES, MAX_QUERY, parse
from forum.search.whoosh.queries import OPERATOR_WEIGHT, build


def test_words_phrases_and_exclusions():
    parsed = parse('sync "error code" -windows -"blue screen"')
    assert [(c.text, c.phrase) for c in parsed.clauses] == [("sync", False), ("error code", True)]
    assert [(c.text, c.phrase) for c in parsed.excluded] == [("windows", False), ("blue screen", True)]
    assert parsed.messages == []


def test_tags_and_excluded_tags():
    parsed = parse("[Sync] [windows] -[mac] crash")
    assert parsed.tags == ["sync", "windows"]
    assert parsed.excluded_tags == ["mac"]
    assert [c.text for c in parsed.clauses] == ["crash"]


@pytest.mark.parametrize("text, expected", [
    ("score:3", (3, None)), ("score:-2", (-2, None)), ("score:1..10", (1, 10)), ("score:10..1", (1, 10)),
    ("score:..5", (None, 5)), ("score:2..", (2, None)),
])
def test_score(text, expected):
    assert parse(text).score == expected


@pytest.mark.parametrize("text, expected", [("answers:2", (2, None)), ("answers:0", (0, 0)),
                                            ("answers:1..3", (1, 3))])
def test_answers(text, expected):
    assert parse(text).answers == expected


def test_user_and_user_me():
    assert parse("user:42").user_ids == [42]
    assert parse("user:me", viewer_id=7).user_ids == [7]
    assert parse("user:me").user_ids == [] and parse("user:me").messages


@pytest.mark.parametrize("text, attribute, value", [
    ("isaccepted:yes", "is_accepted", True), ("isaccepted:no", "is_accepted", False),
    ("hasaccepted:yes", "has_accepted", True), ("hasaccepted:no", "has_accepted", False),
    ("closed:yes", "closed", True), ("closed:no", "closed", False), ("closed:true", "closed", True),
    ("is:question", "kind", "question"), ("is:q", "kind", "question"), ("is:answer", "kind", "answer"),
])
def test_yes_no_and_kind_operators(text, attribute, value):
    parsed = parse(text)
    assert getattr(parsed, attribute) == value and parsed.messages == []


def test_title_operator():
    parsed = parse('title:sync title:"error code"')
    assert [(c.text, c.title_only, c.phrase) for c in parsed.clauses] == [("sync", True, False),
                                                                          ("error code", True, True)]


def test_unknown_operators_and_urls_are_plain_words():
    parsed = parse("error: https://example.com/x foo:bar")
    assert [c.text for c in parsed.clauses] == ["error:", "https://example.com/x", "foo:bar"]
    assert parsed.messages == []


def test_full_width_and_japanese_quotes_work():
    parsed = parse("［同期］　「ログインできない」　ｓｃｏｒｅ：３")
    assert parsed.tags == ["同期"]
    assert [(c.text, c.phrase) for c in parsed.clauses] == [("ログインできない", True)]
    assert parsed.score == (3, None)


@pytest.mark.parametrize("text", [
    '"unterminated', "[", "[sync", "AND OR NOT", "x" * 2000, "\x00\x07\x1b[31m", "score:abc", "user:",
    "answers:x", "is:banana", "closed:maybe", "isaccepted:", 'title:', "-", "--", "-[", '"', '""', "score:1..2..3",
    "score:99999999999999999999", "][", "(((", "*", "?", "\\", "title:\"", "user:-1", "score:-", "-score:3",
])
def test_malformed_input_never_raises_and_builds(text):
    parsed = parse(text)
    build(parsed)  # never raises either


@pytest.mark.parametrize("text, fragment", [
    ('"unterminated', "closing quote"), ("[", "square brackets"), ("[sync", "square brackets"),
    ("AND OR NOT", "not needed"), ("score:abc", "needs a number"), ("user:", "user number"),
    ("is:banana", "question or answer"), ("closed:maybe", "yes or no"), ("-score:3", "minus"),
])
def test_malformed_input_explains_itself(text, fragment):
    assert any(fragment in str(message) for message in parse(text).messages)


@pytest.mark.parametrize("text, words", [
    ("[Errno 13] Permission denied", ["Errno", "13]", "Permission", "denied"]),
    ("[SSL: CERTIFICATE_VERIFY_FAILED] failed", ["SSL:", "CERTIFICATE_VERIFY_FAILED]", "failed"]),
    ("[sync", ["sync"]),
])
def test_a_bracket_left_open_is_a_word_not_a_tag(text, words):
    parsed = parse(text)
    assert [clause.text for clause in parsed.clauses] == words and parsed.tags == []
    assert any("no closing bracket" in str(message) for message in parsed.messages)
    assert parse("-[sync").excluded[0].text == "sync" and parse("[sync] error").tags == ["sync"]


def test_long_input_is_cut_with_a_message():
    parsed = parse("word " * 1000)
    assert len(parsed.raw) <= MAX_QUERY
    assert any("shortened" in str(m) for m in parsed.messages)
    assert any("first" in str(m) for m in parse(" ".join(f"w{i}" for i in range(MAX_CLAUSES + 10))).messages)


def test_control_characters_are_dropped():
    assert parse("sync\x00\x1f error").raw == "sync error"


def test_build_needs_every_clause_and_operators_do_not_score():
    built = build(parse("sync crash [windows] score:2 answers:1..3 hasaccepted:yes"))
    assert isinstance(built.query, q.And) and len(built.query.subqueries) == 4
    operators = built.query.subqueries[2:]
    assert len(operators) == 2 and all(sub.boost == OPERATOR_WEIGHT for sub in operators)
    assert built.ranges == [("score", 2, None), ("answer_count", 1, 3)]
    assert {"sync", "crash"} <= built.terms


def test_build_of_only_operators_matches_them_alone():
    built = build(parse("[windows]"))
    assert built.query == q.Term("tags", "windows", boost=OPERATOR_WEIGHT)
    assert isinstance(build(parse("-[windows]")).query, q.AndNot)
    assert isinstance(build(parse("score:5")).query, q.Every) and build(parse("score:5")).ranges


def test_build_of_nothing_searchable_is_none():
    assert build(parse("")).query is None
    assert build(parse("the of and")).query is None
    assert build(parse("AND OR NOT")).query is None


def test_japanese_word_needs_all_its_terms():
    built = build(parse("パスワード再設定"))
    assert {"パスワード", "再", "設定"} <= built.terms
    assert isinstance(built.query, q.And) and len(built.query.subqueries) == 3


def test_exclusion_only_query_excludes_from_everything():
    built = build(parse("-windows"))
    assert isinstance(built.query, q.AndNot)
