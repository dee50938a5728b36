"""Delivering queued webhook alerts: payload formats, signing, HTTP, retries, and the background sender.

Flow: `alerts.emit` adds `WebhookDelivery` rows in the request's transaction. After that transaction commits,
a commit step (`wake_sender`) wakes this process's sender thread (it never waits for HTTP in the request); the thread opens
its own app context and session, claims due deliveries one by one with a compare-and-set UPDATE (so several
gunicorn workers, or the `flask webhooks deliver` cron job, never send one delivery twice), POSTs them with
urllib and records the outcome. Failures retry with exponential backoff until `WEBHOOK_MAX_ATTEMPTS`.

Receivers verify a signed Slack-format payload by recomputing
``hex(HMAC-SHA256(secret, X-Kotae-Timestamp + "." + raw body))`` and comparing it, in constant time, with
``X-Kotae-Signature`` (after its ``sha256=`` prefix); rejecting timestamps older than a few minutes stops replays.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta

from flask import Flask, current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from ...extensions import db
from ...unit_of_work import Changes, changes, transaction
from ...models import DeliveryStatus, Webhook, WebhookDelivery, WebhookFormat, utcnow
from . import alerts
from ..audit_log import log_action
from ..errors import NotFound

log = logging.getLogger(__name__)

USER_AGENT = "Kotae-Webhooks/1"
DEFAULTS = {"WEBHOOK_TIMEOUT": 5, "WEBHOOK_MAX_ATTEMPTS": 5, "WEBHOOK_RETRY_BASE_SECONDS": 30,
            "WEBHOOK_RETRY_MAX_SECONDS": 3600, "WEBHOOK_SENDER_THREAD": True}
_IDLE_SECONDS = 60  # the sender thread ends after this long with nothing pending; the next commit restarts it


def setting(name: str):
    return current_app.config.get(name, DEFAULTS[name])


# --- Payloads ----------------------------------------------------------------------------------------------------

def _heading(event: str) -> str:
    return alerts.event_labels().get(event) or (_("Test message") if event == "test" else event)


def _details(data: dict) -> list[tuple[str, str]]:
    labels = {"author": _("Author"), "tags": _("Tags"), "excerpt": _("Excerpt"), "reason": _("Reason"),
              "text": _("Comment"), "flagged_by": _("Flagged by"), "score": _("Score"), "hidden": _("Hidden"),
              "business_hours_waiting": _("Business hours without an answer")}
    details = []
    for key, value in data.items():
        # Ids are for machines (the link carries them); False and empty values say nothing to a reader.
        if key in ("title", "url") or key.endswith("_id") or value in (None, "", [], {}, False):
            continue
        if value is True:
            value = _("yes")
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(item) for item in value)
        details.append((labels.get(key) or key.replace("_", " ").capitalize(), str(value)))
    return details


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(event: str, data: dict) -> dict:
    heading, title, url = _heading(event), str(data.get("title") or ""), str(data.get("url") or "")
    link = f"<{url}|{_slack_escape(title or url)}>" if url else _slack_escape(title)
    lines = [f"*{_slack_escape(heading)}*", link]
    lines += [f"*{_slack_escape(label)}:* {_slack_escape(value)}" for label, value in _details(data)]
    return {"text": f"{_slack_escape(heading)}: {link}",
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}}]}


def chatwork_message(event: str, data: dict) -> str:
    lines = [str(data.get("title") or ""), str(data.get("url") or "")]
    lines += [f"{label}: {value}" for label, value in _details(data)]
    body = "\n".join(line for line in lines if line)
    return f"[info][title]{_heading(event)}[/title]{body}[/info]"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def build_request(webhook: Webhook, delivery: WebhookDelivery, now: float | None = None) -> tuple[bytes, dict]:
    """The raw body and headers for one delivery, in the webhook's format."""
    data = json.loads(delivery.payload or "{}")
    with force_locale(current_app.config.get("WEBHOOK_LOCALE") or current_app.config.get("BABEL_DEFAULT_LOCALE", "en")):
        if webhook.format == WebhookFormat.CHATWORK:
            body = urllib.parse.urlencode({"body": chatwork_message(delivery.event, data)}).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            if webhook.secret:
                headers["X-ChatWorkToken"] = webhook.secret
        else:
            body = json.dumps(slack_body(delivery.event, data), ensure_ascii=False).encode()
            headers = {"Content-Type": "application/json"}
            if webhook.secret:
                timestamp = str(int(now if now is not None else time.time()))
                headers["X-Kotae-Timestamp"] = timestamp
                headers["X-Kotae-Signature"] = sign(webhook.secret, timestamp, body)
    headers |= {"User-Agent": USER_AGENT, "X-Kotae-Event": delivery.event}
    return body, headers


