"""Arrays decoded from an index, kept per process: a least-recently-used cache within a budget of bytes.

Both backends keep the decoded postings of the words searches bring back (the common words, the expensive ones):
Whoosh per segment (whoosh/cache.py: segments never change once written), PostgreSQL per term and version
(postgresql/arrays.py: every write that changes a term's postings gives it a new version).
"""
from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np


def _size(entry: tuple) -> int:
    return sum(part.nbytes for part in entry if isinstance(part, np.ndarray))


_caches: list["ArrayCache"] = []


def set_budget(budget: int) -> None:
    """Every cache's budget in bytes (SEARCH_POSTINGS_CACHE_MB: the caches belong to the process, not an app)."""
    for cache in _caches:
        cache.resize(budget)


class ArrayCache:
    """key -> a tuple of arrays (and small values), least recently used out first, at most `budget` bytes."""

    def __init__(self, budget: int, shared: bool = False):
        self.budget, self.used = budget, 0
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        if shared:  # one of the process's caches, sized by set_budget
            _caches.append(self)

    def resize(self, budget: int) -> None:
        with self._lock:
            self.budget = budget
            self._evict()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key, entry: tuple) -> None:
        size = _size(entry)
        if size > self.budget:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.used -= _size(old)
            self._entries[key] = entry
            self.used += size
            self._evict()

    def _evict(self) -> None:
        while self.used > self.budget and self._entries:
            _key, dropped = self._entries.popitem(last=False)
            self.used -= _size(dropped)
