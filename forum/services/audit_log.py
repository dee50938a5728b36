"""The staff audit log: every moderation or administration action, with who, what, when and why."""
import json

from ..extensions import db
from ..models import AuditLogEntry


def log_action(actor, action: str, target=None, reason: str = "", **detail) -> AuditLogEntry:
    """Record a staff action in the caller's transaction, so the action and its log entry commit together.

    `target` is a model instance (its table name and id are stored); `detail` is any JSON-serialisable context.
    """
    entry = AuditLogEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=_target_type(target),
        target_id=getattr(target, "id", None),
        reason=reason or "",
        detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else "",
    )
    db.session.add(entry)
    return entry


def _target_type(target) -> str | None:
    if target is None:
        return None
    table = getattr(target, "__tablename__", None) or type(target).__name__.lower()
    return {"posts": "post", "users": "user", "faq_entries": "faq_entry", "webhooks": "webhook"}.get(table, table)
