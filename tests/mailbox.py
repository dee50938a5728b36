"""E-mail on in a test: a real SMTP server (aiosmtpd) receives what the background sender sends, and `outbox()`
reads the rows the requests wrote. Import the fixtures into a test module to use them:
`from tests.mailbox import MAIL_CONFIG, smtp, smtp_handler, stop_sender  # noqa: F401` and override app_config."""
import re
import socket
import time
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from forum.extensions import db
from forum.models import OutgoingEmail

SITE = "https://kotae.example"
MAIL_CONFIG = {"PRIVILEGE_PRESET": "small", "MAIL_SERVER": "127.0.0.1", "SITE_URL": SITE, "MAIL_RETRY_DELAY": 0.2,
               "MAIL_TIMEOUT": 3}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives; `refusals` first answers 451 that many times."""

    def __init__(self, refusals: int = 0):
        self.messages, self.envelopes, self.refusals = [], [], refusals

    async def handle_DATA(self, server, session, envelope):
        if self.refusals:
            self.refusals -= 1
            return "451 Try again later"
        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} e-mail(s) arrived"
        return self.messages


@pytest.fixture
def smtp_handler():
    return Inbox()


@pytest.fixture
def smtp(smtp_handler):
    controller = Controller(smtp_handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture(autouse=True)
def stop_sender(app, served_app):
    """The sender threads end with the test."""
    yield
    for each in (app, served_app):
        each.extensions["kotae_mail"].stop()


def outbox(to: str | None = None) -> list[OutgoingEmail]:
    """The e-mails written so far (to one address, if given), oldest first."""
    db.session.expire_all()
    query = select(OutgoingEmail).order_by(OutgoingEmail.id)
    if to is not None:
        query = query.where(OutgoingEmail.to_address == to)
    return list(db.session.scalars(query))


def link_in(email: OutgoingEmail, path: str) -> str:
    """The site-relative link starting with `path` in an e-mail's body."""
    match = re.search(re.escape(SITE + path) + r"(\S+)", email.body)
    assert match, f"no {path} link in: {email.body}"
    return path + match.group(1)
