"""Writing documents: upserts with their term counts, in the caller's transaction, and the one-transaction rebuild.

Locks, all released with the transaction:
- every write holds the kind's advisory lock SHARED, and a rebuild holds it EXCLUSIVE: writers wait for a
  rebuild (and give up after the lock timeout: `IndexBusy`, the outbox keeps their work), never the reverse;
- each written document's own advisory lock (two-key space: kind number, id), taken in id order: two writers
  of one document run one after the other, so each reads the other's row before it adjusts the term counts.
"""
from __future__ import annotations

import multiprocessing
from collections import Counter
from contextlib import contextmanager
from typing import Iterable, Iterator

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from ..analysis import GRAM_MARK
from ..backend import FAQ, THREADS, IndexBusy
from ..query import common_grams_floor
from ..whoosh.ranking import B, K1
from .tables import LAYOUT
from .vectors import Analysed, faq_row, spelling_words, thread_row

KIND_NUMBERS = {THREADS: 1, FAQ: 2}
_KIND_LOCK_BASE = 0x4B6F746165_00  # "Kotae" + kind number: the bigint advisory lock of a kind
FIELDS = {THREADS: ("text", "spell"), FAQ: ("question", "answers")}  # fields whose terms are counted
LENGTHS = ("text", "question", "title", "answers", "accepted", "words")
_BUSY_STATES = {"55P03", "40P01"}  # lock_not_available (lock_timeout), deadlock_detected
VECTOR_COLUMNS = ("text_vector", "question_vector", "answers_vector", "accepted_vector")
COLUMNS = ("id", "fingerprint", "title", "tags", "author_id", "answerer_ids", "score", "answer_count",
           "has_accepted", "has_official", "closed", "created", "activity", "category_id", "language", *VECTOR_COLUMNS,
           *(f"{name}_length" for name in LENGTHS), "postings_hash")

_UPSERT = text(
    f"INSERT INTO search_documents (kind, {', '.join(COLUMNS)}) VALUES (:kind, "
    + ", ".join(f"CAST(:{c} AS tsvector)" if c in VECTOR_COLUMNS else f":{c}" for c in COLUMNS)
    + ") ON CONFLICT (kind, id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "id"))
_COUNT_TERMS = text(
    "INSERT INTO search_terms (kind, field, term, documents) "
    "SELECT :kind, f, t, n FROM unnest(CAST(:fields AS text[]), CAST(:terms AS text[]), CAST(:counts AS int[])) "
    "AS change(f, t, n) ORDER BY f, t "
    "ON CONFLICT (kind, field, term) DO UPDATE SET documents = search_terms.documents + excluded.documents, "
    "version = excluded.version")
_FORGET_TERMS = text(
    "DELETE FROM search_terms WHERE kind = :kind AND documents <= 0 AND (field, term) IN "
    "(SELECT * FROM unnest(CAST(:fields AS text[]), CAST(:terms AS text[])))")
_COUNT_DOCUMENTS = text(
    f"INSERT INTO search_statistics (kind, layout, documents, {', '.join(f'{n}_length' for n in LENGTHS)}) "
    f"VALUES (:kind, :layout, :documents, {', '.join(f':{n}' for n in LENGTHS)}) ON CONFLICT (kind) DO UPDATE SET "
    "documents = search_statistics.documents + excluded.documents, "
    + ", ".join(f"{n}_length = search_statistics.{n}_length + excluded.{n}_length" for n in LENGTHS))


def analyse(kind: str, document: dict) -> Analysed:
    return thread_row(document) if kind == THREADS else faq_row(document)


def kind_lock(kind: str) -> int:
    return _KIND_LOCK_BASE + KIND_NUMBERS[kind]


@contextmanager
def busy_as_index_busy(what: str) -> Iterator[None]:
    """A lock not had within the lock timeout (or a deadlock) is the backend-neutral `IndexBusy`."""
    try:
        yield
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) in _BUSY_STATES:
            raise IndexBusy(f"{what}: {error.orig}") from error
        raise


@contextmanager
def lock_timeout(connection, seconds: float) -> Iterator[None]:
    """Lock waits in this block give up after `seconds`; the caller's own setting is put back after it (on an
    error the caller rolls back, which restores it too)."""
    previous = connection.execute(text("SELECT current_setting('lock_timeout')")).scalar()
    connection.execute(text("SELECT set_config('lock_timeout', :value, true)"),
                       {"value": f"{max(1, int(seconds * 1000))}ms"})
    yield
    connection.execute(text("SELECT set_config('lock_timeout', :value, true)"), {"value": previous})


