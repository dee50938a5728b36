"""/admin/webhooks and /admin/settings through HTTP: who may do what, audit rows, secrets never shown, 400s.

Also the promise that matters most: a dead or slow chat endpoint never slows or breaks the request that
caused the alert (the question is saved and the page answers at once; delivery happens in the background).
"""
import json
import time

import pytest
from sqlalchemy import event, func, select

from forum.models import AuditLogEntry, Question, Role, SiteSetting, Webhook, WebhookDelivery, WebhookEvent
from forum.services.outreach import alerts
from tests.factories import make_user
from tests.helpers import SAMPLE_BODY, SAMPLE_TITLE, ask, csrf_token, login, post_form, text
from tests.webhook_server import Receiver, dead_url


@pytest.fixture
def app_config():
    return {"PRIVILEGE_PRESET": "small", "WEBHOOK_TIMEOUT": 3, "WEBHOOK_RETRY_BASE_SECONDS": 30,
            "WEBHOOK_SENDER_THREAD": True}


@pytest.fixture
def receiver():
    with Receiver() as server:
        yield server


def count(db, model, **filters) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**filters))


def make_webhook(db, url="https://chat.example.com/hook", events=(WebhookEvent.QUESTION_NEW,), secret=""):
    admin = make_user(role=Role.ADMIN)
    webhook = alerts.create_webhook(admin, "Support channel", url, "slack", list(events), secret)
    db.session.commit()
    return webhook


def webhook_form(**overrides) -> dict:
    return {"name": "Support channel", "url": "https://chat.example.com/hook", "format": "slack",
            "events": ["question.new", "flag.new"], "secret": ""} | overrides


STAFF_POSTS = ["/admin/webhooks", "/admin/webhooks/{id}/edit", "/admin/webhooks/{id}/disable",
               "/admin/webhooks/{id}/delete", "/admin/webhooks/{id}/test", "/admin/webhooks/deliveries/{d}/retry",
               "/admin/settings/hours", "/admin/settings/guidelines"]
STAFF_GETS = ["/admin/webhooks", "/admin/webhooks/{id}/edit", "/admin/webhooks/{id}/deliveries",
              "/admin/settings/hours", "/admin/settings/guidelines"]


def test_members_are_refused_everywhere(client, db):
    webhook = make_webhook(db)
    delivery = alerts.send_test(make_user(role=Role.ADMIN), webhook)
    db.session.commit()
    login(client, make_user())
    for path in STAFF_GETS:
        assert client.get(path.format(id=webhook.id)).status_code == 403, path
    for path in STAFF_POSTS:
        response = post_form(client, path.format(id=webhook.id, d=delivery.id), webhook_form(), page="/")
        assert response.status_code == 403, path
    assert count(db, Webhook, active=True) == 1 and count(db, SiteSetting) == 0


def test_moderators_may_look_but_not_change(client, db):
    webhook = make_webhook(db, secret="topsecret")
    login(client, make_user(role=Role.MODERATOR))
    page = client.get("/admin/webhooks")
    assert page.status_code == 200 and "Support channel" in text(page)
    assert "Only administrators can add or change webhooks." in text(page)
    assert client.get(f"/admin/webhooks/{webhook.id}/deliveries").status_code == 200
    response = post_form(client, "/admin/webhooks", webhook_form(name="Mine"), page="/admin/webhooks")
    assert response.status_code == 403 and "Only administrators" in text(response)
    for path in ["/admin/webhooks/{id}/delete", "/admin/webhooks/{id}/disable", "/admin/webhooks/{id}/test"]:
        assert post_form(client, path.format(id=webhook.id), page="/admin/webhooks").status_code == 403
    assert client.get(f"/admin/webhooks/{webhook.id}/edit").status_code == 403
    assert client.get("/admin/settings/hours").status_code == 403
    assert client.get("/admin/settings/guidelines").status_code == 403
    assert count(db, Webhook) == 1 and count(db, WebhookDelivery) == 0
    assert "topsecret" not in text(page)


