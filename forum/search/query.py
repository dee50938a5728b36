"""Search syntax: words, "exact phrases", -exclusions and Stack Overflow's operators, parsed forgivingly.

Any input gives a `ParsedQuery`; what cannot be understood becomes a message for the user (a missing quote,
`score:abc`, `user:`), never an exception. A search backend turns it into its own query (for Whoosh:
`whoosh/queries.py`).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable

from flask_babel import lazy_gettext as _l

from .analysis import GRAM_MARK, QUERY_STOP, grams, reads_as_sentence, terms as analyse

MAX_QUERY = 500  # characters searched; longer input is cut, with a message
MAX_CLAUSES = 64  # words; a question typed as a sentence can be long, and its rarest words often come last
MAX_NUMBER = 10**9
LANGUAGE_CODES = ("ja", "en")  # as services/community/language.LANGUAGES (search stays below the services)
# A question typed as a sentence ("Windowsアプリで同期ができなくなったのはなぜですか") is matched on any of its
# words, ranked by BM25F (threads sharing more of its rare words first), once it has this many terms: requiring
# every word of a sentence finds nothing or the wrong thread. (Whoosh's coordination bonus, `Or(scale=...)`, was
# measured too: no change in recall, and a per-document cost.) Fewer terms, or keywords without particles and
# function words, still need every word, as on Stack Overflow.
SENTENCE_MIN_TERMS = 2
# A sentence is also scored by the character bigrams of its Japanese, at a fifth of a word's weight: they rank the
# thread that says a compound whole (参照渡し) above one that has its words apart, and help when Sudachi cuts a
# question's words differently from the thread's (bench/search_quality.py recall@5, tuning / kept out: ja-paragraph
# 0.960 / 0.916 -> 0.970 / 0.937, ja-faq 0.746 / 0.783 -> 0.770 / 0.804; a weight of 0.3 or 20 bigrams did worse).
# Only the rarest SENTENCE_MAX_GRAMS the index knows, and none in GRAM_COMMON_SHARE of the threads or more: those
# (です, して, a product's name) score next to nothing and cost a long posting list each; nor a bigram that is one of
# the sentence's words (起動): it would count that word twice. They only add to the score of threads the words match.
GRAM_WEIGHT = 0.2
SENTENCE_MAX_GRAMS = 12
GRAM_COMMON_SHARE, GRAM_COMMON_MIN_DOCS = 0.05, 100

_YES = {"yes", "y", "true", "1", "on"}
_NO = {"no", "n", "false", "0", "off"}
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "「": '"', "」": '"', "『": '"', "』": '"'})
_TOKEN = re.compile(
    r'(?P<neg>-)?(?:"(?P<phrase>[^"]*)(?P<closed>")?'
    r"|\[(?P<tag>[^\]\s]*)(?P<tagclosed>\])?"
    r"|(?P<op>[a-z]+):(?:\"(?P<opphrase>[^\"]*)\"?|(?P<value>\S*))"
    r"|(?P<word>\S+))",
    re.IGNORECASE,
)
_BOOLEAN_WORDS = {"AND", "OR", "NOT", "&&", "||"}
_RANGE = re.compile(r"^(-?\d{1,10})?(\.\.)?(-?\d{1,10})?$")


@dataclass
class Clause:
    text: str
    phrase: bool = False
    title_only: bool = False


@dataclass
class ParsedQuery:
    """What the user asked for; `messages` explains anything that was ignored or repaired."""

    raw: str = ""
    clauses: list[Clause] = field(default_factory=list)
    excluded: list[Clause] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    excluded_tags: list[str] = field(default_factory=list)
    user_ids: list[int] = field(default_factory=list)
    score: tuple[int | None, int | None] | None = None
    answers: tuple[int | None, int | None] | None = None
    is_accepted: bool | None = None
    has_accepted: bool | None = None
    has_official: bool | None = None  # hasofficial: an answer verified by staff
    closed: bool | None = None
    kind: str | None = None  # "question" or "answer"
    # "ja" or "en" (`lang:`, or the page's language filter); narrows threads and FAQ entries alike. Not a
    # search by itself: a language alone lists nothing, as the page's default filter must not.
    language: str | None = None
    language_typed: bool = False  # `lang:` was in the text (then it wins over the page's filter)
    messages: list = field(default_factory=list)
    sentence: bool = False  # typed as a sentence: words are matched disjunctively (see SENTENCE_MIN_TERMS)

    @property
    def has_text(self) -> bool:
        return bool(self.clauses)

    @property
    def is_empty(self) -> bool:
        return not (self.clauses or self.excluded or self.tags or self.excluded_tags or self.user_ids
                    or self.score or self.answers or self.kind or self.is_accepted is not None
                    or self.has_accepted is not None or self.has_official is not None
                    or self.closed is not None)


def clean(text: str | None) -> tuple[str, bool]:
    """NFKC (full-width brackets and colons work), control characters out, at most MAX_QUERY characters."""
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = " ".join(text.split())
    return text[:MAX_QUERY], len(text) > MAX_QUERY


def parse(text: str | None, viewer_id: int | None = None) -> ParsedQuery:
    """Parse a search box's text; never raises."""
    cleaned, cut = clean(text)
    parsed = ParsedQuery(raw=cleaned)
    if cut:
        parsed.messages.append(_l("Your search was shortened to its first %(num)d characters.", num=MAX_QUERY))
    booleans = False
    for match in _TOKEN.finditer(cleaned):
        if len(parsed.clauses) + len(parsed.excluded) >= MAX_CLAUSES:
            parsed.messages.append(_l("Only the first %(num)d words were used.", num=MAX_CLAUSES))
            break
        negated = bool(match.group("neg"))
        if match.group("phrase") is not None:
            _phrase(parsed, match.group("phrase"), negated, closed=bool(match.group("closed")))
        elif match.group("tag") and not match.group("tagclosed"):
            _unclosed_tag(parsed, match.group("tag"), negated)
        elif match.group("tag") is not None:
            _tag(parsed, match.group("tag"), negated, closed=bool(match.group("tagclosed")))
        elif match.group("op") is not None and _operator(parsed, match, negated, viewer_id):
            pass
        else:
            word = match.group(0)[1:] if negated else match.group(0)
            if word in _BOOLEAN_WORDS:
                booleans = True
            elif word.strip("-"):
                (parsed.excluded if negated else parsed.clauses).append(Clause(word))
    if booleans:
        parsed.messages.append(_l("AND, OR and NOT are not needed: every word must match. "
                                  "Put a minus before a word to leave it out, like -windows."))
    parsed.sentence = _typed_as_sentence(parsed)
    return parsed


