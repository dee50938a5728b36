"""One owner for each request's transaction (as indico's request handler owns it).

A request commits once, after its view has returned a response that is not an error; an exception, a domain error
turned into a 4xx page, or a view answering 4xx or 5xx itself rolls everything back. Views and API endpoints
therefore never commit, and services only flush. What a commit sets off (indexing, FAQ checks, alerts, e-mail)
runs from the session's after-commit events, so a rolled-back request sets nothing off.

Outside requests (CLI commands, background senders, periodic jobs) `transaction()` does the same explicitly.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from flask import Flask, Response

from .extensions import db


def init_app(app: Flask) -> None:
    app.after_request(_finish_request)


def _finish_request(response: Response) -> Response:
    if response.status_code < 400:
        db.session.commit()  # an error here becomes a 500 page, whose own finishing rolls back
    else:
        db.session.rollback()
    return response


def checkpoint() -> None:
    """Commit what the request wrote so far. Only for the small writes a page view makes before it renders (the
    view counter, "last seen"): on SQLite a read that later writes cannot wait for another writer, so those
    writes are committed before the page's reads instead of at the end."""
    db.session.commit()


@contextmanager
def transaction() -> Iterator[None]:
    """Commit the block's changes at its end, or roll them back if it raises (CLI commands, background jobs)."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
