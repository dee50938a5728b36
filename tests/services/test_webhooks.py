"""Webhook delivery against a real local HTTP server: payloads, signatures, retries, dedup, one send per claim."""
import hashlib
import hmac
import json
import threading
import time
from datetime import datetime, timedelta
from urllib.parse import parse_qs

import pytest
from sqlalchemy import func, select

from forum.models import DeliveryStatus, Role, WebhookDelivery, WebhookEvent, WebhookFormat, utcnow
from forum.extensions import db
from forum.services.outreach import alerts, webhooks
from forum.unit_of_work import changes
from tests.factories import make_answer, make_question, make_user
from tests.helpers import counted_statements
from tests.webhook_server import Receiver, dead_url


@pytest.fixture
def app_config():
    return {"PRIVILEGE_PRESET": "small", "WEBHOOK_SENDER_THREAD": False, "WEBHOOK_RETRY_BASE_SECONDS": 0.1,
            "WEBHOOK_TIMEOUT": 1, "WEBHOOK_MAX_ATTEMPTS": 3, "SITE_URL": "https://support.example.com",
            "FAQ_CANDIDATE_RULES": {"min_question_score": 0, "min_answer_score": 0, "min_age_days": 0}}


@pytest.fixture
def receiver():
    with Receiver() as server:
        yield server


@pytest.fixture
def admin(db):
    return make_user(role=Role.ADMIN)


def add_webhook(admin, url, fmt=WebhookFormat.SLACK, events=(WebhookEvent.QUESTION_NEW,), secret=""):
    webhook = alerts.create_webhook(admin, "Support channel", url, fmt, list(events), secret)
    db.session.commit()
    return webhook


def deliveries(db):
    db.session.expire_all()
    return db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()


def test_slack_payload_is_signed_and_verifies(db, admin, receiver):
    add_webhook(admin, receiver.url, secret="s3cret")
    question = make_question(title="Sync stops after five minutes on Windows", tags="sync windows")
    assert webhooks.deliver_due() == {"delivered": 1}
    request = receiver.requests[0]
    headers, body = request["headers"], request["body"]
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "Kotae-Webhooks/1"
    assert headers["X-Kotae-Event"] == "question.new"
    payload = json.loads(body)
    url = f"https://support.example.com/questions/{question.id}/{question.slug}"
    assert payload["text"] == f"New question: <{url}|Sync stops after five minutes on Windows>"
    section = payload["blocks"][0]
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert "sync, windows" in section["text"]["text"] and question.author.username in section["text"]["text"]
    # What a receiver does: recompute the HMAC over "timestamp.body" and compare in constant time.
    timestamp = headers["X-Kotae-Timestamp"]
    expected = "sha256=" + hmac.new(b"s3cret", timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Kotae-Signature"], expected)
    assert abs(int(timestamp) - time.time()) < 60
    [delivery] = deliveries(db)
    assert (delivery.status, delivery.response_status, delivery.attempts) == ("delivered", 200, 1)
    assert delivery.delivered_at is not None


def test_unsigned_slack_payload_has_no_signature(db, admin, receiver):
    add_webhook(admin, receiver.url)
    make_question()
    webhooks.deliver_due()
    assert "X-Kotae-Signature" not in receiver.requests[0]["headers"]


def test_chatwork_gets_a_form_body_and_the_token_header(db, admin, receiver):
    add_webhook(admin, receiver.url, fmt=WebhookFormat.CHATWORK, secret="cw-token-123")
    question = make_question(title="ログインできません。エラー E1023 が出ます")
    webhooks.deliver_due()
    request = receiver.requests[0]
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert request["headers"]["X-ChatWorkToken"] == "cw-token-123"
    assert "X-Kotae-Signature" not in request["headers"]
    message = parse_qs(request["body"].decode())["body"][0]
    assert message.startswith("[info][title]New question[/title]ログインできません。エラー E1023 が出ます\n")
    assert f"/questions/{question.id}/" in message and message.endswith("[/info]")


def test_retry_after_a_500_ends_delivered(db, admin, receiver):
    receiver.statuses = [500]
    add_webhook(admin, receiver.url)
    make_question()
    webhooks.deliver_due()
    [delivery] = deliveries(db)
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 500)
    assert "500" in delivery.error
    assert delivery.next_attempt_at > utcnow() - timedelta(seconds=1)
    time.sleep(0.15)  # WEBHOOK_RETRY_BASE_SECONDS
    assert webhooks.deliver_due() == {"delivered": 1}
    [delivery] = deliveries(db)
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 2, 200)
    assert [r["status"] for r in receiver.requests] == [500, 200]


