"""/admin/audit: every staff action, newest first, filterable by action and by actor."""
import json
from dataclasses import dataclass

from flask import current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.routing import BuildError

from ...extensions import db
from ...models import AuditLogEntry, FaqEntry, Post, Question, User, Webhook
from ...services.audit_log import ACTION_LABELS
from ...services.people.names import display_name
from .._common import paginate
from . import bp

@dataclass
class Target:
    label: str
    url: str | None


@bp.get("/audit")
def audit():
    """The audit log (the blueprint already refused non-staff)."""
    action = request.args.get("action", "").strip()
    actor_name = request.args.get("actor", "").strip()
    query = select(AuditLogEntry).options(joinedload(AuditLogEntry.actor)).order_by(
        AuditLogEntry.created_at.desc(), AuditLogEntry.id.desc())
    if action:
        query = query.where(AuditLogEntry.action == action)
    if actor_name:
        query = query.where(AuditLogEntry.actor_id.in_(
            select(User.id).where(User.username_key == actor_name.lower())))
    pagination = paginate(query, current_app.config["AUDIT_PER_PAGE"])
    actions = db.session.scalars(select(AuditLogEntry.action).group_by(AuditLogEntry.action)
                                 .order_by(AuditLogEntry.action)).all()
    return render_template("admin/audit.html", pagination=pagination, targets=_targets(pagination.items),
                           details={e.id: _detail(e.detail) for e in pagination.items}, labels=ACTION_LABELS,
                           actions=actions, action=action, actor=actor_name)


def _targets(entries: list[AuditLogEntry]) -> dict[int, Target]:
    """A label and link for each entry's target, with one query per target type (not per row)."""
    post_ids = {e.target_id for e in entries if e.target_type == "post" and e.target_id}
    user_ids = {e.target_id for e in entries if e.target_type == "user" and e.target_id}
    posts = _posts(post_ids)
    users = _people(user_ids)
    faq = _names(FaqEntry.id, FaqEntry.title, {e.target_id for e in entries if e.target_type == "faq_entry"})
    hooks = _names(Webhook.id, Webhook.name, {e.target_id for e in entries if e.target_type == "webhook"})
    targets = {}
    for entry in entries:
        kind, target_id = entry.target_type, entry.target_id
        if kind == "post" and target_id in posts:
            targets[entry.id] = posts[target_id]
        elif kind == "user" and target_id in users:
            targets[entry.id] = users[target_id]
        elif kind == "faq_entry" and target_id in faq:
            targets[entry.id] = Target(faq[target_id], _maybe_url(kind, target_id))
        elif kind == "webhook" and target_id in hooks:
            targets[entry.id] = Target(hooks[target_id], _maybe_url(kind, target_id))
        elif kind:  # gone since, or a kind this page does not know: still say what it was
            targets[entry.id] = Target(f"{kind} #{target_id}", None)
    return targets


def _people(user_ids: set) -> dict[int, Target]:
    """Members by name with a link to their profile; a deleted account by its placeholder name, without one."""
    user_ids.discard(None)
    rows = db.session.scalars(select(User).where(User.id.in_(user_ids))).all() if user_ids else []
    return {user.id: Target(display_name(user), None if user.deleted_at else url_for("users.profile", user_id=user.id))
            for user in rows}


def _names(id_column, name_column, ids: set) -> dict:
    ids.discard(None)
    return dict(db.session.execute(select(id_column, name_column).where(id_column.in_(ids))).all()) if ids else {}


def _posts(post_ids: set[int]) -> dict[int, Target]:
    if not post_ids:
        return {}
    rows = db.session.execute(select(Post.id, Post.question_id, Post.title).where(Post.id.in_(post_ids))).all()
    question_ids = {row.question_id for row in rows if row.question_id}
    titles = dict(db.session.execute(select(Question.id, Question.title).where(Question.id.in_(question_ids))).all()) \
        if question_ids else {}
    targets = {}
    for row in rows:
        if row.question_id:  # an answer: link into its thread
            url = url_for("questions.detail", question_id=row.question_id, _anchor=f"answer-{row.id}")
            targets[row.id] = Target(str(_l("Answer to %(title)s", title=titles.get(row.question_id, ""))), url)
        else:
            targets[row.id] = Target(row.title or f"#{row.id}", url_for("questions.detail", question_id=row.id))
    return targets


# Where other kinds of targets are shown, when that page exists in this build.
_TARGET_ENDPOINTS = {"faq_entry": ("faq.entry", "entry_id"), "webhook": ("admin.webhooks_list", None)}


def _maybe_url(kind: str, target_id: int | None) -> str | None:
    endpoint = _TARGET_ENDPOINTS.get(kind)
    if endpoint is None:
        return None
    name, argument = endpoint
    try:
        return url_for(name, **({argument: target_id} if argument else {}))
    except BuildError:
        return None


def _detail(raw: str) -> str:
    """The JSON detail as short 'key: value' pairs."""
    if not raw:
        return ""
    try:
        data = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(data, dict):
        return raw
    return ", ".join(f"{key}: {value}" for key, value in data.items())