def lock_kind(connection, kind: str, exclusive: bool = False) -> None:
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    connection.execute(text(f"SELECT {function}(:key)"), {"key": kind_lock(kind)})


def write_documents(connection, kind: str, documents: dict[int, dict | None], timeout: float) -> None:
    """Upsert each document and delete the ids mapped to None, adjusting term counts and statistics; on the
    caller's connection and transaction, never committing."""
    if not documents:
        return
    ids = sorted(documents)
    with busy_as_index_busy(f"the {kind} search documents are locked"), lock_timeout(connection, timeout):
        lock_kind(connection, kind)
        connection.execute(text("SELECT pg_advisory_xact_lock(:kind, id) FROM unnest(CAST(:ids AS int[])) AS id"),
                           {"kind": KIND_NUMBERS[kind], "ids": ids})
        change = Change()
        old_rows = list(_old_rows(connection, kind, ids))
        for old in old_rows:
            change.add(old, -1)
        written = {doc_id: analyse(kind, document) for doc_id, document in documents.items() if document is not None}
        for analysed in written.values():
            change.add(analysed, +1)
        removed = [doc_id for doc_id in ids if documents[doc_id] is None]
        if removed:
            connection.execute(text("DELETE FROM search_documents WHERE kind = :kind AND id = ANY(:ids)"),
                               {"kind": kind, "ids": removed})
        if written:
            connection.execute(_UPSERT, [dict(analysed.row, kind=kind) for analysed in written.values()])
        if kind == THREADS:
            kept = _postings_kept(old_rows, written)
            rewritten = [old for old in old_rows if old.row["id"] not in kept]
            _replace_postings(connection, rewritten, [a for doc_id, a in written.items() if doc_id not in kept])
            for analysed in rewritten + [a for doc_id, a in written.items() if doc_id not in kept]:
                change.renew(analysed.terms["text"])  # their versions: decoded copies are out of date
        change.apply(connection, kind)
        if kind == THREADS and written:
            _raise_bounds(connection, written.values())


_POSTING_COLUMNS = "term, id, frequency, length, words_length, language"
_DROP_POSTINGS = text("DELETE FROM search_postings WHERE (term, id) IN "
                      "(SELECT * FROM unnest(CAST(:terms AS text[]), CAST(:ids AS int[])))")
# Whether a `posting` row's term is posted (see tables.py, search_terms.posted).
_IS_POSTED = ("NOT EXISTS (SELECT FROM search_terms AS t WHERE t.kind = 'thread' AND t.field = 'text' "
              "AND t.term = posting.term AND NOT t.posted)")
_ADD_POSTINGS = text("INSERT INTO search_postings (term, id, frequency, length, words_length, language) SELECT * "
                     "FROM unnest(CAST(:terms AS text[]), CAST(:ids AS int[]), CAST(:frequencies AS real[]), "
                     "CAST(:lengths AS real[]), CAST(:words_lengths AS real[]), CAST(:languages AS text[])) "
                     f"AS posting(term) WHERE {_IS_POSTED}")
# The bigrams too common to score a sentence by (see tables.py, search_terms.posted), reckoned by a rebuild.
_UNPOST_COMMON_GRAMS = text(
    "UPDATE search_terms SET posted = false WHERE kind = 'thread' AND field = 'text' AND starts_with(term, :mark) "
    "AND documents >= :floor")


# A term's stored bound, brought to the current average text length (see tables.py, search_terms.best).
_BOUND_NOW = "CASE WHEN t.average = 0 THEN 0 ELSE t.best * greatest(1, :average / t.average) END"
_RAISE_BOUNDS = text(
    f"UPDATE search_terms AS t SET best = greatest({_BOUND_NOW}, written.best), average = :average "
    "FROM unnest(CAST(:terms AS text[]), CAST(:bests AS real[])) AS written(term, best) "
    f"WHERE t.kind = 'thread' AND t.field = 'text' AND t.term = written.term AND written.best > {_BOUND_NOW}")
_TEXT_AVERAGE = text("SELECT greatest(text_length / nullif(documents, 0), 1) FROM search_statistics "
                     "WHERE kind = 'thread'")
_BOUNDS_FROM_POSTINGS = text(
    "UPDATE search_terms AS t SET best = bounds.best, average = :average "
    "FROM (SELECT term, max(frequency / (frequency + :flat + :scaled * length)) AS best FROM search_postings "
    "      GROUP BY term) AS bounds "
    "WHERE t.kind = 'thread' AND t.field = 'text' AND t.term = bounds.term")