def test_gives_up_after_the_last_attempt_and_retry_sends_again(db, admin, receiver):
    receiver.statuses = [503, 503, 503]
    add_webhook(admin, receiver.url)
    make_question()
    for _ in range(3):
        webhooks.deliver_due()
        time.sleep(0.45)  # backoff 0.1, 0.2 s
    [delivery] = deliveries(db)
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("failed", 3, 503)
    webhooks.retry(admin, delivery.id)
    db.session.commit()
    assert webhooks.deliver_due() == {"delivered": 1}
    assert deliveries(db)[0].attempts == 4


def test_dead_endpoint_is_recorded_not_raised(db, admin):
    add_webhook(admin, dead_url())
    make_question()
    assert webhooks.deliver_due() == {"pending": 1}
    [delivery] = deliveries(db)
    assert delivery.response_status is None and delivery.attempts == 1
    assert "refused" in delivery.error.lower() or "error" in delivery.error.lower()


def test_redirects_are_failures_not_followed(db, admin, receiver):
    receiver.statuses = [302]
    add_webhook(admin, receiver.url)
    make_question()
    webhooks.deliver_due()
    assert deliveries(db)[0].response_status == 302
    assert len(receiver.requests) == 1


def test_same_event_twice_is_queued_once(db, admin, receiver):
    add_webhook(admin, receiver.url, events=(WebhookEvent.FLAG_NEW,))
    alerts.emit(WebhookEvent.FLAG_NEW, "flag:1", {"title": "Spam"})
    db.session.commit()
    alerts.emit(WebhookEvent.FLAG_NEW, "flag:1", {"title": "Spam"})
    alerts.emit(WebhookEvent.FLAG_NEW, "flag:1", {"title": "Spam"})
    db.session.commit()
    assert len(deliveries(db)) == 1
    assert alerts.emit(WebhookEvent.QUESTION_NEW, "question-new:99", {}) == []  # nobody listens


def test_inactive_webhooks_and_other_events_get_nothing(db, admin, receiver):
    webhook = add_webhook(admin, receiver.url, events=(WebhookEvent.FAQ_NEEDS_REVIEW,))
    make_question()
    alerts.set_active(admin, webhook, False)
    db.session.commit()
    alerts.emit(WebhookEvent.FAQ_NEEDS_REVIEW, "faq:1", {"title": "Entry"})
    db.session.commit()
    assert deliveries(db) == []


def test_two_concurrent_claimers_send_once(app, db, admin, receiver):
    receiver.delay = 0.3
    add_webhook(admin, receiver.url)
    make_question()
    barrier = threading.Barrier(2)
    results = []

    def worker():
        with app.app_context():
            barrier.wait()
            results.append(webhooks.deliver_due())

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    time.sleep(0.1)
    assert len(receiver.requests) == 1
    assert sorted(map(len, results)) == [0, 1]
    assert deliveries(db)[0].attempts == 1


def test_a_stale_claim_changes_nothing(db, admin, receiver):
    add_webhook(admin, receiver.url)
    make_question()
    [delivery] = deliveries(db)
    due = delivery.next_attempt_at
    assert webhooks.deliver_one(delivery.id, 0, due) == "delivered"
    assert webhooks.deliver_one(delivery.id, 0, due) is None  # someone else's (or an old) view of the row
    assert len(receiver.requests) == 1


def test_unanswered_scan_uses_business_hours_and_fires_once(app, db, admin, receiver):
    add_webhook(admin, receiver.url, events=(WebhookEvent.QUESTION_UNANSWERED,))
    # Monday 2026-11-23 00:00 UTC = 09:00 JST: the support day starts.
    old = make_question(title="Asked at the start of the support day")
    answered = make_question(title="Asked and answered the same morning")
    make_answer(answered)
    for question in (old, answered):
        question.created_at = datetime(2026, 11, 23, 0, 0)
    db.session.commit()
    three_hours = alerts.scan(now=datetime(2026, 11, 23, 3, 0))
    assert three_hours[WebhookEvent.QUESTION_UNANSWERED] == 0
    assert alerts.scan(now=datetime(2026, 11, 23, 4, 0))[WebhookEvent.QUESTION_UNANSWERED] == 1
    db.session.commit()
    assert alerts.scan(now=datetime(2026, 11, 23, 6, 0))[WebhookEvent.QUESTION_UNANSWERED] == 0
    db.session.commit()
    [delivery] = deliveries(db)
    assert delivery.dedup_key == f"question-unanswered:{old.id}"
    webhooks.deliver_due()
    assert "Question still unanswered" in json.loads(receiver.requests[0]["body"])["text"]


