"""Arrays decoded from the index's segments (postings, field lengths), kept per process.

Segments never change once written (a deletion only marks documents), so what is decoded from one stays true
until the segment is merged away, after which its entries are soon forgotten (least recently used out first).
"""
from ..cache import ArrayCache

POSTINGS_CACHE_BYTES = 64 * 2**20  # about 5 million postings (12 bytes each), per process (SEARCH_POSTINGS_CACHE_MB)

segments = ArrayCache(POSTINGS_CACHE_BYTES, shared=True)
