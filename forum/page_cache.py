"""Visitors' pages from a shared cache, and the HTTP caching headers of those pages.

An anonymous GET of a cacheable page (a thread, the question lists, tag and FAQ pages, search results) is kept
in the page cache (Flask-Caching: Redis when `PAGE_CACHE_URI` names one, otherwise files under the instance
folder that every worker of one server shares) under its path, sorted query string and language. Signed-in
readers, visitors with a flash message waiting, and visitors with a cookie the page reads (their own feedback)
are never served a stored page.

Invalidation is by generation, so every variant of a page (languages, query strings) is dropped at once: a stored
page remembers the generation tokens it was rendered under (its thread's and all threads', or the lists'), and is
served only while those tokens are unchanged. The generations are read before the view reads the database and
changed only after a commit (the `forget_changed` commit step), so a page rendered from data older than a change
is never stored under a generation newer than that change. Changes the transaction record does not name (a
member's reputation beside a post, "3 minutes ago") last at most `PAGE_CACHE_SECONDS`.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
import time
from functools import wraps
from typing import Callable, Iterable, TypeVar
from urllib.parse import urlencode

from flask import Flask, Response, current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from .extensions import page_store
from .models import Post, PostType
from .unit_of_work import Changes

log = logging.getLogger(__name__)

LISTS = "gen:lists"  # the generation of every list-like page (lists, tags, search, FAQ pages)
ALL_THREADS = "gen:threads"  # one more generation of every thread page: the FAQ box, or a change to many threads
MANY_THREADS = 200  # a transaction changing more threads (an import, a tag merge) drops every thread page at once
FORGET = "pages_forget"  # Changes.notes key: the generations this transaction's commit changes
# Columns whose change no cached page needs at once (a view count moves with every new reader).
UNSHOWN_COLUMNS = frozenset({"view_count"})
VARY = "Accept-Language, Cookie"
Kept = TypeVar("Kept")  # what a fragment keeps: anything the store can pickle (HTML, a dict of HTML and data)


def thread_generation(question_id: int) -> str:
    return f"gen:thread:{question_id}"


def thread_page(question_id: int, **_ignored) -> tuple[str, ...]:
    """What a thread page shows: its own posts and comments, and the FAQ entry made from it."""
    return thread_generation(question_id), ALL_THREADS


def list_page(**_ignored) -> tuple[str, ...]:
    """Lists, tags, search results and FAQ pages show many threads: any change drops them."""
    return (LISTS,)


# --- Setup -----------------------------------------------------------------------------------------------------

def init_app(app: Flask) -> None:
    page_store.init_app(app, config=_backend_config(app))
    app.after_request(_private_for_members)


def _backend_config(app: Flask) -> dict:
    """Flask-Caching settings from PAGE_CACHE_URI: redis://... shared by every server; memory:// for one process;
    empty for files under the instance folder, shared by the workers of one server."""
    uri = app.config.get("PAGE_CACHE_URI") or ""
    prefix = app.config.get("PAGE_CACHE_KEY_PREFIX", "kotae:pages:")
    if not app.config.get("PAGE_CACHE_ENABLED", True):
        return {"CACHE_TYPE": "NullCache"}
    if uri.startswith(("redis://", "rediss://", "unix://")):
        return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": uri, "CACHE_KEY_PREFIX": prefix}
    if uri == "memory://":
        return {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": app.config.get("PAGE_CACHE_THRESHOLD", 2000)}
    if uri:
        raise RuntimeError(f"PAGE_CACHE_URI must be empty, memory:// or redis://..., not {uri!r}")
    directory = app.config.get("PAGE_CACHE_DIR") or f"{app.instance_path}/page-cache"
    return {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": directory,
            "CACHE_THRESHOLD": app.config.get("PAGE_CACHE_THRESHOLD", 2000)}


def _enabled() -> bool:
    return current_app.config.get("PAGE_CACHE_ENABLED", True)


# --- Serving ---------------------------------------------------------------------------------------------------

def cached_page(generations: Callable[..., tuple[str, ...]] = list_page, personal_cookies: Iterable[str] = (),
                on_hit: Callable[..., None] | None = None):
    """Serve a GET view to visitors from the page cache. `generations(**view_args)` names what the page shows;
    `personal_cookies` are cookies the page reads (a visitor sending one gets the page rendered for them);
    `on_hit(**view_args)` runs for a page served from the cache (a thread's view counter)."""
    personal_cookies = tuple(personal_cookies)

    def decorate(view):
        @wraps(view)
        def wrapped(**view_args):
            if not _enabled() or _personal(personal_cookies):
                return _for_one_reader(make_response(view(**view_args)))
            key, names = _page_key(), generations(**view_args)
            entry, tokens = _look_up(key, names)
            if entry is not None and entry["tokens"] == tokens:
                if on_hit is not None:
                    on_hit(**view_args)
                return _served(entry, "hit")
            if entry is not None and tokens and not _render_turn(key):
                # Another worker is rendering the changed page right now: its previous version, for the
                # fraction of a second that takes (at most STALE_WHILE_RENDERING, within the page's lifetime).
                if on_hit is not None:
                    on_hit(**view_args)
                return _served(entry, "stale")
            try:
                response = make_response(view(**view_args))
                if not _storable(response):
                    return _for_one_reader(response)
                return _served(_store(key, tokens, response), "miss")
            finally:
                if entry is not None and tokens:
                    _render_done(key)
        return wrapped
    return decorate


def do_not_store() -> None:
    """Serve this response to its reader only: the page shows a passing state (a search index being rebuilt or
    failing), which would otherwise be kept for every visitor."""
    g.page_cache_skip = True


def first_time(marker: str) -> bool:
    """Whether `marker` is new to the page cache (it is kept an hour or more): lets a page served from the cache
    skip a database check it made for this reader before. True when the cache cannot tell."""
    try:
        return bool(page_store.add(f"seen:{marker}", 1, timeout=_generation_seconds()))
    except Exception:  # noqa: BLE001
        return True


def _personal(personal_cookies: tuple[str, ...]) -> bool:
    """Whether this reader's page may differ from every other visitor's."""
    if any(name in request.cookies for name in personal_cookies):
        return True
    if request.cookies.get(current_app.config.get("SESSION_COOKIE_NAME", "session")) and "_flashes" in session:
        return True
    return current_user.is_authenticated


def _page_key() -> str:
    query = urlencode(sorted(request.args.items(multi=True)))
    raw = f"{get_locale() or ''}|{request.path}?{query}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def _look_up(key: str, names: tuple[str, ...]) -> tuple[dict | None, tuple[str, ...]]:
    """The stored page (if any) and the current generation tokens, in one round trip; a missing generation
    (never set, or expired) is started afresh, which no stored page matches."""
    try:
        entry, *tokens = page_store.get_many(key, *names)
        tokens = _started(names, tokens)
    except Exception:  # noqa: BLE001 -- the cache is an optimisation: without it, render the page
        log.warning("page cache: look-up failed; rendering the page", exc_info=True)
        return None, ()
    if not tokens:
        return None, ()
    return (entry if isinstance(entry, dict) else None), tokens


def _started(names: tuple[str, ...], tokens: list) -> tuple[str, ...]:
    """The tokens, with a missing generation started afresh; () when the store would not keep one."""
    missing = {name: _new_token() for name, token in zip(names, tokens) if token is None}
    if missing:
        for name, token in missing.items():
            page_store.add(name, token, timeout=_generation_seconds())
        tokens = page_store.get_many(*names)
    return () if any(token is None for token in tokens) else tuple(tokens)


# --- Fragments of members' pages --------------------------------------------------------------------------------

def current_generations(names: tuple[str, ...]) -> tuple[str, ...]:
    """The generation tokens of `names` now. Read them before the view reads the database, then hand them to
    `fragment`: a fragment rendered from older data is never kept under a newer generation. () when the page
    cache is off or unreachable (fragments are then rendered every time)."""
    if not _enabled():
        return ()
    try:
        return _started(names, page_store.get_many(*names))
    except Exception:  # noqa: BLE001
        log.warning("page cache: reading generations failed; rendering fragments", exc_info=True)
        return ()


def fragment(parts: tuple, generations: tuple[str, ...], render: Callable[[], Kept]) -> Kept:
    """A piece of a page that many readers see alike (a thread's posts, for members with the same rights, votes
    and language), kept under `generations` and served while they are unchanged, for at most
    PAGE_CACHE_SECONDS. `parts` must name everything the HTML depends on besides the generations; whatever is
    the reader's own (a CSRF token) is left as a slot in it and filled by the caller on every request."""
    if not generations:
        return render()
    key = "fragment:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:40]
    try:
        entry = page_store.get(key)
    except Exception:  # noqa: BLE001
        entry = None
    if isinstance(entry, dict) and entry.get("tokens") == generations:
        return entry["body"]
    body = render()
    try:
        page_store.set(key, {"tokens": generations, "body": body},
                       timeout=current_app.config.get("PAGE_CACHE_SECONDS", 30))
    except Exception:  # noqa: BLE001
        log.warning("page cache: storing a fragment failed", exc_info=True)
    return body


STALE_WHILE_RENDERING = 5  # seconds one worker may hold a changed page's rendering before another tries too


def _render_turn(key: str) -> bool:
    """Whether this request renders a changed page (True), or another one is already doing it (False). On a burst
    of readers after a change, one renders while the others get the previous version, instead of every worker
    rendering the same page at once. True when the cache cannot tell."""
    try:
        return bool(page_store.add(f"rendering:{key}", 1, timeout=STALE_WHILE_RENDERING))
    except Exception:  # noqa: BLE001
        return True


def _render_done(key: str) -> None:
    try:
        page_store.delete(f"rendering:{key}")
    except Exception:  # noqa: BLE001
        pass


def _storable(response: Response) -> bool:
    """Only a plain 200 that depended on nothing of this reader's: no cookie set, no CSRF token embedded."""
    return (response.status_code == 200 and not response.direct_passthrough and not response.is_streamed
            and "Set-Cookie" not in response.headers and not session.modified and "csrf_token" not in g
            and not g.get("page_cache_skip"))


def _store(key: str, tokens: tuple[str, ...], response: Response) -> dict:
    body = response.get_data()
    entry = {"tokens": tokens, "body": body, "content_type": response.content_type,
             "etag": hashlib.sha256(body).hexdigest()[:32], "modified": int(time.time())}
    if tokens:  # no tokens: the look-up failed, so the cache is not there to store in
        try:
            page_store.set(key, entry, timeout=current_app.config.get("PAGE_CACHE_SECONDS", 30))
        except Exception:  # noqa: BLE001
            log.warning("page cache: storing a page failed", exc_info=True)
    return entry


def _served(entry: dict, outcome: str) -> Response:
    """The stored page with validators and public caching headers; 304 when the reader's copy is current."""
    response = Response(entry["body"], content_type=entry["content_type"])
    response.set_etag(entry["etag"])
    response.last_modified = entry["modified"]
    proxy_seconds = current_app.config.get("PAGE_CACHE_PROXY_SECONDS", 5)
    response.headers["Cache-Control"] = f"public, max-age=0, s-maxage={proxy_seconds}"  # browsers revalidate
    response.headers["Vary"] = VARY
    response.headers["X-Cache"] = outcome
    return response.make_conditional(request)


def _for_one_reader(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Vary"] = VARY
    response.headers["X-Cache"] = "bypass"
    return response


def _private_for_members(response: Response) -> Response:
    """No shared cache keeps a page rendered for a signed-in member."""
    if request.endpoint != "static" and "Cache-Control" not in response.headers and current_user.is_authenticated:
        response.headers["Cache-Control"] = "private, no-cache"
    return response


# --- Invalidation (commit steps) -------------------------------------------------------------------------------

def note_changed(session: Session, record: Changes) -> None:
    """Before the commit: name the generations the change affects (finding a comment's thread may need a query,
    which only a transaction can run)."""
    threads = {change.question_id for change in record.posts.values()
               if change.question_id is not None and change.columns - UNSHOWN_COLUMNS}
    threads |= _threads_of(session, record.commented) | record.threads
    names = ({thread_generation(question_id) for question_id in threads} if len(threads) <= MANY_THREADS
             else {ALL_THREADS})
    if any(columns - UNSHOWN_COLUMNS for columns in record.faq.values()):
        names.add(ALL_THREADS)
    if names or any(change.columns - UNSHOWN_COLUMNS for change in record.posts.values()):
        names.add(LISTS)
    if record.site_wide:
        names |= {LISTS, ALL_THREADS}
    if names:
        record.notes[FORGET] = names


def forget_changed(_session: Session, record: Changes) -> None:
    """After the commit: new generation tokens, so no stored page from before the change is served again."""
    names = record.notes.get(FORGET)
    if not names or not _enabled():
        return
    page_store.set_many({name: _new_token() for name in names}, timeout=_generation_seconds())


def _threads_of(session: Session, post_ids: set[int]) -> set[int]:
    if not post_ids:
        return set()
    thread = case((Post.post_type == PostType.QUESTION, Post.id), else_=Post.question_id)
    return {qid for qid in session.scalars(select(thread).where(Post.id.in_(post_ids))) if qid is not None}


def _new_token() -> str:
    return secrets.token_hex(8)


def _generation_seconds() -> int:
    """A generation must outlive the pages stored under it; once it expires, those pages are simply not served."""
    return max(10 * current_app.config.get("PAGE_CACHE_SECONDS", 30), 3600)
