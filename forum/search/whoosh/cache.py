"""Arrays decoded from an index's segments (postings, field lengths), kept per process.

Segments never change once written (a deletion only marks documents), so what is decoded from one stays true
until the segment is merged away, after which its entries are soon forgotten: a least-recently-used cache of
POSTINGS_CACHE_BYTES per process. Common words, the expensive ones, are the ones every query brings back.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

POSTINGS_CACHE_BYTES = 64 * 2**20  # about 5 million postings (12 bytes each), per process


class SegmentCache:
    """(segment, key) -> a pair of arrays, least recently used out first, at most `budget` bytes."""

    def __init__(self, budget: int):
        self.budget, self.used = budget, 0
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key, entry) -> None:
        size = entry[0].nbytes + entry[1].nbytes
        if size > self.budget:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = entry
            self.used += size
            while self.used > self.budget:
                _key, (docnums, weights) = self._entries.popitem(last=False)
                self.used -= docnums.nbytes + weights.nbytes


segments = SegmentCache(POSTINGS_CACHE_BYTES)
