"""The Whoosh search backend: index files, schema, BM25F ranking and Whoosh queries (see `backend.py`).

Nothing outside this package imports Whoosh's index, query or searching modules: the rest of `forum/search/`
talks to `WhooshBackend` through the `SearchBackend` protocol (`forum/search/backend.py`).
"""
from .backend import WhooshBackend

__all__ = ["WhooshBackend"]
