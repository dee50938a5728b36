"""Public FAQ pages: /faq grouping and order, the entry page (credits, source link), 404s, search, query counts."""
import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import FaqEntry, Role
from forum.services.faq import categories, entries, promotion
from tests.factories import make_answer, make_question, make_user
from tests.helpers import counted_statements, login, question_url, text


@pytest.fixture
def staff(app):
    return make_user(role=Role.ADMIN)


def published(staff, title=None, category=None, helpful=0, publish=True):
    question = make_question(title=title)
    make_answer(question, body="Open Settings, choose Sync and press Reset; it rebuilds the sync state.")
    entry = promotion.promote(staff, question)
    entry.category_id = category.id if category else None
    entry.helpful_count = helpful
    if publish:
        entries.publish(staff, entry, 25, "/faq")
    db.session.commit()
    return entry


def test_faq_groups_by_category_order_then_helpfulness_uncategorised_last(client, staff):
    first = categories.create_category(staff, "Getting started")
    second = categories.create_category(staff, "Sync and devices")
    loose = published(staff, "A question without any category")
    less = published(staff, "Less helpful sync question", second, helpful=1)
    more = published(staff, "More helpful sync question", second, helpful=9)
    start = published(staff, "How do I create an account?", first)
    draft = published(staff, "A draft nobody should see", first, publish=False)
    page = text(client.get("/faq"))
    order = [page.index(s) for s in ("Getting started", start.title, "Sync and devices", more.title, less.title,
                                     "Other questions", loose.title)]
    assert order == sorted(order)
    assert draft.title not in page
    assert "Resolved" not in page  # counters are for staff


def test_staff_see_counters_drafts_and_reorder(client, staff):
    entry = published(staff, "Sync stops after five minutes")
    published(staff, "Draft entry for later work", publish=False)
    login(client, staff)
    page = text(client.get("/faq"))
    assert "Not published (staff only)" in page and "Draft entry for later work" in page
    assert "Not helpful" in page and f"/faq/{entry.id}/move" in page


def test_entry_page_credits_and_source_link(client, staff):
    entry = published(staff, "Sync stops after five minutes")
    question, answer = entry.question, entry.answer
    response = client.get(f"/faq/{entry.id}/{entry.slug}")
    assert response.status_code == 200
    page = text(response)
    assert entry.title in page and "Official answer" in page
    assert "Asked by" in page and question.author.username in page
    assert "Answered by" in page and answer.author.username in page
    assert "See the full discussion" in page and question_url(question) in page
    assert "Did this solve your problem?" in page
    assert "Resolved 0" not in page


def test_entry_page_slug_redirects(client, staff):
    entry = published(staff, "Sync stops after five minutes")
    response = client.get(f"/faq/{entry.id}")
    assert response.status_code == 301 and response.headers["Location"].endswith(f"/faq/{entry.id}/{entry.slug}")


def test_unpublished_entries_are_404_for_everyone_but_staff(client, staff):
    draft = published(staff, "Draft entry for later work", publish=False)
    assert client.get(f"/faq/{draft.id}/{draft.slug}").status_code == 404
    assert client.get("/faq/12345").status_code == 404
    login(client, make_user())
    assert client.get(f"/faq/{draft.id}/{draft.slug}").status_code == 404
    client.get("/logout")


def test_staff_see_a_draft_with_its_actions(client, staff):
    draft = published(staff, "Draft entry for later work", publish=False)
    login(client, staff)
    page = text(client.get(f"/faq/{draft.id}/{draft.slug}"))
    assert "Draft" in page and f"/faq/{draft.id}/publish" in page and "Resolved 0" in page


def test_search_box_finds_published_entries(client, staff):
    entry = published(staff, "Sync stops after five minutes")
    published(staff, "Draft sync entry for later", publish=False)
    response = client.get("/faq?q=sync")
    assert response.status_code == 200
    page = text(response)
    assert "Results for" in page and entry.title in page and "Draft sync entry" not in page
    nothing = text(client.get("/faq?q=zzzqqq"))
    assert "No FAQ entry matches your search." in nothing


def test_faq_link_in_navigation(client):
    assert 'href="/faq"' in text(client.get("/questions"))


def queries(client, url):
    client.get(url)
    with counted_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("signed_in_as", [None, "member", "staff"])
def test_faq_pages_run_constant_queries(client, staff, signed_in_as):
    sync = categories.create_category(staff, "Sync")
    one = published(staff, "Sync stops after five minutes", sync)
    if signed_in_as:
        login(client, staff if signed_in_as == "staff" else make_user())
    small_index, small_entry = queries(client, "/faq"), queries(client, f"/faq/{one.id}/{one.slug}")
    other = categories.create_category(staff, "Billing")
    for n in range(19):
        published(staff, f"Another frequently asked question {n}", [sync, other, None][n % 3])
    last = db.session.scalar(select(FaqEntry).order_by(FaqEntry.id.desc()))
    assert queries(client, "/faq") == small_index
    assert queries(client, f"/faq/{last.id}/{last.slug}") == small_entry
    assert small_index <= 9 and small_entry <= 9  # the layout's own counts (inbox, staff queues) included
