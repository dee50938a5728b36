"""HTTP helpers: lift the CSRF token from a real page, log in through the login form."""
import re
from contextlib import contextmanager

from sqlalchemy import event

from forum.extensions import db

from tests.factories import PASSWORD

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(client, page: str = "/login") -> str:
    html = client.get(page, follow_redirects=True).get_data(as_text=True)
    match = _TOKEN.search(html)
    assert match, f"no CSRF token on {page}"
    return match.group(1) or match.group(2)


def post_form(client, url: str, data: dict | None = None, page: str | None = None, **kwargs):
    """POST like a browser would: with the token the page handed out."""
    data = dict(data or {})
    data["csrf_token"] = csrf_token(client, page or "/login")
    return client.post(url, data=data, **kwargs)


def login(client, user, password: str = PASSWORD):
    response = post_form(client, "/login", {"login": user.username, "password": password}, page="/login")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def text(response) -> str:
    return response.get_data(as_text=True)


@contextmanager
def counted_statements():
    """Collect the SQL statements the engine runs inside the block."""
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
