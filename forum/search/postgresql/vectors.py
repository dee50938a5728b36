"""Document dicts to table rows: tsvector literals built with Kotae's own analysis, so PostgreSQL does none.

Every vector is a literal (``'lexeme':1A,2B``) cast to tsvector, of one of two shapes:

- *Counted* (`text`, `answers`, `accepted`): a lexeme's positions are not where it occurs but one entry per
  occurrence, numbered 1, 2, 3..., each labelled with the weight class of its section (title A, question and
  chosen answers B, other answers C, comments D). `ts_rank_cd` of a one-word query sums the labels' weights over
  the occurrences, so with weights proportional to the section weights it returns exactly the weighted term
  frequency Whoosh's BM25F scores (see scoring.py). Numbering from 1 also keeps long threads whole: real
  positions stop at 16,383.
- *Positional* (`question` = title + body): real positions, for "phrases" (`<->`), and the title's words
  labelled A, for `title:`.

Field lengths are token counts rounded as Whoosh stores them (one byte per document), so BM25's length
normalisation matches too.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field

from whoosh.util.numeric import byte_to_length, length_to_byte

from ..analysis import (ANSWER, CHOSEN_ANSWER, COMMENT, GRAM_MARK, QUESTION, SECTION_WEIGHTS, TITLE, TITLE_BOOST,
                        TITLE_MARK, KotaeTokenizer)

_ANALYZER = KotaeTokenizer()
_THREAD_ANALYZER = KotaeTokenizer(grams=True)  # a thread's sections: words, and bigrams for `text` alone
_SECTION_MARKS = re.compile("([" + "".join(SECTION_WEIGHTS) + "])")
MAX_OCCURRENCES = 256  # positions PostgreSQL keeps per lexeme; far past where BM25 saturates
MAX_POSITION = 16383
MAX_LEXEME_BYTES = 2046

# Section weight -> label, heaviest first (A). ts_rank_cd weights are listed D, C, B, A and must be <= 1.
_SECTION_LABELS = dict(zip(sorted(set(SECTION_WEIGHTS.values()), reverse=True), "ABCD"))
TEXT_SCALE = max(SECTION_WEIGHTS.values())
TEXT_WEIGHTS = tuple(next((w / TEXT_SCALE for w, label in _SECTION_LABELS.items() if label == wanted), 0.0)
                     for wanted in "DCBA")
QUESTION_FIELD_BOOST = 1.5  # Whoosh's `question` field_boost (whoosh/schema.py), threads and FAQ alike
QUESTION_SCALE = TITLE_BOOST * QUESTION_FIELD_BOOST
QUESTION_WEIGHTS = (1 / TITLE_BOOST, 0.0, 0.0, 1.0)  # body D, title A
TITLE_WEIGHTS = (0.0, 0.0, 0.0, 1.0)  # only the title's positions count
COUNT_WEIGHTS = (1.0, 1.0, 1.0, 1.0)


@dataclass
class Analysed:
    """One document as a table row, plus the terms of each counted field (for search_terms)."""

    row: dict
    terms: dict[str, set[str]] = field(default_factory=dict)  # field -> distinct terms
    lengths: dict[str, float] = field(default_factory=dict)  # field -> stored length
    postings: dict[str, float] = field(default_factory=dict)  # thread term -> weighted frequency in `text`


def thread_row(document: dict) -> Analysed:
    """The row of a thread document (documents.make_document). Each section of its whole-thread `text` is
    analysed once, and the narrower fields are put together from the sections: `question` is the title and
    body, `answers` every answer and comment, `accepted` the first chosen answer when one is accepted."""
    with_grams = _sections(document.get("text", ""))
    text, text_length = _counted((_section_label(SECTION_WEIGHTS[mark]), tokens) for mark, tokens in with_grams)
    sections = [(mark, [token for token in tokens if not token[0].startswith(GRAM_MARK)])
                for mark, tokens in with_grams]
    title = next((tokens for mark, tokens in sections if mark == TITLE), [])
    body = next((tokens for mark, tokens in sections if mark == QUESTION), [])
    question, question_length, title_length = _positional(title, body)
    answers, answers_length = _counted(("D", tokens) for mark, tokens in sections
                                       if mark in (CHOSEN_ANSWER, ANSWER, COMMENT))
    chosen = [tokens for mark, tokens in sections if mark == CHOSEN_ANSWER]
    accepted, accepted_length = _counted([("D", chosen[0])] if document.get("has_accepted") and chosen else [])
    row = {
        "id": int(document["id"]), "fingerprint": document.get("fingerprint"), "title": document.get("title", ""),
        "tags": document.get("tags", "").lower().split(), "author_id": _int(document.get("author_id")),
        "answerer_ids": [int(i) for i in document.get("answerer_ids", "").split()],
        "score": int(document.get("score", 0)), "answer_count": int(document.get("answer_count", 0)),
        "has_accepted": bool(document.get("has_accepted")), "has_official": bool(document.get("has_official")),
        "closed": bool(document.get("closed")), "created": int(document.get("created", 0)),
        "activity": int(document.get("activity", 0)), "category_id": None, "language": document.get("lang"),
        "text_vector": literal(text), "question_vector": literal(question), "answers_vector": literal(answers),
        "accepted_vector": literal(accepted),
    }
    grams = sum(1 for _mark, tokens in with_grams for term, _pos in tokens if term.startswith(GRAM_MARK))
    lengths = {"text": text_length, "question": question_length, "title": title_length,
               "answers": answers_length, "accepted": accepted_length, "words": words_length(text_length, grams)}
    row.update({f"{name}_length": value for name, value in lengths.items()})
    postings = {term: weighted_frequency(places) for term, places in text.items()
                if len(term.encode()) <= MAX_LEXEME_BYTES}
    row["postings_hash"] = postings_hash(postings, lengths, row["language"])
    return Analysed(row, {"text": set(text), "spell": spelling_words(row["title"])}, lengths, postings)


def postings_hash(postings: dict[str, float], lengths: dict[str, float], language: str | None) -> str:
    """A digest of what a thread's postings hold (see tables.py, search_documents.postings_hash)."""
    digest = hashlib.md5(repr((lengths["text"], lengths["words"], language)).encode())
    for term in sorted(postings):
        digest.update(f"\x00{term}\x00{postings[term]!r}".encode())
    return digest.hexdigest()