def test_admin_adds_edits_disables_and_deletes_with_audit_rows(client, db):
    admin = make_user(role=Role.ADMIN)
    login(client, admin)
    response = post_form(client, "/admin/webhooks", webhook_form(secret="hunter2-secret"), page="/admin/webhooks")
    assert response.status_code == 302
    webhook = db.session.scalar(select(Webhook))
    assert (webhook.events, webhook.secret) == ("question.new flag.new", "hunter2-secret")
    listing = text(client.get("/admin/webhooks"))
    assert "Support channel" in listing and "hunter2-secret" not in listing
    edit_page = text(client.get(f"/admin/webhooks/{webhook.id}/edit"))
    assert "hunter2-secret" not in edit_page and "A secret or token is stored." in edit_page
    # Blank secret keeps the stored one.
    response = post_form(client, f"/admin/webhooks/{webhook.id}/edit",
                         webhook_form(name="Renamed", events=["faq.needs_review"]), page="/admin/webhooks")
    assert response.status_code == 302
    db.session.expire_all()
    webhook = db.session.get(Webhook, webhook.id)
    assert (webhook.name, webhook.events, webhook.secret) == ("Renamed", "faq.needs_review", "hunter2-secret")
    assert post_form(client, f"/admin/webhooks/{webhook.id}/disable", page="/admin/webhooks").status_code == 302
    assert count(db, Webhook, active=False) == 1
    assert post_form(client, f"/admin/webhooks/{webhook.id}/delete", page="/admin/webhooks").status_code == 302
    assert count(db, Webhook) == 0
    actions = db.session.scalars(select(AuditLogEntry.action).order_by(AuditLogEntry.id)).all()
    assert actions == ["webhook.create", "webhook.update", "webhook.disable", "webhook.delete"]
    details = " ".join(db.session.scalars(select(AuditLogEntry.detail)).all())
    assert "hunter2-secret" not in details


@pytest.mark.parametrize("overrides, message", [
    ({"url": "ftp://files.example.com/x"}, "Enter an http:// or https:// address."),
    ({"url": "javascript:alert(1)"}, "Enter an http:// or https:// address."),
    ({"events": []}, "Choose at least one event."),
])
def test_invalid_webhook_is_a_400_that_keeps_the_input(client, db, overrides, message):
    login(client, make_user(role=Role.ADMIN))
    response = post_form(client, "/admin/webhooks", webhook_form(name="Kept name", **overrides), page="/admin/webhooks")
    assert response.status_code == 400
    assert message in text(response) and 'value="Kept name"' in text(response)
    assert count(db, Webhook) == 0 and count(db, AuditLogEntry) == 0


def test_missing_webhook_is_404(client, db):
    login(client, make_user(role=Role.ADMIN))
    assert client.get("/admin/webhooks/999/deliveries").status_code == 404
    assert post_form(client, "/admin/webhooks/999/test", page="/admin/webhooks").status_code == 404


def test_test_button_delivers_and_the_log_shows_it(client, db, receiver):
    webhook = make_webhook(db, url=receiver.url)
    login(client, make_user(role=Role.ADMIN))
    response = post_form(client, f"/admin/webhooks/{webhook.id}/test", page="/admin/webhooks")
    assert response.status_code == 302
    [request] = receiver.wait_for(1)
    assert request["headers"]["X-Kotae-Event"] == "test"
    assert "Test message from Kotae" in json.loads(request["body"])["text"]
    deadline = time.monotonic() + 5
    while count(db, WebhookDelivery, status="delivered") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    log_page = text(client.get(f"/admin/webhooks/{webhook.id}/deliveries"))
    assert "Delivered" in log_page and "200" in log_page and "Test message from Kotae" in log_page
    assert count(db, AuditLogEntry, action="webhook.test") == 1


def test_retry_button_requeues_and_is_audited(client, db, receiver):
    receiver.statuses = [500]
    webhook = make_webhook(db, url=receiver.url)
    login(client, make_user(role=Role.ADMIN))
    post_form(client, f"/admin/webhooks/{webhook.id}/test", page="/admin/webhooks")
    receiver.wait_for(1)
    deadline = time.monotonic() + 5
    while count(db, WebhookDelivery, attempts=1) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    delivery = db.session.scalar(select(WebhookDelivery))
    log_page = text(client.get(f"/admin/webhooks/{webhook.id}/deliveries"))
    assert "500" in log_page and "Pending" in log_page
    response = post_form(client, f"/admin/webhooks/deliveries/{delivery.id}/retry", page="/admin/webhooks")
    assert response.status_code == 302
    assert [r["status"] for r in receiver.wait_for(2)] == [500, 200]
    assert count(db, AuditLogEntry, action="webhook.retry") == 1


@pytest.mark.parametrize("slow", [False, True])
def test_dead_or_slow_endpoint_never_slows_asking(client, db, receiver, slow):
    receiver.delay = 5  # longer than WEBHOOK_TIMEOUT (3 s)
    make_webhook(db, url=receiver.url if slow else dead_url())
    login(client, make_user())
    token = csrf_token(client, "/questions/ask")
    started = time.monotonic()
    response = client.post("/questions/ask", data={"title": SAMPLE_TITLE, "body": SAMPLE_BODY, "tags": "sync",
                                                   "csrf_token": token})
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 1.5, f"asking took {elapsed:.2f} s"  # well under the 3 s the endpoint makes the sender wait
    assert count(db, Question, title=SAMPLE_TITLE) == 1
    assert count(db, WebhookDelivery, event="question.new") == 1
    if slow:
        receiver.wait_for(1)  # the sender did try, in the background
    deadline = time.monotonic() + 6
    while count(db, WebhookDelivery, attempts=1) == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    delivery = db.session.scalar(select(WebhookDelivery))
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, None)
    assert delivery.error


