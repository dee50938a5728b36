"""E-mail against a real SMTP server (aiosmtpd) started by the test: sent after the commit, never in the request."""
import socket
import time

import pytest
from flask import render_template_string
from sqlalchemy import select

from forum.extensions import db
from forum.i18n import request_translations
from forum.models import Notification, OutgoingEmail, User
from forum.services.outreach import mail, notifications
from tests.factories import make_answer, make_question, make_user
from tests.helpers import csrf_token, login, post_form, question_url, text
from tests.mailbox import SITE, free_port, smtp, smtp_handler  # noqa: F401  (smtp fixtures)

ANSWER = "Sign out, sign in again and then re-run the sync from the menu."


@pytest.fixture
def app_config(smtp):
    return {"PRIVILEGE_PRESET": "small", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port, "SITE_URL": SITE,
            "MAIL_RETRY_DELAY": 0.2, "MAIL_TIMEOUT": 3, "BADGE_THRESHOLDS": {"enlightened": 0}}


@pytest.fixture(autouse=True)
def stop_sender(app, served_app):
    yield
    served_app.extensions["kotae_mail"].stop()


def answer_as(client, user, question):
    login(client, user)
    response = post_form(client, f"/questions/{question.id}/answer", {"body": ANSWER}, page=question_url(question))
    assert response.status_code == 302, text(response)[:300]
    return response


def emails() -> list[OutgoingEmail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutgoingEmail).order_by(OutgoingEmail.id)))


def test_an_answer_emails_the_asker_from_the_background_sender(client, smtp_handler):
    asker = make_user(username="asker", email="asker@example.com")
    question = make_question(author=asker, title="Sync stops after five minutes")
    answer_as(client, make_user(username="aoi"), question)
    [message] = smtp_handler.wait_for(1)
    [envelope] = smtp_handler.envelopes
    assert envelope.rcpt_tos == ["asker@example.com"]
    assert message["Subject"] == "[Kotae] aoi answered your question: Sync stops after five minutes"
    assert message["From"] == "Kotae <noreply@localhost>"
    body = message.get_content()
    answer_id = db.session.scalar(select(Notification.post_id))
    assert f"{SITE}/answers/{answer_id}" in body
    token = mail.unsubscribe_token(asker.id)
    assert f"{SITE}/unsubscribe/{token}" in body
    assert message["List-Unsubscribe"].strip() == f"<{SITE}/unsubscribe/{token}/one-click>"  # may be folded
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [row] = emails()
    assert row.sent_at is not None and row.attempts == 1