def _typed_as_sentence(parsed: ParsedQuery) -> bool:
    words = [clause.text for clause in parsed.clauses if not clause.phrase and not clause.title_only]
    if not words:
        return False
    text = " ".join(words)
    return len(set(analyse(text))) >= SENTENCE_MIN_TERMS and reads_as_sentence(text)


def _phrase(parsed: ParsedQuery, text: str, negated: bool, closed: bool, title_only: bool = False) -> None:
    if not closed:
        parsed.messages.append(_l('The closing quote was missing, so "%(phrase)s" was searched as a phrase.',
                                  phrase=text.strip()))
    if text.strip():
        (parsed.excluded if negated else parsed.clauses).append(Clause(text.strip(), phrase=True,
                                                                       title_only=title_only))


def _tag(parsed: ParsedQuery, name: str, negated: bool, closed: bool) -> None:
    name = name.strip().lower()
    if not closed or not name:
        parsed.messages.append(_l("Put a tag between square brackets, like [sync]."))
    if name:
        (parsed.excluded_tags if negated else parsed.tags).append(name[:35])


def _unclosed_tag(parsed: ParsedQuery, word: str, negated: bool) -> None:
    """`[Errno 13] Permission denied`, `[SSL: CERTIFICATE_VERIFY_FAILED]`: error messages pasted whole open a
    bracket they close words later. Read as a tag, `[Errno` would have filtered every thread out."""
    (parsed.excluded if negated else parsed.clauses).append(Clause(word))
    parsed.messages.append(_l("\u201c[%(word)s\u201d has no closing bracket, so it was searched as a word. "
                              "Put a tag between square brackets, like [sync].", word=word))


def _operator(parsed: ParsedQuery, match, negated: bool, viewer_id: int | None) -> bool:
    """Apply a known `name:value` operator; False if `name` is no operator (then it is a plain word)."""
    name, value = match.group("op").lower(), match.group("value")
    if name == "title":
        if match.group("opphrase") is not None:
            _phrase(parsed, match.group("opphrase"), negated, closed=True, title_only=True)
        elif value:
            (parsed.excluded if negated else parsed.clauses).append(Clause(value, title_only=True))
        else:
            parsed.messages.append(_l("Put a word after title:, like title:sync."))
        return True
    handler = _OPERATORS.get(name)
    if handler is None:
        return False
    value = (value if value is not None else match.group("opphrase") or "").lower()
    if negated:
        parsed.messages.append(_l("A minus works before words, phrases and [tags], not before %(operator)s:.",
                                  operator=name))
    handler(parsed, name, value, viewer_id)
    return True


