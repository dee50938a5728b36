"""What the help widget relies on: CORS only for the sites an admin allowed, anonymous feedback by visitor id, the
support contact, and the admin page that sets them."""
from sqlalchemy import select

from forum.extensions import db
from forum.models import AuditLogEntry, Feedback, Role
from forum.services import site_settings
from tests.factories import make_question, make_user
from tests.helpers import login, post_form, text

HELP_SITE = "https://help.example.com"
VISITOR = "v" * 24


def allow(*origins, contact="https://support.example.com/contact"):
    site_settings.save_widget_settings(make_user(role=Role.ADMIN, commit=False), "\n".join(origins), contact)
    db.session.commit()


def test_only_allowed_sites_get_cors_headers_and_preflights(api):
    allow(HELP_SITE)
    response = api.get("/api/v1/search?q=sync", headers={"Origin": HELP_SITE})
    assert response.headers["Access-Control-Allow-Origin"] == HELP_SITE and "Origin" in response.headers["Vary"]
    preflight = api.options("/api/v1/feedback", headers={
        "Origin": HELP_SITE, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, x-kotae-visitor"})
    assert preflight.status_code == 200
    assert "X-Kotae-Visitor" in preflight.headers["Access-Control-Allow-Headers"]
    foreign = api.get("/api/v1/search?q=sync", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in foreign.headers
    refused = api.options("/api/v1/feedback", headers={"Origin": "https://evil.example",
                                                       "Access-Control-Request-Method": "POST"})
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused.headers


def test_an_anonymous_visitor_answers_once_and_may_change_it(api):
    question = make_question()
    for outcome in ("not_helpful", "resolved"):
        response = api.post("/api/v1/feedback", headers={"X-Kotae-Visitor": VISITOR},
                            json={"target_type": "thread", "target_id": question.id, "outcome": outcome})
        assert response.status_code == 200
    rows = db.session.execute(select(Feedback.outcome, Feedback.user_id)).all()
    assert rows == [("resolved", None)]
    for headers in ({}, {"X-Kotae-Visitor": "short"}, {"X-Kotae-Visitor": "<script>" * 4}):
        response = api.post("/api/v1/feedback", headers=headers,
                            json={"target_type": "thread", "target_id": question.id, "outcome": "resolved"})
        assert response.status_code == 401


def test_the_widget_learns_the_support_contact(api):
    allow(HELP_SITE, contact="mailto:help@example.com")
    body = api.get("/api/v1/widget").get_json()
    assert body["contact_url"] == "mailto:help@example.com" and isinstance(body["support_open"], bool)
    assert body["ask_url"].endswith("/questions/ask")


def test_admins_set_the_allowed_sites_and_bad_input_keeps_the_old_ones(client):
    allow(HELP_SITE)
    login(client, make_user(role=Role.ADMIN))
    page = text(client.get("/admin/settings/widget"))
    assert "kotae-widget.js" in page and HELP_SITE in page
    response = post_form(client, "/admin/settings/widget", {"origins": "https://help.example.com/path",
                                                            "contact_url": ""}, page="/admin/settings/widget")
    assert response.status_code == 400 and "without a path" in text(response)
    assert site_settings.get_widget_settings().origins == (HELP_SITE,)
    response = post_form(client, "/admin/settings/widget", {
        "origins": "https://Help.example.com/\nhttp://localhost:8080", "contact_url": "javascript:alert(1)"},
        page="/admin/settings/widget")
    assert response.status_code == 400 and site_settings.get_widget_settings().origins == (HELP_SITE,)
    response = post_form(client, "/admin/settings/widget", {
        "origins": "https://Help.example.com/\nhttp://localhost:8080", "contact_url": ""},
        page="/admin/settings/widget")
    assert response.status_code == 302
    db.session.rollback()  # a new transaction: settings are read once per transaction
    assert site_settings.get_widget_settings().origins == (HELP_SITE, "http://localhost:8080")
    assert db.session.scalar(select(AuditLogEntry).where(AuditLogEntry.action == "settings.widget")) is not None


def test_moderators_cannot_change_the_widget(client):
    login(client, make_user(role=Role.MODERATOR))
    assert client.get("/admin/settings/widget").status_code == 403


def test_ask_the_community_fills_in_the_title(client):
    login(client, make_user())
    page = text(client.get("/questions/ask?title=Sync%20stops%20after%20the%20update"))
    assert 'value="Sync stops after the update"' in page


def test_widget_searches_count_as_help_sessions_on_the_outcomes_page(api, client):
    from forum.models import HelpSession

    question = make_question(title="Printer offline after update", body="The printer shows offline since the update.")
    for words in ("printer", "printer offline", "printer offline after update"):
        api.get("/api/v1/search", query_string={"q": words}, headers={"X-Kotae-Visitor": VISITOR})
    api.get("/api/v1/search", query_string={"q": "printer"})  # no visitor id: not counted
    api.post("/api/v1/feedback", headers={"X-Kotae-Visitor": VISITOR},
             json={"target_type": "thread", "target_id": question.id, "outcome": "resolved"})
    assert [row.source for row in db.session.scalars(select(HelpSession))] == ["widget"]
    login(client, make_user(role=Role.MODERATOR))
    page = text(client.get("/admin/outcomes"))
    assert "Deflection rate" in page and "100%" in page
    csv_text = text(client.get("/admin/outcomes/deflection.csv?weeks=2"))
    assert csv_text.splitlines()[0] == "week_start,help_sessions,deflected,deflection_rate"
    assert csv_text.splitlines()[-1].endswith(",1,1,1.0000")