def _share(frequency: float, length: float, average: float) -> float:
    """The share of a term's BM25 weight a thread's frequency of it earns (the term's bound is the largest)."""
    return frequency / (frequency + K1 * (1 - B) + K1 * B * length / average)


def _raise_bounds(connection, written: Iterable[Analysed]) -> None:
    """Raise the written terms' bounds where a written thread goes past them (never lowered: see tables.py)."""
    average = float(connection.execute(_TEXT_AVERAGE).scalar() or 1.0)
    best: dict[str, float] = {}
    for analysed in written:
        for term, frequency in analysed.postings.items():
            share = _share(frequency, analysed.lengths["text"], average)
            if share > best.get(term, 0.0):
                best[term] = share
    if best:
        terms = sorted(best)
        connection.execute(_RAISE_BOUNDS, {"terms": terms, "bests": [best[t] for t in terms], "average": average})


def _postings_kept(old_rows: list[Analysed], written: dict[int, Analysed]) -> set[int]:
    """The threads written again with the very postings they had (a vote, a tag: the same postings hash)."""
    return {old.row["id"] for old in old_rows if old.row.get("postings_hash") and old.row["id"] in written
            and written[old.row["id"]].row["postings_hash"] == old.row["postings_hash"]}


def _replace_postings(connection, old_rows: list[Analysed], written: Iterable[Analysed]) -> None:
    """The threads' postings: the old rows' terms out (by primary key), the written rows' in."""
    terms, ids = [], []
    for old in old_rows:
        for term in old.terms["text"]:
            terms.append(term)
            ids.append(old.row["id"])
    if terms:
        connection.execute(_DROP_POSTINGS, {"terms": terms, "ids": ids})
    added: dict[str, list] = {"terms": [], "ids": [], "frequencies": [], "lengths": [], "words_lengths": [],
                              "languages": []}
    for analysed in written:
        for term, frequency in analysed.postings.items():
            added["terms"].append(term)
            added["ids"].append(analysed.row["id"])
            added["frequencies"].append(frequency)
            added["lengths"].append(analysed.lengths["text"])
            added["words_lengths"].append(analysed.lengths["words"])
            added["languages"].append(analysed.row.get("language"))
    if added["terms"]:
        connection.execute(_ADD_POSTINGS, added)


def _old_rows(connection, kind: str, ids: list[int]) -> Iterator[Analysed]:
    """The stored rows' counted terms and lengths, as `Analysed` (spelling words from their titles)."""
    vectors = {"text": "text_vector", "question": "question_vector", "answers": "answers_vector"}
    counted = [name for name in FIELDS[kind] if name in vectors]
    rows = connection.execute(text(
        "SELECT id, title, postings_hash, "
        + ", ".join(f"tsvector_to_array({vectors[name]}) AS {name}" for name in counted) + ", "
        + ", ".join(f"{name}_length" for name in LENGTHS)
        + " FROM search_documents WHERE kind = :kind AND id = ANY(:ids)"), {"kind": kind, "ids": ids}).mappings()
    for row in rows:
        terms = {name: set(row[name]) for name in counted}
        if "spell" in FIELDS[kind]:
            terms["spell"] = spelling_words(row["title"])
        yield Analysed({"id": row["id"], "postings_hash": row["postings_hash"]}, terms,
                       {name: row[f"{name}_length"] for name in LENGTHS})


class Change:
    """What a write changes in `search_terms` and `search_statistics`."""

    def __init__(self):
        self.terms: Counter = Counter()
        self.documents = 0
        self.lengths: Counter = Counter()
        self.renewed: set[tuple[str, str]] = set()  # (field, term): a new version even where the count stays

    def renew(self, text_terms: set[str]) -> None:
        self.renewed.update(("text", term) for term in text_terms)

    def add(self, analysed: Analysed, sign: int) -> None:
        for name, found in analysed.terms.items():
            self.terms.update({(name, term): sign for term in found})
        self.documents += sign
        self.lengths.update({name: sign * value for name, value in analysed.lengths.items()})

    def apply(self, connection, kind: str) -> None:
        changed = sorted({key for key, count in self.terms.items() if count} | self.renewed)
        if changed:
            fields, terms = [f for f, _t in changed], [t for _f, t in changed]
            connection.execute(_COUNT_TERMS, {"kind": kind, "fields": fields, "terms": terms,
                                              "counts": [self.terms[key] for key in changed]})
            gone = [key for key in changed if self.terms[key] < 0]
            if gone:
                connection.execute(_FORGET_TERMS, {"kind": kind, "fields": [f for f, _t in gone],
                                                   "terms": [t for _f, t in gone]})
        if self.documents or any(self.lengths.values()):  # a vote changes neither: no hot row to lock
            connection.execute(_COUNT_DOCUMENTS, {"kind": kind, "layout": LAYOUT, "documents": self.documents,
                                                  **{name: self.lengths[name] for name in LENGTHS}})


