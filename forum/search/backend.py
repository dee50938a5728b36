"""What the search facade needs from a search engine: the `SearchBackend` protocol and the values it passes.

Everything else in `forum/search/` is engine-neutral: parsing the search box (`query.py`), building documents
from the database (`documents.py`, `faq.py`), the outbox and its retries (`hooks.py`, `indexer.py`), the health
check (`completeness.py`) and the result page (`searching.py`, `snippets.py`). A backend only stores documents
and answers queries. The Whoosh backend lives in `forum/search/whoosh/`, the PostgreSQL one in
`forum/search/postgresql/`; `BACKENDS` in `forum/search/__init__.py` names them for `SEARCH_BACKEND`.

Documents are plain dicts built by `documents.py` (threads) and `faq.py` (FAQ entries), with a string ``id``
and a ``fingerprint``. Queries arrive parsed (`query.ParsedQuery`); words are analysed with `analysis.terms`,
so every backend finds and highlights the same words.
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Iterable, Protocol, TypedDict, runtime_checkable

from .query import ParsedQuery

# The two kinds of document, as `SearchOutbox.kind` names them: question threads, and published FAQ entries.
THREADS, FAQ = "thread", "faq"


class IndexBusy(Exception):
    """Another process held the write lock longer than the timeout (the caller keeps its work in the outbox)."""


class IndexUnavailable(Exception):
    """There is no readable index yet (being built, removed or damaged): search shows a hint, not results."""


@dataclass
class Hits:
    """The best `limit` threads for a query, best first, and how many match."""

    ids: list[int]
    total: int
    exact: bool = True  # False: more than `total` match (the backend stopped looking after `limit`)
    official: set[int] = field(default_factory=set)  # which of `ids` have an official (staff-verified) answer
    terms: set[str] = field(default_factory=set)  # the analysed words searched for, to highlight
    scores: list[float] = field(default_factory=list)  # of `ids`, by relevance (BM25F; empty for other sorts)


class ThreadSummary(TypedDict):
    """A thread as similar questions and the related sidebar show it, from stored fields (no SQL)."""

    id: int
    title: str
    score: int
    answer_count: int
    accepted: bool
    official: bool
    tags: list[str]
    relevance: float  # the engine's score for the words asked (BM25F on both backends): comparable within one answer


class DocumentWriter(Protocol):
    """Writes one batch of documents; all of them land together when the `writer()` block ends."""

    def replace(self, document: dict) -> None:
        """Add the document, replacing any with the same id."""

    def delete(self, doc_id: int) -> None:
        """Remove the document with this id, if any."""


@runtime_checkable
class SearchBackend(Protocol):
    """A search engine holding thread and FAQ documents (`kind` is THREADS or FAQ)."""

    location: str  # where the documents live (a directory, a database): for messages and cache keys
    # True when documents live in the forum's database: the backend then also has
    # `write_documents(connection, kind, documents: {id: document or None})`, which writes on the given
    # SQLAlchemy connection, in the caller's transaction, without committing (the commit hooks call it inside
    # a SAVEPOINT, so a post and its document land together; on failure the outbox keeps the work).
    in_transaction: bool

    # -- writing --------------------------------------------------------------------------------------------

    def writer(self, kind: str, timeout: float) -> AbstractContextManager[DocumentWriter]:
        """A block that writes documents of `kind` and commits them on success; `IndexBusy` if it cannot start."""

    def rebuild(self, kind: str, batches: Iterable[list[dict]], timeout: float, procs: int = 1) -> int:
        """Replace every document of `kind` by these (the old ones stay searchable until the end); how many."""

    # -- state, for the check and the health count --------------------------------------------------------

    def exists(self, kind: str) -> bool:
        """Whether there is an index of `kind` at all (an empty one counts)."""

    def schema_is_current(self, kind: str) -> bool:
        """Whether the index of `kind` can be read and was built with the current document layout."""

    def doc_count(self, kind: str) -> int:
        """Documents of `kind` in the index; 0 when there is none or it cannot be read."""

    def fingerprints(self, kind: str) -> dict[str, str | None]:
        """{document id: its stored fingerprint} for every document of `kind` (`search check`)."""

    # -- reading --------------------------------------------------------------------------------------------

    def search(self, parsed: ParsedQuery, sort: str, limit: int) -> Hits | None:
        """The best `limit` threads for a parsed query, in `sort` order (one of searching.SORTS); None when the
        query leaves nothing to search for (only stop words); `IndexUnavailable` when there is no index."""

    def search_faq(self, parsed: ParsedQuery, limit: int) -> tuple[list[int], set[str]]:
        """Ids of FAQ entries matching the words of a parsed query, best first (thread operators ignored),
        and the analysed words to highlight; no ids when there is no index."""

    def corrections(self, words: list[str]) -> dict[str, str]:
        """For each word the thread index does not know, the closest title word it does ("did you mean")."""

    def similar(self, words: list[str], limit: int, grams: list[str] = ()) -> list[ThreadSummary]:
        """Threads containing any of these analysed words, those with more and rarer ones first, scored with the
        title's character bigrams too (`query.sentence_grams`), as a sentence is."""

    def similar_faq(self, words: list[str], limit: int) -> list[dict]:
        """FAQ entries sharing enough of these analysed words with a title being typed: id, title, faq=True."""

    def related(self, question_id: int, text: str, limit: int) -> list[ThreadSummary]:
        """Threads sharing the key terms of `text` (a question's title and body), that question left out."""