@pytest.mark.parametrize("server", ["closed port", "silent server"])
def test_a_request_never_waits_for_smtp(client, app, server):
    """The POST returns at once even when SMTP refuses connections or accepts them and never answers."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        if server == "silent server":
            silent.listen(5)  # connects, then the greeting never comes (MAIL_TIMEOUT is 3 s)
        client.application.config["MAIL_PORT"] = silent.getsockname()[1]
        question = make_question(author=make_user())
        login(client, make_user())
        token = csrf_token(client, question_url(question))
        started = time.monotonic()
        response = client.post(f"/questions/{question.id}/answer", data={"body": ANSWER, "csrf_token": token})
        assert response.status_code == 302
        assert time.monotonic() - started < 1.5
        [row] = emails()
        assert row.sent_at is None  # still pending: the sender works on it in the background


def test_a_refused_e_mail_is_retried_and_then_delivered(client, smtp_handler):
    smtp_handler.refusals = 1
    asker = make_user(email="asker@example.com")
    answer_as(client, make_user(), make_question(author=asker))
    smtp_handler.wait_for(1)
    deadline = time.monotonic() + 5
    while emails()[0].sent_at is None and time.monotonic() < deadline:
        time.sleep(0.05)
    [row] = emails()
    assert row.sent_at is not None and row.attempts == 2
    assert "451" in row.last_error


def test_delivery_gives_up_after_the_maximum_attempts(app, runner):
    app.config.update(MAIL_PORT=free_port(), MAIL_MAX_ATTEMPTS=2)
    make_answer(make_question(author=make_user()))
    db.session.commit()
    [row] = emails()
    result = runner.invoke(args=["mail", "send"])
    assert f"E-mail {row.id} failed (attempt 1): " in result.output and "1 failed" in result.output
    report = mail.deliver([row.id])
    assert report.failed == [(row.id, 2)]
    assert mail.deliver([row.id]).failed == [] and mail.pending_ids() == []
    assert emails()[0].attempts == 2 and emails()[0].last_error


def test_only_instant_users_with_a_real_address_get_instant_mail(app):
    daily, off = make_user(), make_user()
    imported = make_user(email="se-site-7@import.invalid")
    daily.email_notifications, off.email_notifications = "daily", "off"
    for asker in (daily, off, imported):
        make_answer(make_question(author=asker))
    db.session.commit()
    assert emails() == []
    assert db.session.scalar(select(Notification.id).where(Notification.emailed_at.is_not(None))) is None


def test_cli_send_delivers_what_is_pending(app, runner, smtp_handler):
    asker = make_user(email="cron@example.com")
    make_answer(make_question(author=asker))
    db.session.commit()  # no request: nothing is handed to a background thread
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 e-mail(s); 0 failed" in result.output
    assert smtp_handler.envelopes[0].rcpt_tos == ["cron@example.com"]
    assert "Sent 0 e-mail(s)" in runner.invoke(args=["mail", "send"]).output


def test_daily_digest_groups_unread_notifications_into_one_mail(app, runner, smtp_handler):
    asker = make_user(username="digester", email="digest@example.com")
    asker.email_notifications = "daily"
    first = make_question(author=asker, title="First question about sync")
    second = make_question(author=asker, title="Second question about sync")
    make_answer(first, author=make_user(username="aoi")), make_answer(second, author=make_user(username="kenji"))
    read = make_answer(second)
    db.session.commit()
    notifications.open_notification(asker, db.session.scalar(
        select(Notification.id).where(Notification.post_id == read.id)))
    db.session.commit()
    result = runner.invoke(args=["mail", "digest"])
    assert result.exit_code == 0, result.output
    assert "Queued 1 digest(s); sent 1 e-mail(s)" in result.output
    [message] = smtp_handler.messages
    assert message["Subject"] == "[Kotae] 2 new notifications"
    body = message.get_content()
    assert "aoi answered your question: First question about sync" in body
    assert "kenji answered your question: Second question about sync" in body
    assert f"{SITE}/unsubscribe/{mail.unsubscribe_token(asker.id)}" in body
    assert message["List-Unsubscribe"]
    assert "Queued 0 digest(s)" in runner.invoke(args=["mail", "digest"]).output  # each item is mailed once


def test_a_japanese_reader_gets_mail_in_japanese_from_an_english_request(client, smtp_handler):
    """The English asker accepts; the Japanese answerer's mail is rendered in Japanese.

    Only the badge names are translated so far: once the inbox strings are in the catalog, the sentences
    and the footer follow the same path.
    """
    asker, answerer = make_user(username="asker"), make_user(username="hana", email="hana@example.jp")
    answerer.locale = "ja"
    question = make_question(author=asker)
    answer = make_answer(question, author=answerer)
    db.session.commit()
    login(client, asker)
    response = post_form(client, f"/answers/{answer.id}/accept", page=question_url(question),
                         headers={"Accept-Language": "en"})
    assert response.status_code == 302
    def hanas_subjects():
        return [message["Subject"] for message in smtp_handler.messages if message["To"] == "hana@example.jp"]

    deadline = time.monotonic() + 10  # hana gets "accepted" and the Enlightened badge (the asker maybe Scholar)
    while len(hanas_subjects()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any("啓蒙者" in subject for subject in hanas_subjects()), hanas_subjects()  # "Enlightened"


def test_rendering_for_another_locale_leaves_the_request_in_its_own(app):
    user = make_user()
    user.locale = "ja"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        before = render_template_string("{{ _('Badges') }}")
        with mail.user_locale("ja"):
            assert render_template_string("{{ _('Badges') }}") == "バッジ"
        assert render_template_string("{{ _('Badges') }}") == before == "Badges"
        assert request_translations().gettext("Badges") == "Badges"  # the request's own cached catalogue is back


def test_tokens_name_one_user_and_cannot_be_forged(app):
    user = make_user()
    token = mail.unsubscribe_token(user.id)
    assert mail.user_id_from_token(token) == user.id
    assert mail.user_id_from_token(token[:-2] + "xx") is None
    assert mail.user_id_from_token("not-a-token") is None
    assert db.session.get(User, user.id).email_notifications == "instant"


@pytest.mark.parametrize("address, ok", [("a@example.com", True), ("x@import.invalid", False), ("nobody", False),
                                         ("a@localhost", False), ("two@@example.com", False)])
def test_only_plausible_addresses_are_mailed(address, ok):
    assert mail.looks_deliverable(address) is ok
