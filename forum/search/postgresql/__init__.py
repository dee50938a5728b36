"""The PostgreSQL search backend: documents, tsvectors and term counts in the forum's own database.

Every web server reads and writes the same tables, so several servers share one index (Whoosh keeps files on one
machine), and a document can be written in the same transaction as its post (`PostgresBackend.write_documents`).
Words are analysed by Kotae's own analysis (`forum/search/analysis.py`) and stored as tsvector literals, so
PostgreSQL does no linguistic processing; ranking is Whoosh's BM25F, computed in SQL (scoring.py).
"""
from .backend import PostgresBackend

__all__ = ["PostgresBackend"]
