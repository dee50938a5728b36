"""Fixtures: an app on a migrated SQLite file per test, a client with CSRF on, and factories."""
import shutil

import flask_migrate
import pytest

from config import TestConfig
from forum import create_app
from forum.extensions import db as _db

pytest_plugins = ["tests.factories"]


def make_config(database_path, **overrides) -> TestConfig:
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{database_path}"
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
    """Override in a test module to change settings (e.g. turn rate limits on)."""
    return {}


@pytest.fixture
def app(migrated_database, tmp_path, app_config):
    database = tmp_path / "kotae.db"
    shutil.copy(migrated_database, database)
    app = create_app(make_config(database, **app_config))
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
