"""HTTP helpers: lift the CSRF token from a real page, log in through the login form."""
import re
import threading
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine


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


SAMPLE_TITLE = "Sync stops after five minutes on Windows"
SAMPLE_BODY = "The desktop app stops syncing after about five minutes and shows error E1023."
SAMPLE_ANSWER = "Sign out, sign in again and then re-run the sync from the menu."


def question_url(question) -> str:
    return f"/questions/{question.id}/{question.slug}"


def ask(client, title=SAMPLE_TITLE, body=SAMPLE_BODY, tags="sync windows"):
    """Ask through the form, as a signed-in client."""
    return post_form(client, "/questions/ask", {"title": title, "body": body, "tags": tags})


def text(response) -> str:
    return response.get_data(as_text=True)


def together(calls, timeout: float = 60) -> list:
    """Run the callables in threads released at the same moment; their results in order (an exception raised
    is returned in its place), for tests of what happens when requests or workers collide."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 -- handed to the test as a result
            results[index] = error

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results


def result_ids(response) -> list[int]:
    """The question ids a search results page lists, in order."""
    return [int(i) for i in re.findall(r'<h3><a href="/questions/(\d+)/', text(response))]


@contextmanager
def counted_statements():
    """Collect the SQL statements this thread runs inside the block, on any engine.

    Listening on the Engine class rather than `db.engine` matters: `client` talks to `served_app`, a second app
    instance with its own engine, so a listener on the test app's engine would see none of the page's queries.
    The test client runs requests in the test's own thread; statements of background threads (webhook and
    e-mail senders, perhaps left over from an earlier test) are not the page's and are left out.
    """
    statements = []
    this_thread = threading.get_ident()

    def record(conn, cursor, statement, *args):
        if threading.get_ident() == this_thread:
            statements.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", record)
