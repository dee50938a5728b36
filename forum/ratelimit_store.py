"""A rate-limit store every worker and server shares, with no server beyond the database Kotae already has.

Flask-Limiter keeps its counters in a `limits` storage; `memory://` is per process, so with four gunicorn workers
every limit was four times too loose. This storage keeps fixed-window counters in a SQL table, one atomic upsert per
hit (SQLite 3.35+ and PostgreSQL share the syntax). On the embedded setup the table lives in its own SQLite file
beside the forum's database, so counting never waits on the forum's write lock; on PostgreSQL it lives in the same
database. Redis (`RATELIMIT_STORAGE_URI=redis://...`) remains the choice for very busy sites.

URIs: `sql+sqlite:////abs/path/ratelimits.sqlite`, `sql+postgresql://...`, `sql+postgresql+psycopg://...`.
"""
import itertools
import time
from pathlib import Path

from limits.storage import Storage
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.exc import SQLAlchemyError

from .database import normalised_url

TABLE = "kotae_rate_limits"  # not a forum model: migrations leave it alone (see migrations/env.py)
PRUNE_EVERY = 500  # hits between sweeps of expired counters

CREATE = text(f"CREATE TABLE IF NOT EXISTS {TABLE} ("
              "key TEXT PRIMARY KEY, hits INTEGER NOT NULL, expires_at DOUBLE PRECISION NOT NULL)")
# A counter whose window has passed starts again from this hit; both columns read the row as it was.
INCREMENT = text(f"""
    INSERT INTO {TABLE} (key, hits, expires_at) VALUES (:key, :amount, :expires)
    ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN {TABLE}.expires_at <= :now THEN :amount ELSE {TABLE}.hits + :amount END,
        expires_at = CASE WHEN {TABLE}.expires_at <= :now THEN :expires ELSE {TABLE}.expires_at END
    RETURNING hits""")
CURRENT = text(f"SELECT hits, expires_at FROM {TABLE} WHERE key = :key AND expires_at > :now")


def default_uri(database_uri: str) -> str:
    """The shared store for a forum database: a sibling SQLite file, or the PostgreSQL database itself."""
    url = make_url(normalised_url(database_uri))
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return "memory://"  # an in-memory forum has one process anyway
        database = Path(url.database)
        return f"sql+sqlite:///{database.with_name(database.stem + '.ratelimits.sqlite')}"
    return "sql+" + url.render_as_string(hide_password=False)


class DatabaseStorage(Storage):
    STORAGE_SCHEME = ["sql+sqlite", "sql+postgresql", "sql+postgresql+psycopg"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        url = make_url(normalised_url(uri.removeprefix("sql+")))
        self.is_sqlite = url.get_backend_name() == "sqlite"
        engine_options = {"pool_pre_ping": True}
        if self.is_sqlite:
            engine_options["connect_args"] = {"timeout": 10}
        self.engine = create_engine(url, **engine_options)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _tune_sqlite)
        self._table_ready = False
        self._hits = itertools.count(1)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def _connection(self):
        connection = self.engine.begin()
        if not self._table_ready:
            try:
                with self.engine.begin() as setup:
                    setup.execute(CREATE)
            except SQLAlchemyError:
                # Several workers count their first hit at the same moment: on PostgreSQL, CREATE TABLE IF NOT
                # EXISTS run side by side can fail in one of them on the catalogue's unique index (a 500 on that
                # first request). The table is there now; anything else fails again here, and is raised.
                with self.engine.connect() as probe:
                    probe.execute(text(f"SELECT 1 FROM {TABLE} WHERE 1 = 0"))
            self._table_ready = True
        return connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._connection() as connection:
            hits = connection.execute(INCREMENT, {"key": key, "amount": amount, "expires": now + expiry,
                                                  "now": now}).scalar_one()
            if next(self._hits) % PRUNE_EVERY == 0:
                connection.execute(text(f"DELETE FROM {TABLE} WHERE expires_at <= :now"), {"now": now})
        return hits

    def _current(self, key: str):
        with self._connection() as connection:
            return connection.execute(CURRENT, {"key": key, "now": time.time()}).first()

    def get(self, key: str) -> int:
        row = self._current(key)
        return row.hits if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._current(key)
        return row.expires_at if row else time.time()

    def check(self) -> bool:
        try:
            with self._connection() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self._connection() as connection:
            return connection.execute(text(f"DELETE FROM {TABLE}")).rowcount

    def clear(self, key: str) -> None:
        with self._connection() as connection:
            connection.execute(text(f"DELETE FROM {TABLE} WHERE key = :key"), {"key": key})


def _tune_sqlite(dbapi_connection, _record) -> None:
    """WAL lets the workers read while one counts; the busy timeout makes them queue instead of failing."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