def _user(parsed, name, value, viewer_id) -> None:
    if value == "me" and viewer_id is not None:
        parsed.user_ids.append(viewer_id)
    elif value.isdigit() and int(value) < MAX_NUMBER:
        parsed.user_ids.append(int(value))
    else:
        parsed.messages.append(_l("user: needs a user number, like user:42 (or user:me when you are logged in)."))


def _number_range(parsed, name, value, _viewer_id) -> None:
    found = _RANGE.match(value)
    if not value or not found or (found.group(1) is None and found.group(3) is None):
        parsed.messages.append(_l("%(operator)s: needs a number or a range, like %(operator)s:3 or "
                                  "%(operator)s:1..10.", operator=name))
        return
    low = int(found.group(1)) if found.group(1) is not None else None
    high = int(found.group(3)) if found.group(3) is not None else None
    if not found.group(2):  # score:3 means "3 or more"; answers:0 means "no answers"
        low, high = (0, 0) if name == "answers" and low == 0 else (low, None)
    if low is not None and high is not None and low > high:
        low, high = high, low
    clamp = lambda n: None if n is None else max(-MAX_NUMBER, min(MAX_NUMBER, n))  # noqa: E731
    setattr(parsed, name, (clamp(low), clamp(high)))


def _yes_no(parsed, name, value, _viewer_id) -> None:
    if value in _YES or value in _NO:
        setattr(parsed, {"isaccepted": "is_accepted", "hasaccepted": "has_accepted",
                         "hasofficial": "has_official"}.get(name, name), value in _YES)
    else:
        parsed.messages.append(_l("%(operator)s: takes yes or no, like %(operator)s:yes.", operator=name))


def _lang(parsed, name, value, _viewer_id) -> None:
    if value in LANGUAGE_CODES:
        parsed.language, parsed.language_typed = value, True
    elif value in ("all", "any", "*"):
        parsed.language, parsed.language_typed = None, True
    else:
        parsed.messages.append(_l("lang: takes ja or en, like lang:ja."))


def _is(parsed, name, value, _viewer_id) -> None:
    kinds = {"q": "question", "question": "question", "questions": "question",
             "a": "answer", "answer": "answer", "answers": "answer"}
    if value in kinds:
        parsed.kind = kinds[value]
    else:
        parsed.messages.append(_l("is: takes question or answer, like is:question."))


_OPERATORS = {"user": _user, "score": _number_range, "answers": _number_range, "isaccepted": _yes_no,
              "hasaccepted": _yes_no, "hasofficial": _yes_no, "closed": _yes_no, "is": _is,
              "lang": _lang}


def with_language(parsed: ParsedQuery, language: str | None) -> ParsedQuery:
    """The page's language filter ("ja", "en" or None for all), unless the text said `lang:` itself."""
    if not parsed.language_typed:
        parsed.language = language if language in LANGUAGE_CODES else None
    return parsed


def sentence_terms(text: str) -> list[str]:
    """The distinct terms of a sentence, less the words that only make it a question (方法, 教える, "is there a
    way"), unless nothing else is left."""
    words = list(dict.fromkeys(analyse(text)))
    telling = [w for w in words if w not in QUERY_STOP]
    return telling or words


def sentence_grams(text: str) -> list[str]:
    """The character bigrams a sentence is also scored by (see GRAM_WEIGHT), in the order they come, less those
    that are one of its words."""
    words = set(analyse(text))
    return [gram for gram in grams(text) if gram[len(GRAM_MARK):] not in words]


def common_grams_floor(documents: int) -> float:
    """How many of `documents` threads a bigram may be in before it is too common to score a sentence by (the
    PostgreSQL backend also leaves such bigrams out of its postings at a rebuild)."""
    return max(GRAM_COMMON_MIN_DOCS, documents * GRAM_COMMON_SHARE)


def telling_grams(candidates: list[str], df: Callable[[str], int], documents: int) -> list[str]:
    """The SENTENCE_MAX_GRAMS rarest of a sentence's bigrams that some thread has and not too many do, given each
    one's document frequency `df` among `documents` threads."""
    common = common_grams_floor(documents)
    counted = sorted((df(gram), n, gram) for n, gram in enumerate(candidates))
    return [gram for found, _n, gram in counted if 0 < found < common][:SENTENCE_MAX_GRAMS]