def preview(delivery: WebhookDelivery) -> str:
    """What the delivery log shows: the message as the receiver gets it (never a header, so never the token)."""
    body, _headers = build_request(delivery.webhook, delivery, now=0)
    if delivery.webhook.format == WebhookFormat.CHATWORK:
        return urllib.parse.parse_qs(body.decode()).get("body", [""])[0]
    return json.dumps(json.loads(body), ensure_ascii=False, indent=2)


# --- HTTP --------------------------------------------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is a failure to record, not something to follow with the signed body."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post(url: str, body: bytes, headers: dict, timeout: float) -> tuple[int | None, str]:
    """POST and return (HTTP status or None, error text)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=timeout) as response:
            response.read(4096)
            return response.status, ""
    except urllib.error.HTTPError as error:
        detail = error.read(200).decode("utf-8", "replace") if error.fp else ""
        return error.code, f"HTTP {error.code} {error.reason}: {detail}".strip()[:500]
    except (urllib.error.URLError, OSError, ValueError) as error:  # refused, DNS, timeout, bad URL
        reason = getattr(error, "reason", None) or error
        return None, f"{type(error).__name__}: {reason}"[:500]


# --- Claiming and recording --------------------------------------------------------------------------------------

def backoff(attempts: int) -> float:
    base = float(setting("WEBHOOK_RETRY_BASE_SECONDS"))
    return min(base * 2 ** max(attempts - 1, 0), float(setting("WEBHOOK_RETRY_MAX_SECONDS")))


def _claim(delivery_id: int, attempts: int, due: datetime) -> bool:
    """Compare-and-set: push next_attempt_at past the send's timeout; only one claimer sees a row change."""
    lease = utcnow() + timedelta(seconds=float(setting("WEBHOOK_TIMEOUT")) + 60)
    with transaction():
        result = db.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == DeliveryStatus.PENDING,
                   WebhookDelivery.attempts == attempts, WebhookDelivery.next_attempt_at == due)
            .values(next_attempt_at=lease)
            .execution_options(synchronize_session=False)
        )
    return result.rowcount == 1


def _record(delivery_id: int, attempts: int, status: int | None, error: str) -> str:
    now, done = utcnow(), attempts + 1
    if status is not None and 200 <= status < 300:
        values = {"status": DeliveryStatus.DELIVERED, "delivered_at": now}
    elif done >= int(setting("WEBHOOK_MAX_ATTEMPTS")):
        values = {"status": DeliveryStatus.FAILED, "error": error or _("No response")}
    else:
        values = {"next_attempt_at": now + timedelta(seconds=backoff(done)), "error": error or _("No response")}
    with transaction():
        db.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.attempts == attempts)
            .values(attempts=done, response_status=status, **values)
            .execution_options(synchronize_session=False)
        )
    return values.get("status", DeliveryStatus.PENDING)


