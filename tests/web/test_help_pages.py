"""/help/hours, /help/guidelines, the footer links and the ask page's support summary."""
from sqlalchemy import event

from forum.models import Role
from forum.services import site_settings
from tests.factories import make_user
from tests.helpers import login, text


def configure(db, **hours):
    admin = make_user(role=Role.ADMIN)
    values = {"timezone": "America/New_York", "days": [0, 1, 2, 3, 4], "start": "08:00", "end": "17:00",
              "holidays": "2099-12-25"} | hours
    site_settings.save_support_hours(admin, **values)
    db.session.commit()


def test_hours_page_shows_the_defaults(client, db):
    page = text(client.get("/help/hours"))
    assert "Staff answer on weekdays 9:00-18:00 JST; the community answers any time." in page
    assert "Asia/Tokyo" in page and "Monday" in page and "Closed" in page
    assert ("Staff are on duty now." in page) != ("Staff are off duty now" in page)


def test_hours_page_shows_the_configured_hours(client, db):
    configure(db)
    page = text(client.get("/help/hours"))
    assert "8:00-17:00" in page and "America/New_York" in page
    assert ("EST" in page) or ("EDT" in page)
    assert "Upcoming holidays" in page and "2099" in page


def test_every_day_is_shown_as_closed_when_none_is_set(client, db):
    configure(db, days=[])
    page = text(client.get("/help/hours"))
    assert page.count("Closed") == 7 and "The community answers any time." in page
    assert "Staff are off duty now" in page


def test_guidelines_page_default_and_configured(client, db):
    assert "Be kind and specific" in text(client.get("/help/guidelines"))
    admin = make_user(role=Role.ADMIN)
    site_settings.save_guidelines(admin, "## House rules\n\n*No* spam.\n\n<script>alert('x')</script>")
    db.session.commit()
    page = text(client.get("/help/guidelines"))
    assert "<h2>House rules</h2>" in page and "<em>No</em> spam." in page
    assert "<script>alert" not in page


def test_footer_links_to_both_pages(client, db):
    page = text(client.get("/questions"))
    assert 'href="/help/guidelines"' in page and 'href="/help/hours"' in page


def test_ask_page_shows_the_summary_with_one_settings_query(client, served_app, db):
    configure(db, timezone="Asia/Tokyo", start="10:00", end="19:00")
    login(client, make_user())
    statements = []
    with served_app.app_context():
        engine = db.engine  # the engine the client's requests use (the test's own app has another)
    record = lambda conn, cursor, statement, *args: statements.append(statement)
    event.listen(engine, "before_cursor_execute", record)
    try:
        page = text(client.get("/questions/ask"))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert "Staff answer on weekdays 10:00-19:00 JST; the community answers any time." in page
    assert 'href="/help/guidelines"' in page
    assert sum("site_settings" in statement for statement in statements) == 1


def test_admin_navigation_links_only_for_admins(client, db):
    login(client, make_user(role=Role.MODERATOR))
    page = text(client.get("/admin/webhooks"))
    assert 'href="/admin/webhooks"' in page and "/admin/settings/hours" not in page
