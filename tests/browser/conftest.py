"""Browser fixtures: the real app served on loopback from a migrated SQLite copy, and a headless Chromium.

Playwright is imported inside the fixtures, so collecting this folder never fails when it is missing;
the test modules skip themselves first (see test_ask_answer_comment.py).
"""
import shutil
import threading
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from forum import create_app
from forum.extensions import db
from tests.conftest import make_config
from tests.factories import make_question, make_user

EXISTING_TAGS = "sync desktop"  # members below the tag-creation reputation may only use existing tags

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync",
]


@dataclass
class LiveServer:
    url: str
    app: object
    usernames: tuple[str, ...]


@pytest.fixture(scope="module")
def live_server(databases, tmp_path_factory):
    """The app with CSRF on, served by a threaded werkzeug server on a free port. Seeded: two members
    (the second with enough reputation to comment) and an older question, so the tags used already exist."""
    workdir = tmp_path_factory.mktemp("browser")
    url = databases.create(workdir)
    app = create_app(make_config(url, workdir / "search-index"))
    with app.app_context():
        asker, helper = make_user(username="aoi"), make_user(username="ben")
        # ben comments on aoi's question: that takes the "comment everywhere" reputation.
        helper.reputation = app.config["PRIVILEGES"]["comment"]
        make_question(tags=EXISTING_TAGS)
        usernames = (asker.username, helper.username)
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app, usernames=usernames)
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()
    with app.app_context():
        db.engine.dispose()
    databases.drop(url)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if not executable:
        pytest.skip("chromium is not installed")

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh context per test (own cookies); JavaScript errors are collected for the test to check."""
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(5000)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and page.js_errors.append(message.text))
    yield page
    context.close()
