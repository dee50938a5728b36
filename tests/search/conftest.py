"""Search tests run on the real index and real Sudachi, on each backend: Whoosh (a fresh index directory per test,
see tests/conftest.py) and, when the run's database is PostgreSQL, the PostgreSQL backend (the test's database)."""
import pytest

from forum import search
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
def app_config(search_backend):
    return {"PRIVILEGE_PRESET": "small", "SEARCH_BACKEND": search_backend}


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
