"""A parsed search (`query.ParsedQuery`) as SQL over `search_documents`: the same meaning as whoosh/queries.py.

Every positive clause adds its words to one tsquery over `text_vector` (the whole thread; for FAQ entries every
word of the entry), which the GIN index answers. A clause narrower than that (a phrase, `title:`, `is:question`,
`isaccepted:`) also adds an exact condition on its own vector, checked only on the rows the index found.
Operators are plain conditions on stored columns and never change the ranking; exclusions are NOT conditions.
Scored terms are (field, term, boost) triples, ranked by scoring.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..analysis import terms as analyse
from ..query import GRAM_WEIGHT, Clause, ParsedQuery, sentence_grams, sentence_terms, telling_grams
from .scoring import FIELDS

SENTENCE_MAX_TERMS = 10  # as whoosh/queries.py: a sentence is ranked by its ten rarest known words
THREAD_PHRASE_FIELDS = ("question", "answers")  # where a "phrase" is looked for when no operator narrows it
POSITIONAL = ("question", "title")  # fields with real positions; elsewhere a phrase needs its words together
FAQ_FIELDS = ("question", "answers")


class Sql:
    """Bound parameters for a statement being written."""

    def __init__(self):
        self.params: dict = {}

    def bind(self, value) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def tsquery(self, query: str) -> str:
        return f"CAST({self.bind(query)} AS tsquery)"


def lexeme(term: str, label: str = "") -> str:
    quoted = "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
    return f"{quoted}:{label}" if label else quoted


def joined(parts: list[str], operator: str) -> str:
    return parts[0] if len(parts) == 1 else "(" + f" {operator} ".join(parts) + ")"


@dataclass
class Plan:
    """What to match (`match`: a tsquery for the GIN index, `conditions`: SQL), what to score, and the words to
    highlight; `searchable` False when the query leaves nothing to search for."""

    sql: Sql
    match: list[str] = field(default_factory=list)  # tsquery texts, all required
    conditions: list[str] = field(default_factory=list)
    scored: list[tuple[str, str, float]] = field(default_factory=list)
    terms: set[str] = field(default_factory=set)
    searchable: bool = True
    any_words: list[str] = field(default_factory=list)  # a sentence's words, matched by any of them: match[0]
    # "ja" or "en": a condition of its own, which the postings path applies too (ranking.run_postings)
    language: str | None = None
    words_only: bool = False  # keywords: a thread's `text` length counts its words, not its bigrams (words_length)

    def length(self, field: str) -> str:
        """The length a field is scored by: `words` for the whole thread's text in a keyword search."""
        return "words" if self.words_only and field == "text" else field

    def where(self) -> list[str]:
        found = [f"text_vector @@ {self.sql.tsquery(joined(self.match, '&'))}"] if self.match else []
        language = [f"language = {self.sql.bind(self.language)}"] if self.language else []
        return found + self.conditions + language


@dataclass
class _Built:
    match: str  # tsquery over text_vector that every row it matches must satisfy
    exact: str | None  # the SQL condition when `match` alone is not exact, else None
    scored: list[tuple[str, str, float]]

    def condition(self, sql: Sql) -> str:
        return self.exact or f"text_vector @@ {sql.tsquery(self.match)}"


def text_fields(parsed: ParsedQuery) -> tuple[str, ...]:
    if parsed.is_accepted is True:
        return ("accepted",)
    if parsed.is_accepted is False or parsed.kind == "answer":
        return ("answers",)
    if parsed.kind == "question":
        return ("question",)
    return ("text",)


def build(parsed: ParsedQuery, df: Callable[[str], int] | None = None, documents: int = 0) -> Plan:
    """The plan of a thread search; with `df` (document frequency of a term among `documents` threads), a sentence
    keeps only its SENTENCE_MAX_TERMS rarest known words and its telling bigrams (without: all, for their
    statistics)."""
    sql = Sql()
    plan = Plan(sql, words_only=not parsed.sentence)
    fields = text_fields(parsed)
    outside_accepted = parsed.is_accepted is False
    clauses = parsed.clauses
    positives: list[_Built] = []
    if parsed.sentence:
        loose = [c for c in clauses if not c.phrase and not c.title_only]
        clauses = [c for c in clauses if c.phrase or c.title_only]
        sentence = " ".join(c.text for c in loose)
        words = sentence_terms(sentence)
        plan.terms.update(words)
        grams = sentence_grams(sentence) if fields == ("text",) else []  # only the whole thread has them
        if df is not None:
            words = rarest(df, words, SENTENCE_MAX_TERMS)
            grams = telling_grams(grams, df, documents)
        positives.append(any_of(sql, words, fields, outside_accepted, grams))
        plan.any_words = words
    for clause in clauses:
        built = compile_clause(sql, clause, fields, plan.terms)
        if built is not None and outside_accepted:  # in an answer, but not in the accepted one
            in_accepted = compile_clause(sql, clause, ("accepted",), set())
            built.exact = f"({built.condition(sql)} AND NOT {in_accepted.condition(sql)})"
        if built is not None:
            positives.append(built)
    negatives = [b.condition(sql) for b in (compile_clause(sql, c, fields, set()) for c in parsed.excluded) if b]
    if parsed.excluded_tags:
        negatives.append(f"tags && CAST({sql.bind(parsed.excluded_tags)} AS text[])")
    filters, ranges = operator_filters(sql, parsed), range_filters(sql, parsed)
    if not positives and (parsed.is_empty or (parsed.clauses and not negatives and not filters and not ranges)):
        plan.searchable = False
        return plan
    for built in positives:
        plan.match.append(built.match)
        if built.exact:
            plan.conditions.append(built.exact)
        plan.scored += built.scored
    plan.conditions += filters + ranges
    plan.language = parsed.language  # after the check above: a language alone is no search
    if negatives:
        plan.conditions.append(f"NOT {joined(negatives, 'OR')}")
    return plan


