"""API tests: JSON through the test client (no CSRF: the API takes tokens, not cookies)."""
import pytest

from forum.extensions import db
from forum.services.people import api_tokens
from tests.factories import make_user


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def new_token(user=None, scope="write", days=None) -> tuple:
    """(user, secret) of a fresh token, committed."""
    user = user or make_user()
    _token, secret = api_tokens.create_token(user, "tests", scope, days)
    db.session.commit()
    return user, secret


@pytest.fixture
def api(client):
    return client
