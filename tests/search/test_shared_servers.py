"""Two app servers (two gunicorn processes, as on two machines) sharing one PostgreSQL database with
SEARCH_BACKEND=postgresql: a thread posted through one is found through the other's search page at once, even
when the other has already read the same words' postings into memory."""
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.factories import PASSWORD, make_question, make_user
from tests.test_shared_limits import ROOT, Browser, free_port, wait_for_port

HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>')
RESULT = re.compile(r'<h3><a href="/questions/(\d+)/')


class Visitor(Browser):
    """A signed-in browser that sends a form's hidden fields back (CSRF token, one-time submission token)."""

    def post_form(self, page: str, fields: dict) -> tuple[int, str]:
        html = self.opener.open(self.base + page, timeout=30).read().decode()
        hidden = {}
        for tag in HIDDEN.findall(html):
            name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
            if name:
                hidden[name.group(1)] = value.group(1) if value else ""
        request = urllib.request.Request(self.base + page, urllib.parse.urlencode({**hidden, **fields}).encode())
        try:
            response = self.opener.open(request, timeout=30)
            return response.status, response.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", "")

    def search(self, words: str) -> list[int]:
        page = self.opener.open(f"{self.base}/search?{urllib.parse.urlencode({'q': words})}", timeout=30)
        return [int(found) for found in RESULT.findall(page.read().decode())]


@pytest.fixture
def two_servers(app, database_url, tmp_path, search_backend, postgresql_only):
    """Two gunicorn servers on different ports and different index directories, one PostgreSQL database; one worker
    each, so the second server's searches all meet the postings its first search kept."""
    started, bases = [], []
    for name in ("one", "two"):
        port = free_port()
        # One page cache for both (as one Redis for several servers), in the test's own directory: the checkout's
        # instance folder would serve pages another test session stored.
        env = dict(os.environ, FORUM_ENV="test", FORUM_SQLALCHEMY_DATABASE_URI=database_url,
                   FORUM_SEARCH_BACKEND="postgresql", FORUM_SEARCH_INDEX_DIR=str(tmp_path / f"unused-{name}"),
                   FORUM_PAGE_CACHE_DIR=str(tmp_path / "page-cache"),
                   FORUM_RATELIMIT_ENABLED="false", FORUM_PRIVILEGE_PRESET="small")
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
                                    "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        started.append(process)
        wait_for_port(port, process)
        bases.append(f"http://127.0.0.1:{port}")
    yield bases
    for process in started:
        process.terminate()
        process.wait(timeout=20)


def test_a_thread_posted_through_one_server_is_found_through_the_other_at_once(two_servers):
    first, second = two_servers
    author = make_user()
    older = make_question(title="Label printer jams on thick labels", body="The label printer jams whenever the "
                          "labels are thicker than usual. ラベルが詰まります。", tags="printer")
    older_id = older.id
    reader = Visitor(second)  # signed in: every page is rendered, none comes from the page cache
    assert reader.post_form("/login", {"login": make_user().username, "password": PASSWORD})[0] == 302
    for _request in range(2):  # its worker keeps the postings these words read (postgresql/arrays.py)
        assert reader.search("which label printer should I buy?") == [older_id]
    writer = Visitor(first)
    assert writer.post_form("/login", {"login": author.username, "password": PASSWORD})[0] == 302
    status, location = writer.post_form("/questions/ask", {
        "title": "Label printer prints blank pages since the firmware update",
        "body": "Since the firmware update the label printer feeds blank labels. ラベルが白紙で印刷されます。",
        "tags": "printer firmware"})
    assert status == 302 and "/questions/" in location
    question_id = int(re.search(r"/questions/(\d+)", location).group(1))
    assert reader.search("blank labels firmware") == [question_id]
    assert reader.search("白紙") == [question_id]
    assert reader.search("why does my label printer print blank pages?")[0] == question_id
    assert sorted(reader.search("which label printer should I buy?")) == sorted([older_id, question_id])
