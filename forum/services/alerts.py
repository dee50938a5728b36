"""Events for outgoing chat alerts (Slack-compatible and ChatWork webhooks).

`emit` only queues a delivery row per subscribed webhook in the caller's transaction; sending happens after
commit, outside the request (see forum/services/webhooks.py), so a slow or dead endpoint never slows a page.
"""
import json

from ..extensions import db
from ..models import Webhook, WebhookDelivery


def emit(event: str, dedup_key: str, data: dict) -> list[WebhookDelivery]:
    """Queue `event` for every active webhook subscribed to it; the same (webhook, dedup_key) is queued once."""
    deliveries = []
    for webhook in db.session.scalars(db.select(Webhook).filter_by(active=True)):
        if event not in webhook.event_list:
            continue
        exists = db.session.scalar(
            db.select(WebhookDelivery.id).filter_by(webhook_id=webhook.id, dedup_key=dedup_key)
        )
        if exists:
            continue
        delivery = WebhookDelivery(
            webhook_id=webhook.id, event=event, dedup_key=dedup_key,
            payload=json.dumps(data, ensure_ascii=False, default=str),
        )
        db.session.add(delivery)
        deliveries.append(delivery)
    return deliveries
