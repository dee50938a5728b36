"""The staff audit log: every moderation or administration action, with who, what, when and why."""
import json

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import AuditLogEntry

# Every action the code logs, with the label staff read in the audit log and its filter: a key without one shows
# raw and untranslated (as do rows from older code). tests/unit/test_audit_actions.py finds the keys in the source.
ACTION_LABELS = {
    "post.hide": _l("Post hidden by flags"),
    "post.hold": _l("Post held for personal data"),
    "post.delete": _l("Post deleted"),
    "post.undelete": _l("Post undeleted"),
    "post.redact": _l("Text redacted from a post"),
    "post.rollback": _l("Post rolled back to an earlier revision"),
    "suggested_edit.approve": _l("Suggested edit approved"),
    "suggested_edit.reject": _l("Suggested edit rejected"),
    "post.close": _l("Question closed"),
    "post.reopen": _l("Question reopened"),
    "post.lock": _l("Post locked"),
    "post.unlock": _l("Post unlocked"),
    "flags.dismiss": _l("Flags dismissed"),
    "flags.helpful": _l("Flags marked helpful"),
    "user.suspend": _l("User suspended"),
    "user.unsuspend": _l("Suspension lifted"),
    "answer.official": _l("Answer marked official"),
    "question.label": _l("Thread labelled"),
    "faq.publish": _l("FAQ entry published"),
    "faq.unpublish": _l("FAQ entry unpublished"),
    "faq.promote": _l("Answer promoted to the FAQ"),
    "faq.edit": _l("FAQ entry edited"),
    "faq.move": _l("FAQ entry moved"),
    "faq.retire": _l("FAQ entry retired"),
    "faq.resync": _l("FAQ entry updated from its thread"),
    "faq.review.dismiss": _l("FAQ review dismissed"),
    "faq.category.create": _l("FAQ category added"),
    "faq.category.rename": _l("FAQ category renamed"),
    "faq.category.move": _l("FAQ category moved"),
    "faq.category.delete": _l("FAQ category deleted"),
    "webhook.create": _l("Webhook added"),
    "webhook.update": _l("Webhook changed"),
    "webhook.delete": _l("Webhook deleted"),
    "webhook.enable": _l("Webhook enabled"),
    "webhook.disable": _l("Webhook disabled"),
    "webhook.test": _l("Webhook tested"),
    "webhook.retry": _l("Webhook delivery retried"),
    "settings.hours": _l("Support hours changed"),
    "settings.guidelines": _l("Guidelines changed"),
    "settings.widget": _l("Help widget changed"),
    "settings.branding": _l("Branding changed"),
    "user.delete": _l("Account deleted"),
    "account.password_reset": _l("Password reset by e-mail"),
    "account.email_change": _l("E-mail address changed"),
    "api_token.revoke": _l("API token revoked"),
    "account.sso_link": _l("Single sign-on linked"),
    "account.sso_unlink": _l("Single sign-on unlinked"),
    "user.role_sso": _l("Role changed by single sign-on"),
}


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
