"""Whoosh queries from a parsed search (`query.ParsedQuery`), over the fields of `schema.py`."""
from __future__ import annotations

from dataclasses import dataclass, field

from whoosh import query as q

from ..analysis import terms as analyse
from ..query import GRAM_WEIGHT, SENTENCE_MAX_GRAMS, Clause, ParsedQuery, sentence_grams, sentence_terms, telling_grams
from .schema import (ANSWER_FIELDS, FAQ_FIELDS, PHRASE_DEFAULT_FIELDS, PHRASE_FIELDS, QUESTION_FIELDS,
                     TEXT_FIELDS)

# Operators match without ranking: a weight too small to reorder results. (Not 0: Whoosh's block-quality
# skipping divides by the weight.)
OPERATOR_WEIGHT = 0.001
# A sentence is ranked by its rarest words the index knows: every further word is one more posting list to merge
# in pure Python (a 30-word English sentence took 280 ms at 20,000 threads), and the common ones barely move
# BM25 scores (bench/search_quality.py, se-sentence recall@5: all words 0.635, the rarest 10 0.633, 6 0.614).
SENTENCE_MAX_TERMS = 10


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


def build(parsed: ParsedQuery, reader=None) -> Built:
    """Every clause must match (in any of the fields); operators narrow without changing the ranking.

    Operators go into the query itself as terms with (almost) no weight (not Whoosh's `filter=` nor
    `ConstantScoreQuery`, which both first collect every matching document: 85,000 for `score:3` at 100,000
    threads, 0.4 s); intersecting then walks the text terms' postings and skips through the operator's.
    Numeric ranges (`score:`, `answers:`) are not terms at all: the search filters on the sortable column.
    With the index's `reader`, a sentence keeps only its SENTENCE_MAX_TERMS rarest known words.
    """
    fields = text_fields(parsed)
    found_terms: set[str] = set()
    positives = []
    clauses = parsed.clauses
    if parsed.sentence:
        loose = [c for c in clauses if not c.phrase and not c.title_only]
        clauses = [c for c in clauses if c.phrase or c.title_only]
        sentence = " ".join(c.text for c in loose)
        words = sentence_terms(sentence)
        found_terms.update(words)
        grams = sentence_grams(sentence) if fields == TEXT_FIELDS else []  # only the whole thread has them
        if reader is not None:
            words = rarest(reader, words, SENTENCE_MAX_TERMS)
            grams = telling_grams(grams, lambda gram: reader.doc_frequency(TEXT_FIELDS[0], gram), reader.doc_count())
        positives.append(any_of(words, fields, parsed.is_accepted is False, grams[:SENTENCE_MAX_GRAMS]))
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
    if parsed.language:  # after the check above: a language alone is no search
        filters.append(q.Term("lang", parsed.language, boost=OPERATOR_WEIGHT))
    parts = positives + filters
    main = (parts[0] if len(parts) == 1 else q.And(parts)) if parts else q.Every()
    if negatives:
        main = q.AndNot(main, q.Or(negatives))
    return Built(query=main, terms=found_terms, ranges=ranges)


def any_of(words: list[str], fields, outside_accepted: bool = False, grams=()) -> q.Query:
    """Threads with any of the words; BM25F ranks those sharing more of the rare ones first. The whole-thread
    bigrams, at GRAM_WEIGHT, add to the score of those threads and never match one alone (a thread sharing only
    です or 方法 with a sentence is not an answer to it)."""
    per_term = []
    for word in words:
        match = q.Or([q.Term(f, word) for f in fields])
        if outside_accepted:
            match = q.AndNot(match, q.Term("accepted", word))
        per_term.append(match)
    query = per_term[0] if len(per_term) == 1 else q.Or(per_term)
    if not grams:
        return query
    return q.AndMaybe(query, q.Or([q.Term(TEXT_FIELDS[0], gram, boost=GRAM_WEIGHT) for gram in grams]))


def rarest(reader, words: list[str], keep: int) -> list[str]:
    """The `keep` words found in the fewest threads, leaving out those no thread has (all of them if none is
    known: the search then finds nothing, as it should)."""
    counted = sorted((reader.doc_frequency(TEXT_FIELDS[0], word), n, word) for n, word in enumerate(words))
    known = [word for found, _n, word in counted if found]
    return (known or words)[:keep]


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


def build_faq_query(parsed: ParsedQuery) -> tuple[q.Query | None, set[str]]:
    """Every word must match (title, question or answer), or for a sentence any of them (see query.py);
    exclusions must not; None without any word."""
    terms: set[str] = set()
    clauses = parsed.clauses
    positives = []
    if parsed.sentence:
        words = sentence_terms(" ".join(c.text for c in clauses if not c.phrase and not c.title_only))
        terms.update(words)
        positives.append(any_of(words, FAQ_FIELDS))
        clauses = [c for c in clauses if c.phrase or c.title_only]
    positives += [b for b in (_clause(c, FAQ_FIELDS, terms) for c in clauses) if b is not None]
    if not positives:
        return None, terms
    if parsed.language:
        positives.append(q.Term("lang", parsed.language, boost=OPERATOR_WEIGHT))
    main = positives[0] if len(positives) == 1 else q.And(positives)
    negatives = [b for b in (_clause(c, FAQ_FIELDS, set()) for c in parsed.excluded) if b is not None]
    if negatives:
        main = q.AndNot(main, q.Or(negatives))
    return main, terms
