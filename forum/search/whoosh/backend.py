"""`WhooshBackend`: the search backend on Whoosh files, two named indexes in one directory (threads, FAQ)."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from flask import Flask
from whoosh.writing import CLEAR

from ..backend import FAQ, THREADS, Hits, ThreadSummary
from ..query import ParsedQuery
from . import faq, searching
from .index import FAQ as FAQ_INDEX, SearchIndex
from .schema import with_gram_count


class WhooshBackend:
    """`SearchBackend` over the index directory SEARCH_INDEX_DIR (default ``instance/search-index``)."""

    in_transaction = False  # files, not the database: documents are written after the commit (hooks.py)

    def __init__(self, path: str):
        self.index = SearchIndex.for_path(path)
        self.faq_index = SearchIndex.for_path(path, FAQ_INDEX)  # published FAQ entries (see faq.py)
        self.location = self.index.path
        self._indexes = {THREADS: self.index, FAQ: self.faq_index}

    @classmethod
    def from_app(cls, app: Flask) -> WhooshBackend:
        """The backend for an app's SEARCH_INDEX_DIR."""
        return cls(app.config.get("SEARCH_INDEX_DIR") or str(Path(app.instance_path) / "search-index"))

    # -- writing --------------------------------------------------------------------------------------------

    @contextmanager
    def writer(self, kind: str, timeout: float) -> Iterator[_Writer]:
        """A block writing documents of `kind`, committed at its end (see `SearchIndex.writer`)."""
        with self._indexes[kind].writer(timeout=timeout) as writer:
            yield _Writer(writer)

    def rebuild(self, kind: str, batches: Iterable[list[dict]], timeout: float, procs: int = 1) -> int:
        """A new index of `kind` from these documents, swapped in by the final commit; returns how many.

        Thread documents are analysed in `procs` worker processes (Whoosh's MpWriter; each writes its own
        segment) while this process reads the database; the FAQ is small: one process, one writer.
        """
        index = self._indexes[kind]
        if not index.exists() or not index.schema_is_current():
            index.recreate()
        options = {}
        if kind == THREADS:
            options = {"limitmb": 128, **({"procs": procs, "multisegment": True, "batchsize": 64} if procs > 1
                                          else {})}
        writer = index.bulk_writer(timeout=timeout, delay=0.1, **options)
        count = 0
        try:
            for documents in batches:
                for document in documents:
                    writer.add_document(**with_gram_count(writer.schema, document))
                count += len(documents)
            writer.commit(mergetype=CLEAR)  # only the documents added here remain
        except BaseException:
            writer.cancel()
            raise
        return count

    # -- state ----------------------------------------------------------------------------------------------

    def exists(self, kind: str) -> bool:
        """Whether the directory holds an index of `kind`."""
        return self._indexes[kind].exists()

    def schema_is_current(self, kind: str) -> bool:
        """Whether the index of `kind` can be read and has the current schema."""
        return self._indexes[kind].schema_is_current()

    def doc_count(self, kind: str) -> int:
        """Documents in the index of `kind`; 0 when there is none or it cannot be read."""
        return self._indexes[kind].doc_count()

    def fingerprints(self, kind: str) -> dict[str, str | None]:
        """{id: fingerprint} of every stored document of `kind`."""
        searcher = self._indexes[kind].searcher()
        return {stored["id"]: stored.get("fingerprint") for stored in searcher.all_stored_fields()}

    # -- reading --------------------------------------------------------------------------------------------

    def search(self, parsed: ParsedQuery, sort: str, limit: int) -> Hits | None:
        """The best `limit` threads for a parsed query (see `searching.search`)."""
        return searching.search(self.index, parsed, sort, limit)

    def search_faq(self, parsed: ParsedQuery, limit: int) -> tuple[list[int], set[str]]:
        """Ids of FAQ entries matching a parsed query, and the words to highlight."""
        return faq.search_faq(self.faq_index, parsed, limit)

    def corrections(self, words: list[str]) -> dict[str, str]:
        """Unknown words mapped to the closest indexed title words."""
        return searching.corrections(self.index, words)

    def similar(self, words: list[str], limit: int, grams: list[str] = ()) -> list[ThreadSummary]:
        """Threads with any of these words, ranked as a sentence is."""
        return searching.similar(self.index, words, limit, grams)

    def similar_faq(self, words: list[str], limit: int) -> list[dict]:
        """FAQ entries sharing enough of these words."""
        return faq.similar_faq(self.faq_index, words, limit)

    def related(self, question_id: int, text: str, limit: int) -> list[ThreadSummary]:
        """More like this, the question itself left out."""
        return searching.related(self.index, question_id, text, limit)


class _Writer:
    """`DocumentWriter` over a Whoosh writer: a document's id is its unique ``id`` field."""

    def __init__(self, writer):
        self._writer = writer

    def replace(self, document: dict) -> None:
        self._writer.update_document(**with_gram_count(self._writer.schema, document))

    def delete(self, doc_id: int) -> None:
        self._writer.delete_by_term("id", str(doc_id))