def faq_row(document: dict) -> Analysed:
    """The row of an FAQ entry's document (faq.make_faq_document): its answer takes the `answers` columns, and
    `text_vector` holds every word of the entry, for the GIN index to find candidates by."""
    question, question_length, title_length = positional(document.get("question", ""))
    answers, answers_length = counted(document.get("answer", ""))
    everything = {term: [] for term in {*question, *answers}}
    row = {
        "id": int(document["id"]), "fingerprint": document.get("fingerprint"), "title": document.get("title", ""),
        "tags": [], "author_id": None, "answerer_ids": [], "score": 0, "answer_count": 0, "has_accepted": False,
        "has_official": False, "closed": False, "created": 0, "activity": 0,
        "category_id": _int(document.get("category_id")), "language": document.get("lang"),
        "text_vector": literal(everything), "question_vector": literal(question),
        "answers_vector": literal(answers), "accepted_vector": "", "postings_hash": None,
    }
    lengths = {"text": 0.0, "question": question_length, "title": title_length, "answers": answers_length,
               "accepted": 0.0, "words": 0.0}
    row.update({f"{name}_length": value for name, value in lengths.items()})
    return Analysed(row, {"question": set(question), "answers": set(answers)}, lengths)


def counted(value: str) -> tuple[dict[str, list[str]], float]:
    """A field's {term: its occurrences numbered 1..n} and its stored length."""
    return _counted([("D", _tokens(value))])


