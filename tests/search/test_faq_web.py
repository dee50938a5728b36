"""Official FAQ entries and official answers on /search and while asking; closed questions stay searchable."""
import re

from sqlalchemy import select

from forum.extensions import db
from forum.models import FaqStatus, Post, SearchOutbox, utcnow
from tests.factories import make_answer, make_question, make_user
from tests.helpers import counted_statements, text

from .conftest import found
from .test_faq_index import make_entry
from tests.helpers import result_ids


def faq_links(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<a href="/faq/(\d+)/[^"]+"', page)]


def test_a_matching_faq_entry_comes_first_and_is_marked_official(client):
    question = make_question(title="How do I reset my password?", body="I forgot my password and cannot sign in.")
    entry = make_entry()  # the same words as the thread
    page = text(client.get("/search", query_string={"q": "reset password"}))
    assert faq_links(page) == [entry.id]
    assert "Official FAQ" in page
    assert page.index(f'href="/faq/{entry.id}/how-do-i-reset-my-password"') < page.index(
        f'href="/questions/{question.id}/')
    assert "<mark>reset</mark>" in page.split("faq-results", 1)[1].split("</section>", 1)[0]
    assert "1 result" in page  # the count is about threads
    link = re.search(r'<a href="(/faq/\d+/[^"]+)"', page).group(1)
    assert "How do I reset my password?" in text(client.get(link, follow_redirects=True))


def test_faq_block_in_japanese_and_only_on_the_first_page(client):
    entry = make_entry(title="パスワードを再設定するには", question="パスワードを忘れてログインできません。",
                       answer="ログイン画面から再設定のメールを受け取ってください。")
    for n in range(3):
        make_question(title=f"パスワード再設定のメールが届かない {n}", body="再設定のメールが何度試しても来ません。迷惑メールのフォルダにもありません。")
    page = text(client.get("/search", query_string={"q": "パスワード再設定", "lang": "all"}))
    assert faq_links(page) == [entry.id] and "Official FAQ" in page
    later = text(client.get("/search", query_string={"q": "パスワード再設定", "page": 2, "lang": "all"}))
    assert faq_links(later) == []


def test_unpublished_and_retired_entries_leave_the_results_and_unrelated_ones_never_show(client):
    entry = make_entry()
    make_entry(title="Changing the invoice address", question="Where is the billing page?",
               answer="Open Billing in the account menu.")
    assert faq_links(text(client.get("/search?q=password"))) == [entry.id]
    for status in (FaqStatus.UNPUBLISHED, FaqStatus.RETIRED):
        entry.status = status
        db.session.commit()
        page = text(client.get("/search?q=password"))
        assert faq_links(page) == [] and "Official FAQ" not in page


def test_thread_operators_leave_faq_entries_out(client):
    make_entry()
    make_question(title="Password reset mail", body="The password mail never arrives.", tags="account")
    assert faq_links(text(client.get("/search?q=password"))) != []
    for query in ("password [account]", "password score:0", "password is:question", "password closed:no"):
        assert faq_links(text(client.get("/search", query_string={"q": query}))) == [], query


def test_the_search_page_runs_the_same_queries_with_one_or_three_faq_entries(client, served_app):
    served_app.config["PAGE_CACHE_ENABLED"] = False  # count a rendered page, not one from the page cache
    make_entry()
    make_question(title="Password question", body="About passwords and how often they must change.")
    client.get("/search?q=password")  # the first search page also counts the index's health (then cached)
    with served_app.app_context(), counted_statements() as few:  # the served app's engine runs the page
        client.get("/search?q=password")
    make_entry(title="Password rules")
    make_entry(title="Password expiry")
    with served_app.app_context(), counted_statements() as many:
        page = text(client.get("/search?q=password"))
    assert len(faq_links(page)) == 3
    assert len(many) == len(few) > 0


def test_similar_while_asking_lists_the_faq_entry_first(client):
    thread = make_question(title="Cannot reset my password", body="The reset password link has expired.")
    entry = make_entry()
    data = client.get("/search/similar", query_string={"title": "how to reset password"}).get_json()
    assert [item["id"] for item in data["faq"]] == [entry.id]
    assert data["faq"][0]["url"] == f"/faq/{entry.id}/how-do-i-reset-my-password" and data["faq"][0]["faq"] is True
    assert [item["id"] for item in data["questions"]] == [thread.id]
    html = data["html"]
    assert "Official FAQ" in html and html.index(f"/faq/{entry.id}") < html.index(f"/questions/{thread.id}/")
    # One shared word is not enough to suggest an official answer; a retired entry is never suggested.
    assert client.get("/search/similar", query_string={"title": "password strength meter"}).get_json()["faq"] == []
    entry.status = FaqStatus.RETIRED
    db.session.commit()
    assert client.get("/search/similar", query_string={"title": "how to reset password"}).get_json()["faq"] == []


def test_similar_in_japanese_and_without_any_thread(client):
    entry = make_entry(title="パスワードを再設定するには", question="パスワードを忘れました。",
                       answer="ログイン画面から再設定してください。")
    data = client.get("/search/similar", query_string={"title": "パスワードの再設定ができない"}).get_json()
    assert [item["id"] for item in data["faq"]] == [entry.id] and data["questions"] == []
    assert "Official FAQ" in data["html"]


def test_a_thread_with_an_official_answer_is_marked_in_results(client):
    staff = make_user()
    marked = make_question(title="Export to CSV loses accents", body="Exported CSV files show broken accents.")
    answer = make_answer(marked, body="Choose UTF-8 with BOM in the export dialog.")
    plain = make_question(title="Export to CSV is slow", body="Exporting a big CSV takes minutes.")
    page = text(client.get("/search?q=csv"))
    assert "Official answer" not in page
    answer.official_at, answer.official_by_id = utcnow(), staff.id
    db.session.commit()
    page = text(client.get("/search?q=csv"))
    rows = {int(m.group(1)): m.group(0) for m in re.finditer(
        r'<article class="question-row search-result">.*?href="/questions/(\d+)/.*?</article>', page, re.S)}
    assert "Official answer" in rows[marked.id] and "Official answer" not in rows[plain.id]
    assert result_ids(client.get("/search?q=csv+hasofficial:yes")) == [marked.id]
    assert result_ids(client.get("/search?q=csv+hasofficial:no")) == [plain.id]
    similar = client.get("/search/similar", query_string={"title": "csv export accents"}).get_json()
    assert similar["questions"][0]["official"] is True
    answer.official_at = None
    db.session.commit()
    assert "Official answer" not in text(client.get("/search?q=csv"))
    assert db.session.scalar(select(SearchOutbox.id)) is None


def test_closing_a_question_reindexes_it_for_the_closed_operator(app):
    question = make_question(title="Printer queue stuck", body="The printer queue never empties.")
    other = make_question(title="Printer offline", body="The printer shows offline every morning at nine.")
    assert found("printer closed:yes") == []
    post = db.session.get(Post, question.id)
    post.closed_at, post.close_reason = utcnow(), "duplicate"
    db.session.commit()
    assert found("printer closed:yes") == [question.id]
    assert found("printer closed:no") == [other.id]
    post.closed_at = None
    db.session.commit()
    assert found("printer closed:yes") == []
