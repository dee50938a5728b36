"""Search syntax: words, "exact phrases", -exclusions and Stack Overflow's operators, parsed forgivingly.

Any input gives a `ParsedQuery`; what cannot be understood becomes a message for the user (a missing quote,
`score:abc`, `user:`), never an exception. `build()` turns it into Whoosh queries over the schema's fields.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from whoosh import query as q

from .analysis import QUERY_STOP, reads_as_sentence, terms as analyse
from .schema import ANSWER_FIELDS, PHRASE_DEFAULT_FIELDS, PHRASE_FIELDS, QUESTION_FIELDS, TEXT_FIELDS

MAX_QUERY = 500  # characters searched; longer input is cut, with a message
MAX_CLAUSES = 64  # words; a question typed as a sentence can be long, and its rarest words often come last
# Operators match without ranking: a weight too small to reorder results. (Not 0: Whoosh's block-quality
# skipping divides by the weight.)
OPERATOR_WEIGHT = 0.001
MAX_NUMBER = 10**9
# A question typed as a sentence ("Windowsアプリで同期ができなくなったのはなぜですか") is matched on any of its
# words, ranked by BM25F with a coordination bonus (threads sharing more of the words first), once it has this
# many terms: requiring every word of a sentence finds nothing or the wrong thread. Fewer terms, or keywords
# without particles and function words, still need every word, as on Stack Overflow.
SENTENCE_MIN_TERMS = 2
COORDINATION = 0.9  # Whoosh's Or(scale=...): how much sharing more of the words counts

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


def _is(parsed, name, value, _viewer_id) -> None:
    kinds = {"q": "question", "question": "question", "questions": "question",
             "a": "answer", "answer": "answer", "answers": "answer"}
    if value in kinds:
        parsed.kind = kinds[value]
    else:
        parsed.messages.append(_l("is: takes question or answer, like is:question."))


_OPERATORS = {"user": _user, "score": _number_range, "answers": _number_range, "isaccepted": _yes_no,
              "hasaccepted": _yes_no, "hasofficial": _yes_no, "closed": _yes_no, "is": _is}


# -- building Whoosh queries ---------------------------------------------------------------------------------

@dataclass
class Built:
    query: q.Query | None  # text clauses AND operator terms (no weight) AND NOT exclusions
    terms: set[str]  # analysed terms of the positive clauses, for highlighting
    ranges: list[tuple[str, int | None, int | None]] = field(default_factory=list)  # (field, low, high)


def text_fields(parsed: ParsedQuery) -> tuple[str, ...]:
    if parsed.is_accepted is True:
        return ("accepted",)
    if parsed.is_accepted is False:
        return ANSWER_FIELDS
    if parsed.kind == "question":
        return QUESTION_FIELDS
    if parsed.kind == "answer":
        return ANSWER_FIELDS
    return TEXT_FIELDS


def build(parsed: ParsedQuery) -> Built:
    """Every clause must match (in any of the fields); operators narrow without changing the ranking.

    Operators go into the query itself as terms with (almost) no weight (not Whoosh's `filter=` nor
    `ConstantScoreQuery`, which both first collect every matching document: 85,000 for `score:3` at 100,000
    threads, 0.4 s); intersecting then walks the text terms' postings and skips through the operator's.
    Numeric ranges (`score:`, `answers:`) are not terms at all: the search filters on the sortable column.
    """
    fields = text_fields(parsed)
    found_terms: set[str] = set()
    positives = []
    clauses = parsed.clauses
    if parsed.sentence:
        loose = [c for c in clauses if not c.phrase and not c.title_only]
        clauses = [c for c in clauses if c.phrase or c.title_only]
        words = sentence_terms(" ".join(c.text for c in loose))
        found_terms.update(words)
        positives.append(any_of(words, fields, parsed.is_accepted is False))
    for clause in clauses:
        built = _clause(clause, fields, found_terms)
        if built is not None and parsed.is_accepted is False:  # in an answer, but not in the accepted one
            built = q.AndNot(built, _clause(clause, ("accepted",), set()))
        if built is not None:
            positives.append(built)
    negatives = [b for b in (_clause(c, fields, set()) for c in parsed.excluded) if b is not None]
    negatives += [q.Term("tags", tag) for tag in parsed.excluded_tags]
    filters, ranges = _filters(parsed), _ranges(parsed)
    if not positives and (parsed.is_empty or (parsed.clauses and not negatives and not filters and not ranges)):
        return Built(query=None, terms=found_terms)  # nothing searchable (only stop words, or nothing at all)
    parts = positives + filters
    main = (parts[0] if len(parts) == 1 else q.And(parts)) if parts else q.Every()
    if negatives:
        main = q.AndNot(main, q.Or(negatives))
    return Built(query=main, terms=found_terms, ranges=ranges)


class AnyOf(q.Or):
    """An Or that keeps its coordination bonus when a query is rewritten (Whoosh's `apply` drops `scale`)."""

    def apply(self, fn):
        return self.__class__([fn(sub) for sub in self.subqueries], boost=self.boost, scale=self.scale)


def sentence_terms(text: str) -> list[str]:
    """The distinct terms of a sentence, less the words that only make it a question (方法, 教える, "is there a
    way"), unless nothing else is left."""
    words = list(dict.fromkeys(analyse(text)))
    telling = [w for w in words if w not in QUERY_STOP]
    return telling or words


def any_of(words: list[str], fields, outside_accepted: bool = False) -> q.Query:
    """Threads with any of the words, those with more of them first (BM25F plus a coordination bonus)."""
    per_term = []
    for word in words:
        match = q.Or([q.Term(f, word) for f in fields])
        if outside_accepted:
            match = q.AndNot(match, q.Term("accepted", word))
        per_term.append(match)
    return per_term[0] if len(per_term) == 1 else AnyOf(per_term, scale=COORDINATION)


def _clause(clause: Clause, fields, found_terms: set[str]) -> q.Query | None:
    words = analyse(clause.text)
    if not words:
        return None
    found_terms.update(words)
    fields = ("title",) if clause.title_only else fields
    if clause.phrase and len(words) > 1:
        fields = PHRASE_DEFAULT_FIELDS if fields == TEXT_FIELDS else fields
        # Titles and questions keep positions: the words side by side. Answers and comments keep none: all
        # the words in the same field.
        return q.Or([q.Phrase(f, words) if f in PHRASE_FIELDS else q.And([q.Term(f, w) for w in words])
                     for f in fields])
    # A word that analyses to several terms (パスワード再設定: パスワード + 再 + 設定) needs them all. (A phrase
    # bonus for finding them side by side was measured: it doubled Japanese latency for little change in order.)
    per_term = [q.Or([q.Term(f, word) for f in fields]) for word in words]
    return per_term[0] if len(per_term) == 1 else q.And(per_term)


def _filters(parsed: ParsedQuery) -> list[q.Query]:
    parts: list[q.Query] = [q.Term("tags", tag, boost=OPERATOR_WEIGHT) for tag in parsed.tags]
    if parsed.user_ids:
        people = []
        for user_id in parsed.user_ids:
            if parsed.kind != "answer":
                people.append(q.Term("author_id", str(user_id), boost=OPERATOR_WEIGHT))
            if parsed.kind != "question":
                people.append(q.Term("answerer_ids", str(user_id), boost=OPERATOR_WEIGHT))
        parts.append(q.Or(people))
    if parsed.has_accepted is not None:
        parts.append(q.Term("has_accepted", parsed.has_accepted, boost=OPERATOR_WEIGHT))
    if parsed.is_accepted is True:
        parts.append(q.Term("has_accepted", True, boost=OPERATOR_WEIGHT))
    if parsed.has_official is not None:
        parts.append(q.Term("has_official", parsed.has_official, boost=OPERATOR_WEIGHT))
    if parsed.closed is not None:
        parts.append(q.Term("closed", parsed.closed, boost=OPERATOR_WEIGHT))
    return parts


def _ranges(parsed: ParsedQuery) -> list[tuple[str, int | None, int | None]]:
    ranges = []
    if parsed.score:
        ranges.append(("score", *parsed.score))
    if parsed.answers:
        ranges.append(("answer_count", *parsed.answers))
    if parsed.kind == "answer" or parsed.is_accepted is False:
        ranges.append(("answer_count", 1, None))
    return ranges
