"""The official FAQ: official answers, candidates, promotion, entries, categories and staying true to threads.

Modules: `official` (mark answers official), `candidates` (which threads could become entries, ranked),
`promotion` (thread -> draft entry), `entries` (edit, publish, retire, order, read), `categories`, `review`
(needs-review reasons, re-sync, dismiss) and `hooks` (the commit steps that open reviews).
"""
from flask import Flask

from ...models import WebhookEvent
from ..outreach import alerts
from . import hooks


def init_app(app: Flask) -> None:
    """Register the periodic candidates check (the commit steps in hooks.py are declared in forum/commit_steps.py)."""
    alerts.register_scan(WebhookEvent.FAQ_CANDIDATE, hooks.scan_candidates)
