"""Fixtures: an app on its own migrated database per test (SQLite, or PostgreSQL with --database), a client with
CSRF on, and factories."""
import os

import pytest

from forum import create_app
from forum.extensions import db as _db
from tests.databases import make_config, open_databases

pytest_plugins = ["tests.factories", "tests.servers"]  # servers: the redis_url fixture

__all__ = ["make_config"]


def pytest_addoption(parser):
    parser.addoption(
        "--database", default=os.environ.get("KOTAE_TEST_DATABASE", "sqlite"),
        help="sqlite (default), postgresql (a throw-away cluster) or a postgresql:// URL of a server to use")


def pytest_report_header(config):
    return f"database: {config.getoption('--database').split('@')[-1]}"


@pytest.fixture(scope="session")
def databases(request, tmp_path_factory):
    """Makes a fresh migrated database for each test on the chosen backend."""
    backend = open_databases(request.config.getoption("--database"), tmp_path_factory.mktemp("template"))
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def backend_name(databases) -> str:
    return databases.name


@pytest.fixture
def app_config():
    """Override in a test module to change settings (e.g. turn rate limits on).

    Most tests run as a small community (everyone may comment, vote up and create tags), so they can focus on
    their subject; the privilege tests override this with the standard Stack Overflow thresholds.
    """
    return {"PRIVILEGE_PRESET": "small"}


@pytest.fixture
def database_url(databases, tmp_path):
    url = databases.create(tmp_path)
    yield url
    databases.drop(url)


@pytest.fixture
def index_dir(tmp_path):
    return tmp_path / "search-index"


@pytest.fixture
def app(database_url, index_dir, app_config):
    """The test's own app, with an app context open for factories and direct database checks."""
    app = create_app(make_config(database_url, index_dir, **app_config))
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def served_app(app, database_url, index_dir, app_config):
    """A second instance of the app on the same database, as the server a browser talks to.

    Requests to it push their own app context, so each request gets a fresh `g`, login state and
    database session, exactly as under gunicorn (a request inside the test's context would share them).
    """
    served = create_app(make_config(database_url, index_dir, **app_config))
    yield served
    with served.app_context():
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(served_app):
    return served_app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def pytest_collection_modifyitems(config, items):
    """Tests marked `sqlite_only` check SQLite's own tuning; they skip on PostgreSQL runs."""
    if config.getoption("--database") == "sqlite":
        return
    skip = pytest.mark.skip(reason="checks SQLite-specific behaviour")
    for item in items:
        if "sqlite_only" in item.keywords:
            item.add_marker(skip)
