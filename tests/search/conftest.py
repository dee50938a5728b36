"""Search tests run on the real index (a fresh directory per test, see tests/conftest.py) and real Sudachi."""
import pytest

from forum import search
from forum.services.community.search import fetch_questions


def found(text: str, **kwargs) -> list[int]:
    """Ids of the questions a search finds, in result order (up to 100)."""
    kwargs.setdefault("per_page", 100)
    return [question.id for question in search.search(text, fetch=fetch_questions, **kwargs).items]


@pytest.fixture
def index(app):
    """The app's Whoosh thread index (created on the first write)."""
    return app.extensions["kotae_search"].backend.index