def test_unanswered_scan_skips_weekends_and_old_questions(app, db, admin, receiver):
    add_webhook(admin, receiver.url, events=(WebhookEvent.QUESTION_UNANSWERED,))
    friday_evening = make_question(title="Asked on Friday evening in Tokyo")
    ancient = make_question(title="Asked long ago and forgotten")
    hidden, closed = make_question(title="Spam hidden by flags"), make_question(title="Closed as off topic")
    friday_evening.created_at = datetime(2026, 11, 27, 8, 0)  # 17:00 JST
    ancient.created_at = datetime(2026, 9, 1, 0, 0)
    for question in (hidden, closed):
        question.created_at = friday_evening.created_at
    hidden.hidden_at, closed.closed_at = utcnow(), utcnow()
    db.session.commit()
    # Monday 11:00 JST: 1 h on Friday + 2 h on Monday = 3 h, though 66 h have passed.
    assert alerts.scan(now=datetime(2026, 11, 30, 2, 0))[WebhookEvent.QUESTION_UNANSWERED] == 0
    assert alerts.scan(now=datetime(2026, 11, 30, 3, 0))[WebhookEvent.QUESTION_UNANSWERED] == 1


def test_scan_runs_a_bounded_number_of_queries(app, db, admin, receiver):
    add_webhook(admin, receiver.url, events=(WebhookEvent.QUESTION_UNANSWERED,))
    for n in range(6):
        make_question(title=f"Unanswered question number {n} here")
    db.session.commit()
    with counted_statements() as statements:
        counts = alerts.scan(now=utcnow() + timedelta(days=3))
    assert counts[WebhookEvent.QUESTION_UNANSWERED] == 6
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 5


def test_cli_deliver_and_retry(app, db, admin, receiver, runner):
    receiver.statuses = [500]
    add_webhook(admin, receiver.url)
    make_question()
    result = runner.invoke(args=["webhooks", "deliver"])
    assert "1 pending" in result.output
    [delivery] = deliveries(db)
    result = runner.invoke(args=["webhooks", "retry", str(delivery.id)])
    assert "delivered" in result.output and result.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)
                             .filter_by(status=DeliveryStatus.DELIVERED)) == 1
    assert runner.invoke(args=["webhooks", "retry", "999"]).exit_code != 0
    assert "queued" in runner.invoke(args=["alerts", "scan"]).output


def test_scan_queues_faq_candidates_once(app, db, admin, receiver):
    add_webhook(admin, receiver.url, events=(WebhookEvent.FAQ_CANDIDATE,))
    solved = make_question(title="How do I export notes as PDF files?")
    make_answer(solved)
    make_question(title="A question nobody has answered yet")
    assert alerts.scan(now=utcnow() + timedelta(minutes=1))[WebhookEvent.FAQ_CANDIDATE] == 1
    db.session.commit()
    assert alerts.scan(now=utcnow() + timedelta(minutes=2))[WebhookEvent.FAQ_CANDIDATE] == 0
    db.session.commit()
    [delivery] = deliveries(db)
    assert delivery.dedup_key == f"faq-candidate:{solved.id}"
    webhooks.deliver_due()
    assert "New FAQ candidate" in json.loads(receiver.requests[0]["body"])["text"]


def test_messages_leave_out_ids_and_empty_values(app):
    body = webhooks.slack_body(WebhookEvent.FLAG_NEW, {
        "flag_id": 7, "post_id": 3, "title": "Spam <b>here</b>", "reason": "spam", "text": "",
        "flagged_by": "aoi", "url": "https://x.example/q/3", "hidden": False})
    text = body["blocks"][0]["text"]["text"]
    assert body["text"] == "New flag: <https://x.example/q/3|Spam &lt;b&gt;here&lt;/b&gt;>"
    assert "*Reason:* spam" in text and "*Flagged by:* aoi" in text
    assert "7" not in text and "Hidden" not in text and "Comment" not in text


def test_disabled_webhooks_keep_their_queue_until_enabled(db, admin, receiver):
    webhook = add_webhook(admin, receiver.url)
    make_question()
    alerts.set_active(admin, webhook, False)
    db.session.commit()
    assert webhooks.deliver_due() == {} and webhooks.seconds_until_next() is None
    alerts.set_active(admin, webhook, True)
    db.session.commit()
    assert webhooks.seconds_until_next() == 0 and webhooks.deliver_due() == {"delivered": 1}


def test_an_unreadable_payload_is_recorded_and_does_not_block_the_queue(db, admin, receiver):
    add_webhook(admin, receiver.url)
    make_question()
    make_question(title="A second question waiting behind it")
    first = deliveries(db)[0]
    first.payload = "{broken"
    db.session.commit()
    assert webhooks.deliver_due() == {"pending": 1, "delivered": 1}
    assert "Could not build the message" in deliveries(db)[0].error


def test_a_rolled_back_event_is_never_sent(db, admin, receiver):
    add_webhook(admin, receiver.url, events=(WebhookEvent.FLAG_NEW,))
    alerts.emit(WebhookEvent.FLAG_NEW, "flag:9", {"title": "Spam"})
    db.session.rollback()
    assert not changes().deliveries_queued
    assert deliveries(db) == [] and webhooks.deliver_due() == {}
    assert receiver.requests == []
