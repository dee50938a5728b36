"""The facade reaches its search engine only through the `SearchBackend` protocol, chosen by SEARCH_BACKEND."""
import difflib
import uuid
from contextlib import contextmanager

import pytest

from forum import create_app, search
from forum.search import BACKENDS
from forum.search.analysis import terms as analyse
from forum.search.backend import FAQ, THREADS, Hits, IndexUnavailable, SearchBackend
from forum.search.whoosh import WhooshBackend
from forum.services.community.search import fetch_questions
from tests.databases import make_config
from tests.factories import make_question

MEMORY = {"PRIVILEGE_PRESET": "small", "SEARCH_BACKEND": "memory"}


class MemoryBackend:
    """Documents in dicts; a thread matches when its title has every word searched for, newest first."""

    def __init__(self):
        self.location = f"memory-{uuid.uuid4()}"  # the related-threads cache is keyed by it
        self.documents: dict[str, dict[str, dict]] = {THREADS: {}, FAQ: {}}
        self.ready = True

    in_transaction = False

    @contextmanager
    def writer(self, kind, timeout):
        yield _Writer(self.documents[kind])

    def rebuild(self, kind, batches, timeout, procs=1):
        self.documents[kind] = {document["id"]: document for batch in batches for document in batch}
        return len(self.documents[kind])

    def exists(self, kind):
        return True

    def schema_is_current(self, kind):
        return True

    def doc_count(self, kind):
        return len(self.documents[kind])

    def fingerprints(self, kind):
        return {doc_id: document["fingerprint"] for doc_id, document in self.documents[kind].items()}

    def search(self, parsed, sort, limit):
        words = set(analyse(" ".join(clause.text for clause in parsed.clauses)))
        if not words:
            return None
        if not self.ready:
            raise IndexUnavailable(self.location)
        found = [int(doc_id) for doc_id in self._with_any(words) if words <= self._title_terms(doc_id)]
        official = {i for i in found if self.documents[THREADS][str(i)]["has_official"]}
        return Hits(ids=found[:limit], total=len(found), official=official, terms=words)

    def search_faq(self, parsed, limit):
        return [], set()

    def corrections(self, words):
        known = {word for doc_id in self.documents[THREADS] for word in self._title_terms(doc_id)}
        found = {word: difflib.get_close_matches(word.lower(), known, n=1) for word in words
                 if analyse(word) and analyse(word)[0] not in known}
        return {word: close[0] for word, close in found.items() if close}

    def similar(self, words, limit, grams=()):
        return [self._summary(doc_id) for doc_id in self._with_any(set(words))][:limit]

    def similar_faq(self, words, limit):
        return []

    def related(self, question_id, text, limit):
        return [self._summary(doc_id) for doc_id in self._with_any(set(analyse(text)))
                if doc_id != str(question_id)][:limit]

    def _title_terms(self, doc_id):
        return set(analyse(self.documents[THREADS][doc_id]["title"]))

    def _with_any(self, words):
        return [doc_id for doc_id in sorted(self.documents[THREADS], key=int, reverse=True)
                if words & self._title_terms(doc_id)]

    def _summary(self, doc_id):
        document = self.documents[THREADS][doc_id]
        return {"id": int(doc_id), "title": document["title"], "score": document["score"],
                "answer_count": document["answer_count"], "accepted": document["has_accepted"],
                "official": document["has_official"], "tags": document["tags"].split()}


class _Writer:
    def __init__(self, documents):
        self.documents = documents

    def replace(self, document):
        self.documents[document["id"]] = document

    def delete(self, doc_id):
        self.documents.pop(str(doc_id), None)


@pytest.fixture(autouse=True)
def memory_backend(monkeypatch):
    monkeypatch.setitem(BACKENDS, "memory", lambda app: MemoryBackend())


def test_an_unknown_backend_stops_the_app_at_startup(database_url, index_dir):
    with pytest.raises(RuntimeError, match="SEARCH_BACKEND must be one of memory, postgresql, whoosh, not 'elastic'"):
        create_app(make_config(database_url, index_dir, SEARCH_BACKEND="elastic"))


def test_the_postgresql_backend_on_sqlite_stops_the_app_at_startup(tmp_path, index_dir):
    with pytest.raises(RuntimeError, match="SEARCH_BACKEND=postgresql .* must then be PostgreSQL; "
                                           "SQLALCHEMY_DATABASE_URI is a sqlite database"):
        create_app(make_config(f"sqlite:///{tmp_path / 'forum.db'}", index_dir, SEARCH_BACKEND="postgresql"))


@pytest.mark.parametrize("app_config", [{"PRIVILEGE_PRESET": "small"}])
def test_whoosh_is_the_default_backend(app):
    backend = app.extensions["kotae_search"].backend
    assert isinstance(backend, WhooshBackend) and isinstance(backend, SearchBackend)


@pytest.mark.parametrize("app_config", [MEMORY])
def test_the_facade_searches_writes_and_checks_through_the_backend(app):
    backend = app.extensions["kotae_search"].backend
    assert isinstance(backend, MemoryBackend) and isinstance(backend, SearchBackend)
    older = make_question(title="Printer offline after the update", body="The printer shows offline since yesterday.")
    newer = make_question(title="Printer jams on every page", body="Paper jams in the printer since Monday.")
    other = make_question(title="Calendar sync stops", body="Events stop syncing after a few minutes.")
    assert set(backend.documents[THREADS]) == {str(q.id) for q in (older, newer, other)}  # written after commit

    results = search.search("printer", fetch=fetch_questions)
    assert [q.id for q in results.items] == [newer.id, older.id]  # in the backend's order
    assert results.searched and results.total == 2 and results.pages == 1
    assert "<mark>Printer</mark> jams" in results.titles[newer.id]
    assert search.search("pritner", fetch=fetch_questions).suggestion == "printer"
    assert search.check().ok and search.health().complete
    assert [item["id"] for item in search.similar("my printer is offline")] == [newer.id, older.id]
    assert [item["id"] for item in search.related(older)] == [newer.id]

    backend.ready = False
    assert "not ready yet" in search.search("printer").messages[0]
