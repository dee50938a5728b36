"""Database wiring: SQLite tuned for several gunicorn workers writing at once."""
from flask import Flask, has_request_context, request
from sqlalchemy import event

from .extensions import db

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def normalised_url(url: str) -> str:
    """`postgresql://` means psycopg 3 here (SQLAlchemy alone would pick psycopg2, which we do not install)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def init_app(app: Flask) -> None:
    app.config["SQLALCHEMY_DATABASE_URI"] = normalised_url(app.config["SQLALCHEMY_DATABASE_URI"])
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _tune_sqlite)
            event.listen(db.engine, "begin", _begin_sqlite)


def _tune_sqlite(dbapi_connection, _record) -> None:
    # WAL lets readers run beside one writer; the busy timeout makes a second writer wait instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_sqlite(connection) -> None:
    """POST requests take the write lock up front (BEGIN IMMEDIATE).

    Otherwise a request that reads and then writes could fail at once with "database is locked" when another
    worker committed in between (SQLite cannot upgrade a stale read snapshot to a write); taking the lock first
    makes a concurrent writer wait for the busy timeout instead. Everything else keeps the driver's default
    (reads outside a transaction, BEGIN before the first write), so page views never queue behind writers.
    """
    if has_request_context() and request.method not in READ_METHODS:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
