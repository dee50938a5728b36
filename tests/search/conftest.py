"""Search tests run on the real index and real Sudachi, on each backend: Whoosh (a fresh index directory per test,
see tests/conftest.py) and, when the run's database is PostgreSQL, the PostgreSQL backend (the test's database)."""
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from forum import search
from forum.extensions import db
from forum.search.backend import FAQ, THREADS
from forum.services.community.search import fetch_questions

BACKENDS = ["whoosh", "postgresql"]


def found(text: str, **kwargs) -> list[int]:
    """Ids of the questions a search finds, in result order (up to 100)."""
    kwargs.setdefault("per_page", 100)
    return [question.id for question in search.search(text, fetch=fetch_questions, **kwargs).items]


@pytest.fixture(params=BACKENDS)
def search_backend(request, backend_name) -> str:
    """Each search test runs once per backend; the PostgreSQL backend needs a PostgreSQL database."""
    if request.param == "postgresql" and backend_name != "postgresql":
        pytest.skip("the PostgreSQL search backend needs --database=postgresql")
    return request.param


@pytest.fixture
def app_config(request, search_backend):
    """The small community on the test's backend, plus any `@pytest.mark.search_config(KEY=value)` settings."""
    marker = request.node.get_closest_marker("search_config")
    return {"PRIVILEGE_PRESET": "small", "SEARCH_BACKEND": search_backend, **(marker.kwargs if marker else {})}


@pytest.fixture
def whoosh_only(search_backend):
    """For tests of Whoosh's own files, locks and searchers."""
    if search_backend != "whoosh":
        pytest.skip("about the Whoosh backend's index files")


@pytest.fixture
def postgresql_only(search_backend):
    if search_backend != "postgresql":
        pytest.skip("about the PostgreSQL backend's tables")


@pytest.fixture
def index(app, whoosh_only):
    """The app's Whoosh thread index (created on the first write)."""
    return app.extensions["kotae_search"].backend.index


# -- changing the index behind the app's back, on either backend --------------------------------------------------

def backend_of(app):
    return app.extensions["kotae_search"].backend


def remove_document(app, kind: str, doc_id: int) -> None:
    with backend_of(app).writer(kind, timeout=5) as writer:
        writer.delete(doc_id)


def add_ghost(app, kind: str, doc_id: int) -> None:
    """A document whose thread or entry does not exist."""
    with backend_of(app).writer(kind, timeout=5) as writer:
        writer.replace({"id": str(doc_id), "title": "ghost", "fingerprint": "x"})


def lose_index(app, index_dir: Path, kinds=(THREADS, FAQ)) -> None:
    """The index lost: Whoosh's directory (or one index's files) deleted, or the PostgreSQL tables emptied."""
    if backend_of(app).in_transaction:
        connection = db.session.connection()
        for table in ("search_documents", "search_terms", "search_statistics"):
            connection.execute(text(f"DELETE FROM {table} WHERE kind = ANY(:kinds)"), {"kinds": list(kinds)})
        db.session.commit()
    elif set(kinds) == {THREADS, FAQ}:
        shutil.rmtree(index_dir)
    else:
        for kind in kinds:
            for path in index_dir.glob("*FAQ*" if kind == FAQ else "*MAIN*"):
                path.unlink()


def document_version(app, kind: str, doc_id: int):
    """Changes whenever the document is written: Whoosh's index generation, or the PostgreSQL row's xmin."""
    backend = backend_of(app)
    if backend.in_transaction:
        return db.session.execute(text("SELECT xmin::text FROM search_documents WHERE kind = :kind AND id = :id"),
                                  {"kind": kind, "id": doc_id}).scalar()
    index = backend.faq_index if kind == FAQ else backend.index
    return index.open().latest_generation()