def any_of(sql: Sql, words: list[str], fields, outside_accepted: bool = False, grams=()) -> _Built:
    """Rows with any of the words (in any of the fields), scored with the whole-thread bigrams too; BM25
    ranks those sharing more of the rare ones first. The bigrams add to the score of those rows and never match
    one alone (as whoosh/queries.py)."""
    match = joined([lexeme(w) for w in words], "|")
    exact = None
    if fields != ("text",) and fields != FAQ_FIELDS or outside_accepted:
        per_word = []
        for word in words:
            found = joined([_has(sql, f, lexeme(word, FIELDS[f].label)) for f in fields], "OR")
            if outside_accepted:
                found = f"({found} AND NOT {_has(sql, 'accepted', lexeme(word))})"
            per_word.append(found)
        exact = joined(per_word, "OR")
    return _Built(match, exact, [(f, w, 1.0) for w in words for f in fields]
                  + [("text", gram, GRAM_WEIGHT) for gram in grams])


def rarest(df: Callable[[str], int], words: list[str], keep: int) -> list[str]:
    """The `keep` words found in the fewest documents, leaving out those none has (all of them if none is
    known: the search then finds nothing, as it should)."""
    counted = sorted((df(word), n, word) for n, word in enumerate(words))
    known = [word for found, _n, word in counted if found]
    return (known or words)[:keep]


def compile_clause(sql: Sql, clause: Clause, fields, found_terms: set[str]) -> _Built | None:
    words = analyse(clause.text)
    if not words:
        return None
    found_terms.update(words)
    fields = ("title",) if clause.title_only else fields
    every = joined([lexeme(w) for w in words], "&")
    if clause.phrase and len(words) > 1:
        fields = THREAD_PHRASE_FIELDS if fields == ("text",) else fields
        # Titles and questions keep positions: the words side by side. Elsewhere: all the words in the field.
        exact = joined([_has(sql, f, joined([lexeme(w, FIELDS[f].label) for w in words],
                                            "<->" if f in POSITIONAL else "&")) for f in fields], "OR")
        return _Built(every, exact, [(f, w, 1.0) for f in fields for w in words])
    exact = None
    if fields != ("text",) and fields != FAQ_FIELDS:  # the whole-thread vector alone says too little
        exact = joined([joined([_has(sql, f, lexeme(w, FIELDS[f].label)) for f in fields], "OR") for w in words],
                       "AND")
    return _Built(every, exact, [(f, w, 1.0) for w in words for f in fields])


def _has(sql: Sql, field_name: str, query: str) -> str:
    return f"{FIELDS[field_name].vector} @@ {sql.tsquery(query)}"


def operator_filters(sql: Sql, parsed: ParsedQuery) -> list[str]:
    found = []
    if parsed.tags:
        found.append(f"tags @> CAST({sql.bind(sorted(set(parsed.tags)))} AS text[])")
    if parsed.user_ids:
        people = []
        for user_id in parsed.user_ids:
            if parsed.kind != "answer":
                people.append(f"author_id = {sql.bind(user_id)}")
            if parsed.kind != "question":
                people.append(f"{sql.bind(user_id)} = ANY(answerer_ids)")
        found.append(joined(people, "OR"))
    if parsed.has_accepted is not None:
        found.append(f"has_accepted = {sql.bind(parsed.has_accepted)}")
    if parsed.is_accepted is True:
        found.append("has_accepted")
    if parsed.has_official is not None:
        found.append(f"has_official = {sql.bind(parsed.has_official)}")
    if parsed.closed is not None:
        found.append(f"closed = {sql.bind(parsed.closed)}")
    return found


def range_filters(sql: Sql, parsed: ParsedQuery) -> list[str]:
    ranges = []
    if parsed.score:
        ranges.append(("score", *parsed.score))
    if parsed.answers:
        ranges.append(("answer_count", *parsed.answers))
    if parsed.kind == "answer" or parsed.is_accepted is False:
        ranges.append(("answer_count", 1, None))
    found = []
    for column, low, high in ranges:
        if low is not None:
            found.append(f"{column} >= {sql.bind(low)}")
        if high is not None:
            found.append(f"{column} <= {sql.bind(high)}")
    return found


def build_faq(parsed: ParsedQuery) -> Plan:
    """Every word must match (title, question or answer), or for a sentence any of them; exclusions must not;
    not searchable without any word. Thread operators are ignored."""
    sql = Sql()
    plan = Plan(sql)
    clauses = parsed.clauses
    positives: list[_Built] = []
    if parsed.sentence:
        words = sentence_terms(" ".join(c.text for c in clauses if not c.phrase and not c.title_only))
        plan.terms.update(words)
        positives.append(any_of(sql, words, FAQ_FIELDS))
        clauses = [c for c in clauses if c.phrase or c.title_only]
    positives += [b for b in (compile_clause(sql, c, FAQ_FIELDS, plan.terms) for c in clauses) if b is not None]
    if not positives:
        plan.searchable = False
        return plan
    for built in positives:
        plan.match.append(built.match)
        if built.exact:
            plan.conditions.append(built.exact)
        plan.scored += built.scored
    plan.language = parsed.language
    negatives = [b.condition(sql) for b in (compile_clause(sql, c, FAQ_FIELDS, set()) for c in parsed.excluded) if b]
    if negatives:
        plan.conditions.append(f"NOT {joined(negatives, 'OR')}")
    return plan
