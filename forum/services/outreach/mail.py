"""E-mail: written in the request's transaction, sent after the commit by one background thread per app.

- `queue()` adds an `OutgoingEmail` row (rendered in the recipient's language) and records it in the unit of
  work's `Changes`; the row commits or rolls back with the notification that caused it.
- the `hand_over` commit step gives the new ids to the app's `Sender` thread; a request never waits for SMTP.
- `deliver()` claims each row (attempts + 1, committed before talking to SMTP, so two senders never send one
  row twice and no write lock is held during SMTP), sends it and sets `sent_at`, or keeps `last_error`.
  The thread retries failures with a doubling delay, up to MAIL_MAX_ATTEMPTS; `flask mail send` sends
  whatever is left (e.g. after a restart).
"""
from __future__ import annotations

import heapq
import logging
import smtplib
import ssl
import threading
import time
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr

from flask import Flask, current_app, has_app_context, has_request_context, render_template
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import inspect, select, update

from ...extensions import db
from ...i18n import translated_in
from ...unit_of_work import Changes, changes, transaction
from ...models import OutgoingEmail, User, utcnow
from ..branding import get_branding

log = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "kotae-unsubscribe"
# Reserved top-level domains (RFC 2606/6761): imported accounts get addresses like se-site-1@import.invalid.
UNDELIVERABLE = (".invalid", ".test", ".example", ".localhost")


def enabled() -> bool:
    return has_app_context() and bool(current_app.config.get("MAIL_SERVER"))


def looks_deliverable(address: str | None) -> bool:
    """A plausible address on a real domain (whether its owner confirmed it is `User.email_verified_at`)."""
    if not address or address.count("@") != 1 or any(ch in address for ch in " \r\n<>"):
        return False
    domain = address.rsplit("@", 1)[1].lower().rstrip(".")
    return "." in domain and not domain.endswith(UNDELIVERABLE)


def absolute_url(path: str) -> str:
    return current_app.config["SITE_URL"].rstrip("/") + path


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user_id: int) -> str:
    return _serializer().dumps(user_id)


def user_id_from_token(token: str) -> int | None:
    """The user id a token was signed for, or None when it is forged or mangled."""
    try:
        value = _serializer().loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def unsubscribe_path(user_id: int) -> str:
    return f"/unsubscribe/{unsubscribe_token(user_id)}"


def user_locale(locale: str | None):
    """Render in the recipient's language, even inside a request in someone else's language (forum/i18n.py owns
    the request's catalogue and puts it back afterwards)."""
    return translated_in(locale or "")


def render(user: User, template: str, **context) -> tuple[str, str]:
    """(subject, body) from templates/email/<template>.subject.txt and .txt, in the user's language."""
    context.update(user=user, site_url=absolute_url(""), unsubscribe_url=absolute_url(unsubscribe_path(user.id)))
    with user_locale(user.locale):
        subject = render_template(f"email/{template}.subject.txt", **context)
        body = render_template(f"email/{template}.txt", **context)
    return " ".join(subject.split())[:200], body


def queue(user: User, template: str, to: str | None = None, **context) -> OutgoingEmail:
    """Write an e-mail to `user` in the caller's transaction; it is sent after the commit.

    `to` sends it to another address than the account's, in the user's language (a new address to confirm)."""
    subject, body = render(user, template, **context)
    email = OutgoingEmail(to_address=to or user.email, subject=subject, body=body, created_at=utcnow())
    db.session.add(email)
    changes().emails.append(email)
    return email


# --- After the commit ---

def hand_over(_session, record: Changes) -> None:
    """The commit step that gives this transaction's e-mails to the sender thread (only requests hand over:
    CLI commands send synchronously with `flask mail send` and then exit)."""
    if not record.emails or not has_request_context() or not enabled():
        return
    ids = [identity[0] for identity in (inspect(email).identity for email in record.emails) if identity]
    sender = current_app.extensions.get("kotae_mail")
    if sender is not None and ids:
        sender.submit(ids)


class Sender:
    """One daemon thread per app, started on first use, woken by `submit`; keeps its own retry schedule."""

    def __init__(self, app: Flask):
        self.app = app
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._incoming: list[int] = []
        self._retries: list[tuple[float, int]] = []  # (monotonic due time, email id), a heap
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._crashes: dict[int, int] = {}  # email id -> batches that failed before SMTP (e.g. database away)

    def submit(self, ids: list[int]) -> None:
        with self._lock:
            self._incoming.extend(ids)
            if self._thread is None or not self._thread.is_alive():
                self._stopped = False
                self._thread = threading.Thread(target=self._run, name="kotae-mail", daemon=True)
                self._thread.start()
        self._wake.set()

    def stop(self, timeout: float = 5) -> None:
        self._stopped = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopped:
            self._wake.wait(self._next_timeout())
            self._wake.clear()
            ids = self._take_due()
            if not ids or self._stopped:
                continue
            try:
                with self.app.app_context():
                    report = deliver(ids)
            except Exception:  # e.g. the database is away: try these again later, a limited number of times
                log.exception("mail: sending %d e-mail(s) failed", len(ids))
                for email_id in ids:
                    self._crashes[email_id] = self._crashes.get(email_id, 0) + 1
                report = DeliveryReport(failed=[(email_id, self._crashes[email_id]) for email_id in ids])
            self._schedule(report.failed)

    def _next_timeout(self) -> float | None:
        with self._lock:
            if self._incoming:
                return 0
            return max(self._retries[0][0] - time.monotonic(), 0) if self._retries else None

    def _take_due(self) -> list[int]:
        now = time.monotonic()
        with self._lock:
            ids, self._incoming = self._incoming, []
            while self._retries and self._retries[0][0] <= now:
                ids.append(heapq.heappop(self._retries)[1])
        return ids

    def _schedule(self, failed: list[tuple[int, int]]) -> None:
        config = self.app.config
        with self._lock:
            for email_id, attempts in failed:
                if attempts < config["MAIL_MAX_ATTEMPTS"]:
                    delay = config["MAIL_RETRY_DELAY"] * 2 ** (attempts - 1)
                    heapq.heappush(self._retries, (time.monotonic() + delay, email_id))


