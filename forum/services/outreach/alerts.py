"""Events for outgoing chat alerts (Slack-compatible and ChatWork webhooks), and managing the webhooks.

`emit` only queues a delivery row per subscribed webhook in the caller's transaction; sending happens after
commit, outside the request (see forum/services/outreach/webhooks.py), so a slow or dead endpoint never slows a page.
The list of active webhooks is read once per transaction: a request whose events nobody subscribes to costs one
query, however many it emits.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Callable
from urllib.parse import urlsplit

from flask import current_app, has_app_context
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import DeliveryStatus, Post, PostType, Question, Webhook, WebhookDelivery, WebhookEvent, WebhookFormat
from ...models import utcnow
from ...unit_of_work import changes, transaction_cache
from .. import branding, business_hours, site_settings
from ..audit_log import log_action
from ..errors import Forbidden, Invalid, NotFound

log = logging.getLogger(__name__)

SCAN_WINDOW_DAYS = 30  # unanswered questions older than this are no longer news


def _subscriptions() -> list[tuple[int, frozenset[str]]]:
    cache = transaction_cache()
    if "webhooks" not in cache:
        rows = db.session.execute(select(Webhook.id, Webhook.events).where(Webhook.active.is_(True))).all()
        cache["webhooks"] = [(hook_id, frozenset((events or "").split())) for hook_id, events in rows]
    return cache["webhooks"]


def subscribed(event: str) -> list[int]:
    """Ids of the active webhooks that want `event`."""
    return [hook_id for hook_id, events in _subscriptions() if event in events]


def emit(event: str, dedup_key: str, data: dict) -> list[WebhookDelivery]:
    """Queue `event` for every active webhook subscribed to it; the same (webhook, dedup_key) is queued once."""
    return emit_many(event, [(dedup_key, data)])


def emit_many(event: str, items: list[tuple[str, dict]]) -> list[WebhookDelivery]:
    """`emit` for several (dedup_key, data) pairs of one event, with one look-up for what is already queued."""
    hook_ids = subscribed(event)
    if not hook_ids or not items:
        return []
    items = [(key[:100], data) for key, data in items]  # the column's length
    keys = [key for key, _data in items]
    done = set(db.session.execute(
        select(WebhookDelivery.webhook_id, WebhookDelivery.dedup_key)
        .where(WebhookDelivery.webhook_id.in_(hook_ids), WebhookDelivery.dedup_key.in_(keys))
    ).all())
    deliveries = []
    now = utcnow()
    for key, data in items:
        payload = json.dumps(data, ensure_ascii=False, default=str)
        for hook_id in hook_ids:
            if (hook_id, key) in done:
                continue
            done.add((hook_id, key))
            deliveries.append(WebhookDelivery(webhook_id=hook_id, event=event, dedup_key=key, payload=payload,
                                              status=DeliveryStatus.PENDING, next_attempt_at=now))
    if deliveries:
        _insert(deliveries)
    return deliveries


def _insert(deliveries: list[WebhookDelivery]) -> None:
    """In a savepoint: a concurrent transaction that queued the same key must not fail the caller's request.

    Not on SQLite: pysqlite opens no transaction for a SAVEPOINT, so its RELEASE would commit the caller's
    work early (and a later rollback would leave the alert behind). SQLite serialises writers anyway, and
    requests hold the write lock from their first statement (BEGIN IMMEDIATE), so the check above cannot race.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.add_all(deliveries)
        changes().deliveries_queued = True
        return
    try:
        with db.session.begin_nested():
            db.session.add_all(deliveries)
    except IntegrityError:
        log.info("webhooks: %d deliveries were queued concurrently elsewhere", len(deliveries))
        deliveries.clear()
        return
    changes().deliveries_queued = True


# --- Events ------------------------------------------------------------------------------------------------------

def site_url() -> str:
    base = current_app.config.get("SITE_URL") if has_app_context() else None
    return (base or "http://127.0.0.1:5000").rstrip("/")


def question_data(question: Question) -> dict:
    return {
        "title": question.title,
        "url": f"{site_url()}/questions/{question.id}/{question.slug}",
        "author": question.author.username if question.author else "",
        "tags": [tag.name for tag in question.tags],
        "excerpt": question.excerpt or "",
    }


def question_asked(question: Question) -> None:
    """`question.new` for a question just asked (flushes only when some webhook listens)."""
    if not subscribed(WebhookEvent.QUESTION_NEW):
        return
    db.session.flush()
    emit(WebhookEvent.QUESTION_NEW, f"question-new:{question.id}", question_data(question))


def scan(now: datetime | None = None) -> dict[str, int]:
    """Queue the alerts that periodic checks find due (`question.unanswered`, and those other areas register,
    such as the FAQ's `faq.candidate`); run every few minutes."""
    now = now or utcnow()
    counts = {event: 0 for event in _SCANS}
    for event, find_due in _SCANS.items():
        if subscribed(event):
            counts[event] = len(find_due(now))
    return counts


def register_scan(event: str, find_due: Callable[[datetime], list]) -> None:
    """Add another area's periodic check to `scan` (the FAQ registers its candidates at start-up, so this module
    never imports the FAQ's, which import it)."""
    _SCANS[event] = find_due


