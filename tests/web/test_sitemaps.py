"""Sitemaps (an index over question pages by post-id range, the FAQ's and the question lists') and robots.txt."""
import threading
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from forum.extensions import db
from forum.models import Question, Role, utcnow
from forum.services.community import posts
from forum.services.faq import entries, promotion
from forum.services.seo import robots
from forum.urls import question_path
from tests.factories import make_answer, make_question, make_user
from tests.helpers import counted_statements, question_url

SITE = "http://127.0.0.1:5000"
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
PAGE_SIZE = 4


@pytest.fixture
def app_config():
    return {"PRIVILEGE_PRESET": "small", "SITEMAP_PAGE_SIZE": PAGE_SIZE}


def fetch_xml(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "application/xml" and response.mimetype_params["charset"] == "utf-8"
    return ET.fromstring(response.data)


def sitemap_locs(client) -> list[str]:
    root = fetch_xml(client, "/sitemap.xml")
    assert root.tag == "{%s}sitemapindex" % NS["sm"]
    return [loc.text for loc in root.findall("sm:sitemap/sm:loc", NS)]


def urls_of(client, url: str) -> dict[str, str | None]:
    """loc -> lastmod of a <urlset>."""
    root = fetch_xml(client, url)
    assert root.tag == "{%s}urlset" % NS["sm"]
    return {node.find("sm:loc", NS).text: getattr(node.find("sm:lastmod", NS), "text", None)
            for node in root.findall("sm:url", NS)}


def iso(value) -> str:
    return value.isoformat(timespec="seconds") + "Z"


def test_index_lists_question_pages_by_id_range_and_the_other_sitemaps(client):
    questions = [make_question(commit=False) for _ in range(5)]
    answers = [make_answer(question, commit=False) for question in questions[:3]]  # they share the id space
    db.session.commit()
    pages = -(-max(post.id for post in questions + answers) // PAGE_SIZE)  # enough to reach the newest post
    assert pages == 2
    assert sitemap_locs(client) == [f"{SITE}/sitemaps/questions-{n}.xml" for n in range(1, pages + 1)] + [
        f"{SITE}/sitemaps/faq.xml", f"{SITE}/sitemaps/tags.xml"]


def test_question_pages_hold_every_visible_question_once_with_its_last_activity(client):
    admin = make_user(role=Role.ADMIN)
    questions = [make_question(commit=False) for _ in range(9)]
    make_answer(questions[0], commit=False)
    deleted, hidden = questions[3], questions[6]
    posts.delete_post(admin, deleted)
    hidden.hidden_at = utcnow()
    db.session.commit()

    seen: dict[str, str | None] = {}
    for number, loc in enumerate(sitemap_locs(client)[:-2], start=1):
        page = urls_of(client, loc.removeprefix(SITE))
        assert len(page) <= PAGE_SIZE
        for url in page:
            question_id = int(url.split("/")[4])
            assert (number - 1) * PAGE_SIZE < question_id <= number * PAGE_SIZE  # its id decides its page
        assert not seen.keys() & page.keys()
        seen.update(page)
    visible = [q for q in questions if q not in (deleted, hidden)]
    assert seen == {SITE + question_url(q): iso(q.last_activity_at) for q in visible}


@pytest.mark.sqlite_only
def test_a_question_sitemap_reads_one_range_of_the_primary_key(client):
    """SQLite has no statistics to go by: the page's query must not walk an index over every question."""
    for _ in range(3):
        make_question(commit=False)
    db.session.commit()
    executed, this_thread = [], threading.get_ident()

    def record(conn, cursor, statement, parameters, *args):
        if threading.get_ident() == this_thread:
            executed.append((statement, parameters))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        assert client.get("/sitemaps/questions-1.xml").status_code == 200
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    ((statement, parameters),) = executed
    plan = db.session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    assert [row[3] for row in plan] == ["SEARCH posts USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"]


def test_a_page_past_the_last_is_404_and_empty_ranges_are_empty(client):
    make_question()
    assert client.get("/sitemaps/questions-0.xml").status_code == 404
    assert client.get("/sitemaps/questions-2.xml").status_code == 404
    assert client.get("/sitemaps/questions-99999999.xml").status_code == 404
    assert urls_of(client, "/sitemaps/questions-1.xml")


def test_urls_are_escaped_and_percent_encoded(client, served_app):
    served_app.config["SITE_URL"] = "https://example.com/community?a=1&b=<2>"
    question = make_question(title="Windowsアプリで同期ができなくなりました")
    (loc,) = urls_of(client, "/sitemaps/questions-1.xml")  # parses: & and < arrive escaped
    assert loc == "https://example.com/community?a=1&b=<2>" + question_path(question.id, question.title)
    assert loc.endswith("/windows%E3%82%A2%E3%83%97%E3%83%AA%E3%81%A7%E5%90%8C%E6%9C%9F%E3%81%8C%E3%81%A7%E3%81%8D"
                        "%E3%81%AA%E3%81%8F%E3%81%AA%E3%82%8A%E3%81%BE%E3%81%97%E3%81%9F")
    assert b"a=1&amp;b=&lt;2&gt;" in client.get("/sitemaps/questions-1.xml").data


def test_faq_sitemap_lists_published_entries_only(client):
    staff = make_user(role=Role.ADMIN)
    made = []
    for title, publish in (("How do I reset the sync state?", True), ("A draft nobody should see", False)):
        question = make_question(title=title)
        make_answer(question, body="Open Settings, choose Sync and press Reset; it rebuilds the sync state.")
        entry = promotion.promote(staff, question)
        if publish:
            entries.publish(staff, entry, 25, "/faq")
        made.append(entry)
    db.session.commit()
    published, draft = made
    urls = urls_of(client, "/sitemaps/faq.xml")
    lastmod = iso(max(published.updated_at, published.published_at))
    assert urls == {f"{SITE}/faq": lastmod, f"{SITE}/faq/{published.id}/{published.slug}": lastmod}


def test_lists_sitemap_has_all_questions_then_the_most_used_tags(client):
    for n in range(6):
        make_question(tags=f"common rare{n}", commit=False)
    db.session.commit()
    newest = max(q.last_activity_at for q in db.session.scalars(db.select(Question)))
    urls = urls_of(client, "/sitemaps/tags.xml")
    assert list(urls)[:2] == [f"{SITE}/questions", f"{SITE}/questions/tagged/common"]
    assert urls[f"{SITE}/questions"] == iso(newest)
    assert len(urls) == PAGE_SIZE  # the page size bounds this list too


# --- robots.txt -------------------------------------------------------------------------------------------------

def robots_file(client) -> tuple[list[str], list[str]]:
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    return lines, [line.split(": ", 1)[1] for line in lines if line.startswith("Disallow: ")]


def disallowed(rules: list[str], path: str) -> bool:
    return any(robots.matches(rule, path) for rule in rules)


def test_robots_keeps_crawlers_off_private_pages_and_names_the_sitemap(client):
    lines, rules = robots_file(client)
    assert lines[0] == "User-agent: *" and "Allow: /" in lines
    assert lines[-1] == f"Sitemap: {SITE}/sitemap.xml"
    for path in ("/search", "/search?q=sync", "/search/similar?title=x", "/admin/", "/admin/webhooks", "/login",
                 "/register", "/users/settings", "/users/password", "/users/sessions", "/inbox", "/review",
                 "/review/suggested-edits", "/faq/candidates", "/questions/ask", "/questions/5/edit",
                 "/answers/7/edit", "/posts/5/revisions", "/lang/ja?next=/"):
        assert disallowed(rules, path), path


def test_robots_covers_every_post_only_route_but_no_public_page(client, served_app):
    _, rules = robots_file(client)
    for rule in served_app.url_map.iter_rules():
        if "GET" not in rule.methods:
            for pattern in robots.rule_patterns(rule.rule):
                assert disallowed(rules, pattern.rstrip("$").replace("*", "12")), rule.rule
    question = make_question(title="Lock screen stops the sync; how do I close it?")
    for path in (question_url(question), f"/questions/{question.id}", "/questions", "/questions?tab=votes&page=2",
                 "/questions/tagged/sync", "/faq", "/faq/3/how-do-i-edit-and-close-it", f"/users/{question.author_id}",
                 "/users", "/tags", "/badges", "/help/privileges", "/answers/7", "/sitemap.xml",
                 "/sitemaps/questions-1.xml"):
        assert not disallowed(rules, path), path