def init_app(app: Flask) -> None:
    app.extensions["kotae_mail"] = Sender(app)


# --- Sending ---

class DeliveryReport:
    def __init__(self, sent: list[int] | None = None, failed: list[tuple[int, int]] | None = None):
        self.sent = sent or []
        self.failed = failed or []  # (email id, attempts so far)


def pending_ids() -> list[int]:
    """Unsent e-mails that still have attempts left, oldest first."""
    return list(db.session.scalars(
        select(OutgoingEmail.id).where(OutgoingEmail.sent_at.is_(None),
                                       OutgoingEmail.attempts < current_app.config["MAIL_MAX_ATTEMPTS"])
        .order_by(OutgoingEmail.id)))


def last_error(email_id: int) -> str:
    return db.session.scalar(select(OutgoingEmail.last_error).where(OutgoingEmail.id == email_id)) or ""


def deliver(ids: list[int]) -> DeliveryReport:
    """Send these e-mails over one SMTP connection; each is claimed first, so no one else sends it too."""
    report = DeliveryReport()
    claimed = [email for email in (_claim(email_id) for email_id in ids) if email is not None]
    if not claimed:
        return report
    try:
        connection = _connect()
    except (OSError, smtplib.SMTPException) as error:
        for email in claimed:
            _failed(email, error, report)
        return report
    try:
        unsubscribe = _unsubscribe_urls([email.to_address for email in claimed])
        sender = from_header()
        for email in claimed:
            try:
                connection.send_message(build_message(email, unsubscribe.get(email.to_address.lower()), sender))
            except (OSError, smtplib.SMTPException) as error:
                _failed(email, error, report)
            else:
                with transaction():
                    email.sent_at = utcnow()
                report.sent.append(email.id)
    finally:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()
    return report


def _claim(email_id: int) -> OutgoingEmail | None:
    with transaction():  # ended before SMTP: holding a write lock during a slow send would block the site
        email = db.session.get(OutgoingEmail, email_id)
        if email is None or email.sent_at is not None or email.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
            return None
        seen = email.attempts
        claimed = db.session.execute(
            update(OutgoingEmail).where(OutgoingEmail.id == email_id, OutgoingEmail.sent_at.is_(None),
                                        OutgoingEmail.attempts == seen)
            .values(attempts=seen + 1).execution_options(synchronize_session=False)).rowcount
    return email if claimed == 1 else None


def _failed(email: OutgoingEmail, error: Exception, report: DeliveryReport) -> None:
    log.warning("mail: sending e-mail %s to %s failed: %s", email.id, email.to_address, error)
    with transaction():
        email.last_error = str(error)[:500] or type(error).__name__
    report.failed.append((email.id, email.attempts))


def _connect() -> smtplib.SMTP:
    config = current_app.config
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), float(config["MAIL_TIMEOUT"])
    if config.get("MAIL_USE_SSL"):
        connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
        if config.get("MAIL_USE_TLS"):
            connection.starttls(context=ssl.create_default_context())
    if config.get("MAIL_USERNAME"):
        connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return connection


def _unsubscribe_urls(addresses: list[str]) -> dict[str, str]:
    """The one-click unsubscribe URL for each address that belongs to an account (one query)."""
    rows = db.session.execute(select(User.id, User.email).where(User.email.in_({a.lower() for a in addresses})))
    return {email.lower(): absolute_url(unsubscribe_path(user_id) + "/one-click") for user_id, email in rows}


def from_header() -> str:
    """MAIL_DEFAULT_SENDER; a bare address gets the site's name (the branding) as its display name."""
    configured = current_app.config["MAIL_DEFAULT_SENDER"]
    name, address = parseaddr(configured)
    if name or not address:
        return configured
    return formataddr((get_branding().name(current_app.config["BABEL_DEFAULT_LOCALE"]), address))


def build_message(email: OutgoingEmail, unsubscribe_url: str | None = None, sender: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender or current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Message-ID"] = make_msgid(domain="kotae")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    if unsubscribe_url:
        # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" to this URL.
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(email.body)
    return message
