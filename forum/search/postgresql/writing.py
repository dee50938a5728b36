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

from ..backend import FAQ, THREADS, IndexBusy
from .tables import LAYOUT
from .vectors import Analysed, faq_row, spelling_words, thread_row

KIND_NUMBERS = {THREADS: 1, FAQ: 2}
_KIND_LOCK_BASE = 0x4B6F746165_00  # "Kotae" + kind number: the bigint advisory lock of a kind
FIELDS = {THREADS: ("text", "spell"), FAQ: ("question", "answers")}  # fields whose terms are counted
LENGTHS = ("text", "question", "title", "answers", "accepted")
_BUSY_STATES = {"55P03", "40P01"}  # lock_not_available (lock_timeout), deadlock_detected
VECTOR_COLUMNS = ("text_vector", "question_vector", "answers_vector", "accepted_vector")
COLUMNS = ("id", "fingerprint", "title", "tags", "author_id", "answerer_ids", "score", "answer_count",
           "has_accepted", "has_official", "closed", "created", "activity", "category_id", *VECTOR_COLUMNS,
           *(f"{name}_length" for name in LENGTHS))

_UPSERT = text(
    f"INSERT INTO search_documents (kind, {', '.join(COLUMNS)}) VALUES (:kind, "
    + ", ".join(f"CAST(:{c} AS tsvector)" if c in VECTOR_COLUMNS else f":{c}" for c in COLUMNS)
    + ") ON CONFLICT (kind, id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "id"))
_COUNT_TERMS = text(
    "INSERT INTO search_terms (kind, field, term, documents) "
    "SELECT :kind, f, t, n FROM unnest(CAST(:fields AS text[]), CAST(:terms AS text[]), CAST(:counts AS int[])) "
    "AS change(f, t, n) ORDER BY f, t "
    "ON CONFLICT (kind, field, term) DO UPDATE SET documents = search_terms.documents + excluded.documents")
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
        for old in _old_rows(connection, kind, ids):
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
        change.apply(connection, kind)


def _old_rows(connection, kind: str, ids: list[int]) -> Iterator[Analysed]:
    """The stored rows' counted terms and lengths, as `Analysed` (spelling words from their titles)."""
    vectors = {"text": "text_vector", "question": "question_vector", "answers": "answers_vector"}
    counted = [name for name in FIELDS[kind] if name in vectors]
    rows = connection.execute(text(
        "SELECT title, " + ", ".join(f"tsvector_to_array({vectors[name]}) AS {name}" for name in counted) + ", "
        + ", ".join(f"{name}_length" for name in LENGTHS)
        + " FROM search_documents WHERE kind = :kind AND id = ANY(:ids)"), {"kind": kind, "ids": ids}).mappings()
    for row in rows:
        terms = {name: set(row[name]) for name in counted}
        if "spell" in FIELDS[kind]:
            terms["spell"] = spelling_words(row["title"])
        yield Analysed({}, terms, {name: row[f"{name}_length"] for name in LENGTHS})


class Change:
    """What a write changes in `search_terms` and `search_statistics`."""

    def __init__(self):
        self.terms: Counter = Counter()
        self.documents = 0
        self.lengths: Counter = Counter()

    def add(self, analysed: Analysed, sign: int) -> None:
        for name, found in analysed.terms.items():
            self.terms.update({(name, term): sign for term in found})
        self.documents += sign
        self.lengths.update({name: sign * value for name, value in analysed.lengths.items()})

    def apply(self, connection, kind: str) -> None:
        changed = sorted(key for key, count in self.terms.items() if count)
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
    change = Change()
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(
            f"COPY search_documents (kind, {', '.join(COLUMNS)}) FROM STDIN") as copy:
        for analysed_batch in _analysed(kind, batches, procs):
            for analysed in analysed_batch:
                copy.write_row((kind, *(analysed.row[column] for column in COLUMNS)))
                change.add(analysed, +1)
    ensure_statistics(connection, kind)
    change.apply(connection, kind)
    return change.documents


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