def deliver_one(delivery_id: int, attempts: int, due: datetime) -> str | None:
    """Claim, send and record one delivery; None when another worker claimed it first."""
    if not _claim(delivery_id, attempts, due):
        return None
    with transaction():  # ended before the network wait: no transaction (or SQLite lock) is held meanwhile
        delivery = db.session.get(WebhookDelivery, delivery_id, populate_existing=True)
        url = delivery.webhook.url
        try:
            body, headers = build_request(delivery.webhook, delivery)
        except Exception as error:  # a payload we cannot format must not block the queue behind it
            log.exception("webhooks: cannot build delivery %s", delivery_id)
            body, failure = None, f"Could not build the message: {error}"[:500]
    if body is None:
        return _record(delivery_id, attempts, None, failure)
    status, error = post(url, body, headers, float(setting("WEBHOOK_TIMEOUT")))
    return _record(delivery_id, attempts, status, error)


def _pending():
    """Pending deliveries of enabled webhooks (a disabled webhook's queue waits until it is enabled again)."""
    return (select(WebhookDelivery.id).join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(WebhookDelivery.status == DeliveryStatus.PENDING, Webhook.active.is_(True)))


def deliver_due(limit: int = 50) -> dict[str, int]:
    """Send every due delivery now (the sender thread and `flask webhooks deliver` both call this)."""
    counts: dict[str, int] = {}
    while True:
        with transaction():
            rows = db.session.execute(
                _pending().with_only_columns(WebhookDelivery.id, WebhookDelivery.attempts,
                                             WebhookDelivery.next_attempt_at)
                .where(WebhookDelivery.next_attempt_at <= utcnow())
                .order_by(WebhookDelivery.next_attempt_at).limit(limit)
            ).all()
        outcomes = [deliver_one(*row) for row in rows]
        for outcome in filter(None, outcomes):
            counts[outcome] = counts.get(outcome, 0) + 1
        if not any(outcomes):
            return counts


def seconds_until_next() -> float | None:
    """How long until the next pending delivery is due (None when nothing is pending)."""
    with transaction():
        due = db.session.scalar(_pending().with_only_columns(func.min(WebhookDelivery.next_attempt_at)))
    return None if due is None else max((due - utcnow()).total_seconds(), 0.0)


def retry(actor, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again now (one more attempt, even after it gave up or was delivered)."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise NotFound(_("There is no such delivery."))
    if actor is not None:
        alerts.require_admin(actor)
        log_action(actor, "webhook.retry", delivery.webhook, delivery=delivery.id, event=delivery.event)
    delivery.status = DeliveryStatus.PENDING  # a failure now gives up again at once: one more attempt only
    delivery.next_attempt_at = utcnow()
    changes().deliveries_queued = True
    return delivery


# --- The per-process sender thread ------------------------------------------------------------------------------

class Sender:
    """One daemon thread per process, started on demand and ended when idle."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        self._wake.set()
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="kotae-webhooks", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        errors = 0
        while True:
            self._wake.clear()
            try:
                with self.app.app_context():
                    deliver_due()
                    delay = seconds_until_next()
                errors = 0
            except Exception:  # a locked or unreachable database: log, wait, and give up after a few tries
                log.exception("webhooks: delivery run failed")
                errors += 1
                delay = None if errors >= 3 else 5.0 * errors
            if delay is not None:
                self._wake.wait(delay + 0.01)
            elif not self._wake.wait(_IDLE_SECONDS) and self._stop_if_idle():
                return

    def _stop_if_idle(self) -> bool:
        with self._lock:
            if self._wake.is_set():
                return False
            self._thread = None
            return True


def wake_sender(_session, record: Changes) -> None:
    """The commit step that wakes the delivery thread when this transaction queued deliveries (it only sets an
    event: the request never waits for delivery)."""
    if record.deliveries_queued and has_app_context():
        sender = current_app.extensions.get("kotae_webhooks")
        if sender is not None and setting("WEBHOOK_SENDER_THREAD"):
            sender.wake()


def init_app(app: Flask) -> None:
    app.extensions["kotae_webhooks"] = Sender(app)