def ensure_statistics(connection, kind: str) -> None:
    """The kind's statistics row, so an index that has been written to exists even while it is empty."""
    connection.execute(text("INSERT INTO search_statistics (kind, layout) VALUES (:kind, :layout) "
                            "ON CONFLICT (kind) DO NOTHING"), {"kind": kind, "layout": LAYOUT})


# -- the full rebuild -----------------------------------------------------------------------------------------

def rebuild(connection, kind: str, batches: Iterable[list[dict]], timeout: float, procs: int = 1) -> int:
    """Replace every document of `kind` in the caller's transaction: readers see the old ones until it commits.

    Documents are analysed in `procs` worker processes while this one reads the database and copies rows in.
    """
    with busy_as_index_busy(f"the {kind} search documents are being written"), lock_timeout(connection, timeout):
        lock_kind(connection, kind, exclusive=True)
    for table in ("search_documents", "search_terms", "search_statistics"):
        connection.execute(text(f"DELETE FROM {table} WHERE kind = :kind"), {"kind": kind})
    with_postings = kind == THREADS
    if with_postings:  # copied into a temporary table first, then inserted in index order (see _fill_postings)
        connection.execute(text("DELETE FROM search_postings"))
        connection.execute(text("CREATE TEMPORARY TABLE new_postings (term text, id integer, frequency real, "
                                "length real, words_length real, language varchar(2)) ON COMMIT DROP"))
    change = Change()
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor:
        for analysed_batch in _analysed(kind, batches, procs):
            with cursor.copy(f"COPY search_documents (kind, {', '.join(COLUMNS)}) FROM STDIN") as copy:
                for analysed in analysed_batch:
                    copy.write_row((kind, *(analysed.row[column] for column in COLUMNS)))
                    change.add(analysed, +1)
            if with_postings:
                with cursor.copy(f"COPY new_postings ({_POSTING_COLUMNS}) FROM STDIN") as copy:
                    for analysed in analysed_batch:
                        doc_id, length, words = analysed.row["id"], analysed.lengths["text"], analysed.lengths["words"]
                        language = analysed.row.get("language")
                        for term, frequency in analysed.postings.items():
                            copy.write_row((term, doc_id, frequency, length, words, language))
    ensure_statistics(connection, kind)
    change.apply(connection, kind)
    if with_postings:
        connection.execute(_UNPOST_COMMON_GRAMS, {"mark": GRAM_MARK, "floor": common_grams_floor(change.documents)})
        _fill_postings(connection)
        average = float(connection.execute(_TEXT_AVERAGE).scalar() or 1.0)
        connection.execute(_BOUNDS_FROM_POSTINGS, {"average": average, "flat": K1 * (1 - B),
                                                   "scaled": K1 * B / average})
    return change.documents


def _fill_postings(connection) -> None:
    """The copied postings into the real table, sorted by its primary key: the index then grows page after page
    instead of at random places, several times faster. The table is never replaced or locked (an exclusive lock
    would have to wait for every open search, and queue every new one behind it): readers see the old postings
    until the rebuild commits, as they see the old documents. The terms just marked as not posted stay out."""
    connection.execute(text(f"INSERT INTO search_postings ({_POSTING_COLUMNS}) SELECT {_POSTING_COLUMNS} "
                            f"FROM new_postings AS posting WHERE {_IS_POSTED} ORDER BY term, id"))


def tidy_after_rebuild(engine, kind: str) -> None:
    """VACUUM ANALYZE the rebuilt tables (outside any transaction, as VACUUM must be): fresh planner statistics,
    and a visibility map that lets ranking read the postings from their index alone (index-only scans)."""
    tables = ("search_documents", "search_terms", "search_postings") if kind == THREADS else ("search_documents",
                                                                                            "search_terms")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in tables:
            connection.execute(text(f"VACUUM (ANALYZE) {table}"))


def _analysed(kind: str, batches: Iterable[list[dict]], procs: int) -> Iterator[list[Analysed]]:
    if procs <= 1:
        for documents in batches:
            yield [analyse(kind, document) for document in documents]
        return
    with multiprocessing.get_context("fork").Pool(procs) as pool:
        yield from pool.imap(_analyse_batch, ((kind, documents) for documents in batches))


def _analyse_batch(job: tuple[str, list[dict]]) -> list[Analysed]:
    kind, documents = job
    return [analyse(kind, document) for document in documents]