def test_asking_sends_question_new_in_the_background(client, db, receiver):
    make_webhook(db, url=receiver.url, secret="k")
    login(client, make_user(username="aoi"))
    ask(client)
    [request] = receiver.wait_for(1)
    question = db.session.scalar(select(Question))
    payload = json.loads(request["body"])
    assert f"/questions/{question.id}/{question.slug}" in payload["text"] and SAMPLE_TITLE in payload["text"]
    assert "aoi" in payload["blocks"][0]["text"]["text"]
    assert request["headers"]["X-Kotae-Signature"].startswith("sha256=")


def test_admin_saves_support_hours(client, db):
    login(client, make_user(role=Role.ADMIN))
    page = client.get("/admin/settings/hours")
    assert page.status_code == 200 and "Asia/Tokyo" in text(page)
    response = post_form(client, "/admin/settings/hours", {
        "timezone": "America/New_York", "days": ["0", "1", "2", "3"], "start": "08:00", "end": "16:30",
        "holidays": "2026-12-25"}, page="/admin/settings/hours")
    assert response.status_code == 302
    page = text(client.get("/admin/settings/hours"))
    assert "America/New_York" in page and "2026-12-25" in page
    assert count(db, AuditLogEntry, action="settings.hours") == 1


def test_invalid_time_zone_is_a_400_and_nothing_is_saved(client, db):
    login(client, make_user(role=Role.ADMIN))
    response = post_form(client, "/admin/settings/hours", {
        "timezone": "Mars/Olympus_Mons", "days": ["0"], "start": "09:00", "end": "18:00", "holidays": ""},
        page="/admin/settings/hours")
    assert response.status_code == 400
    assert "Unknown time zone Mars/Olympus_Mons" in text(response)
    assert 'value="Mars/Olympus_Mons"' in text(response)
    assert count(db, SiteSetting) == 0 and count(db, AuditLogEntry) == 0
    response = post_form(client, "/admin/settings/hours", {
        "timezone": "Asia/Tokyo", "days": ["0"], "start": "18:00", "end": "09:00", "holidays": ""},
        page="/admin/settings/hours")
    assert response.status_code == 400 and "The end of the day must be after its start." in text(response)


def test_admin_saves_guidelines(client, db):
    login(client, make_user(role=Role.ADMIN))
    response = post_form(client, "/admin/settings/guidelines", {"body": "## House rules\n\nBe *kind*."},
                         page="/admin/settings/guidelines")
    assert response.status_code == 302
    assert count(db, AuditLogEntry, action="settings.guidelines") == 1
    assert "House rules" in text(client.get("/admin/settings/guidelines"))


def served_statements(served_app, db, client, url: str) -> int:
    """Statements of the served app only: the test app's webhook sender thread may be retrying deliveries
    meanwhile (on the test app's engine), which `counted_statements` (every engine) would count too."""
    statements = []
    with served_app.app_context():
        engine = db.engine  # the client's requests run on the served app's engine
    record = lambda conn, cursor, statement, *args: statements.append(statement)
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def test_list_and_log_pages_run_a_constant_number_of_queries(client, served_app, db):
    admin = make_user(role=Role.ADMIN)
    first = make_webhook(db)
    for _ in range(2):
        alerts.send_test(admin, first)
    db.session.commit()
    login(client, admin)
    client.get("/admin/webhooks")  # the first view records last_seen_at; measure the steady state
    small = (served_statements(served_app, db, client, "/admin/webhooks"),
             served_statements(served_app, db, client, f"/admin/webhooks/{first.id}/deliveries"))
    for n in range(5):
        other = alerts.create_webhook(admin, f"Channel {n}", f"https://chat.example.com/{n}", "chatwork",
                                      ["flag.new"], "cw-secret-token-xyz")
        db.session.flush()
        alerts.send_test(admin, other)
    for _ in range(10):
        alerts.send_test(admin, first)
    db.session.commit()
    large = (served_statements(served_app, db, client, "/admin/webhooks"),
             served_statements(served_app, db, client, f"/admin/webhooks/{first.id}/deliveries"))
    assert small == large
    for url in ("/admin/webhooks", f"/admin/webhooks/{other.id}/deliveries", f"/admin/webhooks/{other.id}/edit"):
        assert "cw-secret-token-xyz" not in text(client.get(url))


def test_lists_mask_the_secret_part_of_webhook_urls(client, db):
    slack = "https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXXabcd"
    webhook = make_webhook(db, url=slack)
    login(client, make_user(role=Role.MODERATOR))
    for url in ("/admin/webhooks", f"/admin/webhooks/{webhook.id}/deliveries"):
        page = text(client.get(url))
        assert "XXXXSECRETXXXX" not in page and "hooks.slack.com/services/…abcd" in page
