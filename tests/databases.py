"""The database each test runs on: a copy of a migrated SQLite file, or a PostgreSQL database made from a
migrated template. `pytest --database=postgresql` (or KOTAE_TEST_DATABASE=postgresql) starts a throw-away
cluster; `--database=postgresql://user@host/db` uses a server you already run (the role needs CREATEDB).
"""
import itertools
import os
import shutil
from pathlib import Path

import flask_migrate
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from config import TestConfig
from forum import create_app
from forum.extensions import db as _db

from . import pgcluster


def make_config(database_url: str, index_dir: Path | str, **overrides) -> TestConfig:
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = database_url
    config.SEARCH_INDEX_DIR = str(index_dir)  # each test its own index
    config.PAGE_CACHE_DIR = str(Path(index_dir).parent / "page-cache")  # and its own page cache, shared by its apps
    config.UPLOAD_FOLDER = str(Path(index_dir).parent / "uploads")  # and its own uploaded images
    config.BRAND_UPLOAD_DIR = str(Path(index_dir).parent / "brand")  # and its own uploaded logos
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


def _migrate(url: str, index_dir: Path) -> None:
    """The schema is created only by migrations."""
    app = create_app(make_config(url, index_dir))
    with app.app_context():
        flask_migrate.upgrade()
        _db.engine.dispose()


class SqliteDatabases:
    """Upgrade one file, then copy it for each test."""
    name = "sqlite"

    def __init__(self, workdir: Path):
        self.template = workdir / "template.db"
        _migrate(f"sqlite:///{self.template}", workdir / "template-index")

    def create(self, directory: Path) -> str:
        path = directory / "kotae.db"
        shutil.copy(self.template, path)
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        """The file goes with the test's temp directory."""

    def close(self) -> None:
        pass


class PostgresDatabases:
    """Upgrade one template database, then `CREATE DATABASE ... TEMPLATE` it for each test (about 30 ms)."""
    name = "postgresql"

    def __init__(self, workdir: Path, server_url: str | None = None):
        self.cluster = None
        if server_url is None:
            self.cluster = pgcluster.start_cluster()
            server_url = self.cluster.url()
        self.server = make_url(server_url).set(drivername="postgresql+psycopg")
        # xdist workers share a server: each names its databases after itself.
        self.prefix = f"kotae_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
        self.admin = create_engine(self.server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.template = f"{self.prefix}_template"
        self._counter = itertools.count(1)
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}"')
        self._execute(f'CREATE DATABASE "{self.template}"')
        _migrate(self._url_of(self.template), workdir / "template-index")

    def _url_of(self, database: str) -> str:
        return self.server.set(database=database).render_as_string(hide_password=False)

    def _execute(self, statement: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(statement))

    def create(self, directory: Path) -> str:
        name = f"{self.prefix}_{next(self._counter)}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}" STRATEGY FILE_COPY')
        return self._url_of(name)

    def drop(self, url: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def close(self) -> None:
        try:
            self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        finally:
            self.admin.dispose()
            if self.cluster is not None:
                self.cluster.stop()


def open_databases(choice: str, workdir: Path):
    """The backend named on the command line: sqlite, postgresql, or a postgresql:// server URL."""
    if choice == "sqlite":
        return SqliteDatabases(workdir)
    if choice == "postgresql":
        return PostgresDatabases(workdir)
    if choice.startswith("postgresql"):
        return PostgresDatabases(workdir, server_url=choice)
    raise ValueError(f"--database must be sqlite, postgresql or a postgresql:// URL, not {choice!r}")
