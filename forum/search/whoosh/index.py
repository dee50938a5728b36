"""The index on disk: open or create it, write with a lock timeout, and cache one searcher per thread.

Whoosh allows one writer at a time per index (a lock file); a second `ix.writer()` raises `LockError` at once.
Several gunicorn workers commit at the same moment, so writers wait for the lock (`timeout`) and give up
cleanly with the backend-neutral `IndexBusy`: the caller keeps the work in the outbox and retries later, and no
`LockError` reaches a user.

Opening a searcher reads the terms table (30-40 ms at 50,000 threads), so each thread keeps one and asks
`up_to_date()` (0.01 ms) before each use; when the index has moved on it opens a NEW searcher. It never calls
`Searcher.refresh()`, which in the Whoosh forks returns stale duplicate documents after a merge.
"""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import LockError
from whoosh.writing import CLEAR

from ..backend import IndexBusy
from .ranking import weighting
from .schema import FAQ_SCHEMA_SIGNATURE, SCHEMA_SIGNATURE, build_faq_schema, build_schema, signature

log = logging.getLogger(__name__)

__all__ = ["SearchIndex", "CLEAR", "MAIN", "FAQ"]

# Whoosh keeps several named indexes in one directory, each with its own files and write lock: the threads
# ("MAIN", Whoosh's default name) and the official FAQ entries.
MAIN, FAQ = "MAIN", "FAQ"
_SCHEMAS = {MAIN: (build_schema, SCHEMA_SIGNATURE), FAQ: (build_faq_schema, FAQ_SCHEMA_SIGNATURE)}


class SearchIndex:
    """One named index in a directory. Instances are shared per directory and name within a process."""

    _instances: dict[tuple[str, str], "SearchIndex"] = {}
    _instances_lock = threading.Lock()

    def __init__(self, path: str, name: str = MAIN):
        self.path = str(Path(path).resolve())
        self.name = name
        self._build_schema, self._signature = _SCHEMAS[name]
        self._ix = None
        self._lock = threading.Lock()
        self._local = threading.local()

    @classmethod
    def for_path(cls, path: str, name: str = MAIN) -> "SearchIndex":
        key = (str(Path(path).resolve()), name)
        with cls._instances_lock:
            found = cls._instances.get(key)
            if found is None:
                found = cls._instances[key] = cls(*key)
            return found

    # -- opening --------------------------------------------------------------------------------------------

    def exists(self) -> bool:
        """Whether the directory holds an index (a table of contents), without opening it."""
        return any(Path(self.path).glob(f"_{self.name}_*.toc"))

    def open(self, create: bool = True):
        """The FileIndex, created empty on first use; None if it does not exist and `create` is False.

        An index whose files were removed while the process ran (the directory deleted, or recreated by the
        other index's writer) is forgotten and opened again. One that cannot be read (corrupt or partial files)
        raises with `create` (a writer: the caller keeps its work in the outbox) and is None without it (a
        reader: search shows nothing rather than failing the page; the health check then asks for a rebuild).
        """
        with self._lock:
            if self._ix is not None and not self.exists():  # removed by hand: start again
                self._ix = None
                self._local = threading.local()
            if self._ix is None:
                if self.exists():
                    try:
                        self._ix = whoosh_index.open_dir(self.path, indexname=self.name)
                    except Exception:  # noqa: BLE001 -- a damaged index must not fail the page that reads it
                        if create:
                            raise
                        log.warning("search: the %s index in %s cannot be opened", self.name, self.path,
                                    exc_info=True)
                        return None
                elif create:
                    Path(self.path).mkdir(parents=True, exist_ok=True)
                    self._ix = whoosh_index.create_in(self.path, self._build_schema(), indexname=self.name)
            return self._ix

    def recreate(self):
        """A new empty index with the current schema (for a schema change; the caller holds no searcher)."""
        with self._lock:
            Path(self.path).mkdir(parents=True, exist_ok=True)
            self._ix = whoosh_index.create_in(self.path, self._build_schema(), indexname=self.name)
            self._local = threading.local()
            return self._ix

    def schema_is_current(self) -> bool:
        """Whether the index can be read and has the current schema (False also for a damaged index: rebuild)."""
        try:
            ix = self.open(create=False)
            return ix is not None and signature(ix.schema) == self._signature
        except Exception:  # noqa: BLE001
            log.warning("search: cannot read the schema of the %s index", self.name, exc_info=True)
            return False

    # -- writing --------------------------------------------------------------------------------------------

    @contextmanager
    def writer(self, timeout: float = 5.0, **kwargs):
        """A writer that commits on success and cancels on error; `IndexBusy` if the lock stays taken."""
        writer = self.bulk_writer(timeout=timeout, delay=0.05, **kwargs)
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def bulk_writer(self, timeout: float, **kwargs):
        """A plain Whoosh writer (the caller commits or cancels it); `IndexBusy` if the lock stays taken."""
        ix = self.open(create=True)
        try:
            return ix.writer(timeout=timeout, **kwargs)
        except LockError as error:
            raise IndexBusy(f"the {self.name} index in {self.path} is locked") from error

    # -- reading --------------------------------------------------------------------------------------------

    def searcher(self):
        """This thread's searcher, replaced by a new one whenever the index has changed; None if no index."""
        current = getattr(self._local, "searcher", None)
        if current is not None and self._fresh(current):
            return current
        if current is not None:
            self._local.searcher = None
            _close(current)  # only this thread used it
        ix = self.open(create=False)
        if ix is None:
            return None
        try:
            fresh = ix.searcher(weighting=weighting())
        except Exception:  # noqa: BLE001 -- files gone or damaged under an open index: no results, no error
            log.warning("search: cannot open a searcher on the %s index in %s", self.name, self.path, exc_info=True)
            with self._lock:
                if self._ix is ix:
                    self._ix = None  # open it again next time (a rebuild may have replaced the files)
            return None
        self._local.searcher = fresh
        return fresh

    @staticmethod
    def _fresh(searcher) -> bool:
        try:
            return searcher.up_to_date()
        except OSError:  # the directory went away (removed by hand): open again, or report no index
            return False

    def doc_count(self) -> int:
        """Documents in the index; 0 when there is none or it cannot be read."""
        searcher = self.searcher()
        try:
            return searcher.doc_count() if searcher is not None else 0
        except Exception:  # noqa: BLE001
            log.warning("search: cannot count the %s index", self.name, exc_info=True)
            return 0

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in Path(self.path).glob(f"*{self.name}*") if f.is_file())


def _close(searcher) -> None:
    try:
        searcher.close()
    except Exception:  # noqa: BLE001 -- its files may be gone already
        log.debug("search: closing an old searcher failed", exc_info=True)
