"""The official FAQ: official answers, candidates, promotion, entries, categories and staying true to threads.

Modules: `official` (mark answers official), `candidates` (which threads could become entries, ranked),
`promotion` (thread -> draft entry), `entries` (edit, publish, retire, order, read), `categories`, `review`
(needs-review reasons, re-sync, dismiss) and `hooks` (the session events that open reviews).
"""
from flask import Flask

from . import hooks


def init_app(app: Flask) -> None:
    """Register the session events that open reviews and announce candidates."""
    hooks.register()
