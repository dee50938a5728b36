"""Pages run a constant number of SQL statements, whatever the number of answers, comments and rows."""
import pytest

from forum.extensions import db
from tests.factories import make_answer, make_comment, make_question, make_user
from tests.helpers import counted_statements, login, text

# Signed in: the user with the inbox's unread count, the question with its tags, the view record, the posts with my
# votes, the comments, my feedback, the thread's FAQ entry, the site settings (the branding: name, logo and
# colour on every page). Issue 14: at most 8.
MAX_QUERIES_PER_QUESTION_PAGE = 8


def thread_with(answers: int):
    """A question with `answers` answers by different people, each with a comment by someone else."""
    question = make_question(commit=False)
    make_comment(question, commit=False)
    for _ in range(answers):
        answer = make_answer(question, commit=False)
        make_comment(answer, commit=False)
    db.session.commit()
    return question


def page_queries(client, url: str) -> int:
    client.get(url)  # the first view records the viewer; measure the steady state
    with counted_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("signed_in", [False, True])
def test_question_page_queries_do_not_grow_with_answers(client, signed_in):
    small, large = thread_with(5), thread_with(30)
    if signed_in:
        login(client, make_user())
    small_count = page_queries(client, f"/questions/{small.id}/{small.slug}")
    large_count = page_queries(client, f"/questions/{large.id}/{large.slug}")
    assert small_count == large_count
    assert large_count <= MAX_QUERIES_PER_QUESTION_PAGE


def test_first_view_also_costs_the_same_with_5_or_30_answers(client):
    """The first view writes the view record; that must not make the page reload every answer."""
    counts = []
    for answers in (5, 30):
        question = thread_with(answers)
        with counted_statements() as first:
            client.get(f"/questions/{question.id}/{question.slug}")
        counts.append(len(first))
    assert counts[0] == counts[1] <= MAX_QUERIES_PER_QUESTION_PAGE + 6


def test_question_list_queries_do_not_grow_with_rows(client):
    """A list of 1 row and one of 50 rows (each by a different author) cost the same statements."""
    author = make_user()
    make_question(author=author)
    few = page_queries(client, "/questions?pagesize=50")
    for n in range(60):
        make_question(author=make_user(commit=False), tags=f"tag{n % 7} common", commit=False)
    db.session.commit()
    response = client.get("/questions?pagesize=50")
    assert text(response).count('class="question-row"') == 50
    many = page_queries(client, "/questions?tab=newest&pagesize=50")
    assert few == many <= 5
    assert page_queries(client, "/questions?lang=all&pagesize=50") == page_queries(client, "/questions?lang=ja") == few


@pytest.mark.parametrize("url", ["/tags", "/users", "/questions/tagged/common", "/search?q=sync", "/tags?lang=all",
                                 "/questions/tagged/common?lang=ja", "/search?q=sync&lang=all", "/faq?lang=all"])
def test_directory_pages_have_constant_queries(client, url):
    for n in range(30):
        make_question(author=make_user(commit=False), tags=f"tag{n} common", commit=False)
    db.session.commit()
    assert page_queries(client, url) <= 5


def test_sitemap_page_queries_do_not_grow_with_threads(client):
    """One range query on the primary key per question sitemap, whether it lists 2 threads or 40; the lists'
    and the FAQ's sitemaps are as flat."""
    for _ in range(2):
        make_question(commit=False)
    db.session.commit()
    urls = ("/sitemap.xml", "/sitemaps/questions-1.xml", "/sitemaps/tags.xml", "/sitemaps/faq.xml")
    few = [page_queries(client, url) for url in urls]
    for n in range(40):
        question = make_question(author=make_user(commit=False), tags=f"tag{n} common", commit=False)
        make_answer(question, commit=False)
    db.session.commit()
    assert text(client.get("/sitemaps/questions-1.xml")).count("<url>") == 42
    assert [page_queries(client, url) for url in urls] == few
    assert few[1] == 1