def _scan_unanswered(now: datetime) -> list[WebhookDelivery]:
    hours = site_settings.get_support_hours()
    threshold = float(current_app.config.get("UNANSWERED_ALERT_BUSINESS_HOURS", 4)) * 3600
    # Business time never exceeds wall-clock time, so younger questions cannot qualify yet.
    questions = db.session.scalars(
        select(Question).options(selectinload(Question.tags))
        .where(Post.post_type == PostType.QUESTION, Post.deleted_at.is_(None), Post.closed_at.is_(None),
               Post.hidden_at.is_(None), Post.answer_count == 0, Post.created_at >= now - timedelta(days=SCAN_WINDOW_DAYS),
               Post.created_at <= now - timedelta(seconds=threshold))
        .order_by(Post.created_at)
    ).all()
    items = []
    for question in questions:
        waited = business_hours.business_seconds_between(question.created_at, now, hours)
        if waited >= threshold:
            data = question_data(question) | {"business_hours_waiting": round(waited / 3600, 1)}
            items.append((f"question-unanswered:{question.id}", data))
    return emit_many(WebhookEvent.QUESTION_UNANSWERED, items)


_SCANS: dict[str, Callable[[datetime], list]] = {WebhookEvent.QUESTION_UNANSWERED: _scan_unanswered}


# --- Managing webhooks (admins only; every change audit-logged, never the secret) --------------------------------

def event_labels() -> dict[str, str]:
    return {
        WebhookEvent.QUESTION_NEW: _("New question"),
        WebhookEvent.QUESTION_UNANSWERED: _("Question still unanswered"),
        WebhookEvent.FLAG_NEW: _("New flag"),
        WebhookEvent.FAQ_CANDIDATE: _("New FAQ candidate"),
        WebhookEvent.FAQ_NEEDS_REVIEW: _("FAQ entry needs review"),
    }


def masked_url(url: str) -> str:
    """The URL as lists show it: incoming-webhook URLs carry their secret in the path (Slack's do)."""
    parts = urlsplit(url)
    first = "/" + parts.path.lstrip("/").split("/", 1)[0]
    path = parts.path if len(parts.path) <= len(first) + 8 else f"{first}/…{parts.path[-4:]}"
    return f"{parts.scheme}://{parts.netloc}{path}"


def require_admin(actor) -> None:
    if not getattr(actor, "is_admin", False):
        raise Forbidden(_("Only administrators can add, change or delete webhooks; moderators can look at them."))


def _validated(name: str, url: str, fmt: str, events) -> tuple[str, str, str, str]:
    name, url = (name or "").strip(), (url or "").strip()
    if not name or len(name) > 80:
        raise Invalid(_("Give the webhook a name of at most 80 characters."), field="name")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        raise Invalid(_("Enter an http:// or https:// address."), field="url")
    if fmt not in WebhookFormat.ALL:
        raise Invalid(_("Choose Slack-compatible or ChatWork."), field="format")
    chosen = [event for event in WebhookEvent.ALL if event in set(events or ())]
    if not chosen:
        raise Invalid(_("Choose at least one event."), field="events")
    return name, url, fmt, " ".join(chosen)


def create_webhook(actor, name: str, url: str, fmt: str, events, secret: str = "") -> Webhook:
    require_admin(actor)
    name, url, fmt, events_text = _validated(name, url, fmt, events)
    webhook = Webhook(name=name, url=url, format=fmt, events=events_text, secret=(secret or "").strip()[:200],
                      active=True, created_by_id=actor.id)
    db.session.add(webhook)
    db.session.flush()
    log_action(actor, "webhook.create", webhook, name=name, url=url, format=fmt, events=events_text,
               signed=bool(webhook.secret))
    return webhook


def update_webhook(actor, webhook: Webhook, name: str, url: str, fmt: str, events, secret: str = "",
                   clear_secret: bool = False) -> Webhook:
    """Blank `secret` keeps the stored one; `clear_secret` removes it."""
    require_admin(actor)
    name, url, fmt, events_text = _validated(name, url, fmt, events)
    webhook.name, webhook.url, webhook.format, webhook.events = name, url, fmt, events_text
    secret_changed = bool((secret or "").strip()) or (clear_secret and bool(webhook.secret))
    if (secret or "").strip():
        webhook.secret = secret.strip()[:200]
    elif clear_secret:
        webhook.secret = ""
    log_action(actor, "webhook.update", webhook, name=name, url=url, format=fmt, events=events_text,
               secret_changed=secret_changed)
    return webhook


def set_active(actor, webhook: Webhook, active: bool) -> None:
    require_admin(actor)
    webhook.active = active
    log_action(actor, "webhook.enable" if active else "webhook.disable", webhook, name=webhook.name)


def delete_webhook(actor, webhook: Webhook) -> None:
    require_admin(actor)
    log_action(actor, "webhook.delete", webhook, name=webhook.name, url=webhook.url)
    db.session.execute(WebhookDelivery.__table__.delete().where(WebhookDelivery.webhook_id == webhook.id))
    db.session.delete(webhook)


def send_test(actor, webhook: Webhook) -> WebhookDelivery:
    """Queue a test message to this webhook alone (whatever events it listens to)."""
    require_admin(actor)
    now = utcnow()
    delivery = WebhookDelivery(
        webhook_id=webhook.id, event="test", dedup_key=f"test:{now.isoformat()}:{actor.id}"[:100],
        payload=json.dumps({"title": _("Test message from %(site)s", site=branding.get_branding().name(
            str(get_locale() or "en"))), "url": site_url(), "author": actor.username},
                           ensure_ascii=False),
        status=DeliveryStatus.PENDING, next_attempt_at=now,
    )
    db.session.add(delivery)
    changes().deliveries_queued = True
    log_action(actor, "webhook.test", webhook, name=webhook.name)
    return delivery


def get_webhook(webhook_id: int) -> Webhook:
    webhook = db.session.get(Webhook, webhook_id)
    if webhook is None:
        raise NotFound(_("There is no such webhook."))
    return webhook