def positional(value: str) -> tuple[dict[str, list[str]], float, float]:
    """A `question` value (title, TITLE_MARK, body): {term: ["<position><label>", ...]} with the title's
    words labelled A, the field's stored length and the title's."""
    title, _mark, body = (value or "").rpartition(TITLE_MARK)  # no mark: all of it is body, as in Whoosh
    return _positional(_tokens(title), _tokens(body))


def _sections(text: str) -> list[tuple[str, list[tuple[str, int]]]]:
    """(mark, analysed tokens) for each section of a whole-thread text."""
    parts = _SECTION_MARKS.split(text or "")
    return [(mark, _tokens(value, _THREAD_ANALYZER)) for mark, value in zip(parts[1::2], parts[2::2])]


def _tokens(value: str, analyzer=_ANALYZER) -> list[tuple[str, int]]:
    return [(token.text, token.pos) for token in analyzer(value or "", positions=True, mode="index")]


def _counted(labelled) -> tuple[dict[str, list[str]], float]:
    """{term: occurrences numbered 1..n, heaviest label first} of (label, tokens) pairs, and the stored length
    (Whoosh counts every token)."""
    found: dict[str, list[str]] = defaultdict(list)
    tokens = 0
    for label, analysed in labelled:
        for term, _pos in analysed:
            found[term].append(label)
        tokens += len(analysed)
    entries = {term: [f"{n}{label}" for n, label in enumerate(sorted(labels)[:MAX_OCCURRENCES], 1)]
               for term, labels in found.items()}
    return entries, stored_length(tokens)


def _positional(title: list, body: list) -> tuple[dict[str, list[str]], float, float]:
    """Real positions, the body's following the title's as in one field value."""
    found: dict[str, dict[int, str]] = defaultdict(dict)
    offset = max((pos for _term, pos in title), default=-1) + 1
    for tokens, start, label in ((title, 1, "A"), (body, offset + 1, "D")):
        for term, pos in tokens:
            found[term].setdefault(min(pos + start, MAX_POSITION), label)
    entries = {term: [f"{pos}{label}" for pos, label in sorted(places.items())[:MAX_OCCURRENCES]]
               for term, places in found.items()}
    return entries, stored_length(len(title) + len(body)), stored_length(len(title))


_TEXT_LABEL_WEIGHTS = dict(zip("DCBA", TEXT_WEIGHTS))


def weighted_frequency(places: list[str]) -> float:
    """What `4 * ts_rank_cd(TEXT_WEIGHTS, text_vector, 'term', 0)` returns for a counted entry ["1A", "2B", ...]:
    the sum of its labels' weights, times TEXT_SCALE (search_postings keeps it, see tables.py)."""
    return TEXT_SCALE * sum(_TEXT_LABEL_WEIGHTS[place[-1]] for place in places)


def literal(entries: dict[str, list[str]]) -> str:
    """A tsvector literal of {term: ["<position><label>", ...]}."""
    parts = []
    for term, places in entries.items():
        if len(term.encode()) > MAX_LEXEME_BYTES:
            continue  # PostgreSQL refuses longer lexemes; nobody searches for them
        quoted = "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
        parts.append(f"{quoted}:{','.join(places)}" if places else quoted)
    return " ".join(parts)


def spelling_words(title: str) -> set[str]:
    """Unstemmed Latin title words, the vocabulary "did you mean" suggests from (Whoosh's spelling field)."""
    return {token.text for token in _ANALYZER(title or "", no_morph=True)}


def stored_length(tokens: int) -> float:
    return float(byte_to_length(length_to_byte(tokens))) if tokens else 0.0


def words_length(text_length: float, grams: int) -> float:
    """A thread's length for keyword searches: its stored text length less its bigrams, as Whoosh's
    (whoosh/lengths.py `words`)."""
    return max(text_length - grams, 1.0) if text_length else 0.0


def _section_label(boost: float) -> str:
    return _SECTION_LABELS.get(boost, "C")


def _int(value) -> int | None:
    return int(value) if value not in (None, "") else None
