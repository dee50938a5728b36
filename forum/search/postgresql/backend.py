"""`PostgresBackend`: the search backend in the app's own PostgreSQL database, shared by every web server."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterable, Iterator

from flask import Flask
from sqlalchemy import make_url, text
from sqlalchemy.exc import ProgrammingError

from ...database import normalised_url
from ...extensions import db
from ..backend import Hits, ThreadSummary
from ..query import ParsedQuery
from . import faq, searching, writing
from .tables import LAYOUT


class PostgresBackend:
    """`SearchBackend` over the tables of migration 5e4c0a9d7b21, in SQLALCHEMY_DATABASE_URI's database."""

    # Documents can be written in the same transaction as the posts they come from (see `write_documents`).
    in_transaction = True

    def __init__(self, location: str, write_timeout: float = 2.0):
        self.location = location
        self.write_timeout = write_timeout

    @classmethod
    def from_app(cls, app: Flask) -> PostgresBackend:
        """The backend for the app's database; any other database than PostgreSQL stops the app from starting."""
        url = make_url(normalised_url(app.config["SQLALCHEMY_DATABASE_URI"]))
        if url.get_backend_name() != "postgresql":
            raise RuntimeError(f"SEARCH_BACKEND=postgresql keeps the search documents in the forum's database, "
                               f"which must then be PostgreSQL; SQLALCHEMY_DATABASE_URI is a "
                               f"{url.get_backend_name()} database. Use SEARCH_BACKEND=whoosh with it.")
        return cls(url.render_as_string(hide_password=True),
                   write_timeout=float(app.config.get("SEARCH_WRITE_TIMEOUT", 2.0)))

    # -- writing --------------------------------------------------------------------------------------------

    def write_documents(self, connection, kind: str, documents: dict[int, dict | None]) -> None:
        """Upsert each document and delete the ids mapped to None, on the caller's SQLAlchemy connection and in
        its transaction (never committing): the commit hooks call this inside a SAVEPOINT, so a post and its
        document land together. `IndexBusy` when a lock is not had within SEARCH_WRITE_TIMEOUT."""
        writing.write_documents(connection, kind, documents, self.write_timeout)

    @contextmanager
    def writer(self, kind: str, timeout: float) -> Iterator[_Writer]:
        """A transaction of its own whose documents land together at its end; `IndexBusy` if a rebuild holds
        the kind for longer than `timeout`."""
        with db.engine.begin() as connection:
            with writing.busy_as_index_busy(f"a rebuild holds the {kind} documents"), \
                    writing.lock_timeout(connection, timeout):
                writing.lock_kind(connection, kind)
            pending = _Writer()
            yield pending
            writing.write_documents(connection, kind, pending.documents, timeout)

    def rebuild(self, kind: str, batches: Iterable[list[dict]], timeout: float, procs: int = 1) -> int:
        """Replace every document of `kind` in one transaction (the old ones stay searchable until it commits)."""
        with db.engine.begin() as connection:
            written = writing.rebuild(connection, kind, batches, timeout, procs)
        writing.tidy_after_rebuild(db.engine, kind)
        return written

    # -- state ----------------------------------------------------------------------------------------------

    def exists(self, kind: str) -> bool:
        """Whether documents of `kind` have ever been written (an emptied index still counts)."""
        return self._layout(kind) is not None

    def schema_is_current(self, kind: str) -> bool:
        """Whether the documents were built with the current analysis and vector layout."""
        return self._layout(kind) == LAYOUT

    def doc_count(self, kind: str) -> int:
        with db.engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM search_documents WHERE kind = :kind"),
                                      {"kind": kind}).scalar()

    def fingerprints(self, kind: str) -> dict[str, str | None]:
        with db.engine.connect() as connection:
            return {str(doc_id): fingerprint for doc_id, fingerprint in connection.execute(
                text("SELECT id, fingerprint FROM search_documents WHERE kind = :kind"), {"kind": kind})}

    def _layout(self, kind: str) -> int | None:
        try:
            with db.engine.connect() as connection:
                return connection.execute(text("SELECT layout FROM search_statistics WHERE kind = :kind"),
                                          {"kind": kind}).scalar()
        except ProgrammingError:  # the migration has not run: no tables, no index
            return None

    # -- reading --------------------------------------------------------------------------------------------

    def search(self, parsed: ParsedQuery, sort: str, limit: int) -> Hits | None:
        with db.engine.connect() as connection:
            return searching.search(connection, parsed, sort, limit)

    def search_faq(self, parsed: ParsedQuery, limit: int) -> tuple[list[int], set[str]]:
        with db.engine.connect() as connection:
            return faq.search_faq(connection, parsed, limit)

    def corrections(self, words: list[str]) -> dict[str, str]:
        with db.engine.connect() as connection:
            return searching.corrections(connection, words)

    def similar(self, words: list[str], limit: int, grams: list[str] = ()) -> list[ThreadSummary]:
        with db.engine.connect() as connection:
            return searching.similar(connection, words, limit, grams)

    def similar_faq(self, words: list[str], limit: int) -> list[dict]:
        with db.engine.connect() as connection:
            return faq.similar_faq(connection, words, limit)

    def related(self, question_id: int, text_: str, limit: int) -> list[ThreadSummary]:
        with db.engine.connect() as connection:
            return searching.related(connection, question_id, text_, limit)


class _Writer:
    """`DocumentWriter` collecting one block's documents, written together when the block ends."""

    def __init__(self):
        self.documents: dict[int, dict | None] = {}

    def replace(self, document: dict) -> None:
        self.documents[int(document["id"])] = document

    def delete(self, doc_id: int) -> None:
        self.documents[int(doc_id)] = None
