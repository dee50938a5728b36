"""Fixtures: an app on a migrated SQLite file per test, a client with CSRF on, and factories."""
import shutil
from pathlib import Path

import flask_migrate
import pytest

from config import TestConfig
from forum import create_app
from forum.extensions import db as _db

pytest_plugins = ["tests.factories"]


def make_config(database_path, **overrides) -> TestConfig:
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{database_path}"
    config.SEARCH_INDEX_DIR = str(Path(database_path).parent / "search-index")  # each test its own index
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """The schema is created only by migrations: upgrade once, then copy the file for each test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    app = create_app(make_config(path))
    with app.app_context():
        flask_migrate.upgrade()
        _db.engine.dispose()
    return path


@pytest.fixture
def app_config():
    """Override in a test module to change settings (e.g. turn rate limits on).

    Most tests run as a small community (everyone may comment, vote up and create tags), so they can focus on
    their subject; the privilege tests override this with the standard Stack Overflow thresholds.
    """
    return {"PRIVILEGE_PRESET": "small"}


@pytest.fixture
def database_file(migrated_database, tmp_path):
    path = tmp_path / "kotae.db"
    shutil.copy(migrated_database, path)
    return path


@pytest.fixture
def app(database_file, app_config):
    """The test's own app, with an app context open for factories and direct database checks."""
    app = create_app(make_config(database_file, **app_config))
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def served_app(app, database_file, app_config):
    """A second instance of the app on the same database, as the server a browser talks to.

    Requests to it push their own app context, so each request gets a fresh `g`, login state and
    database session, exactly as under gunicorn (a request inside the test's context would share them).
    """
    served = create_app(make_config(database_file, **app_config))
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
