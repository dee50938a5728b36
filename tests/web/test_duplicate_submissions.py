"""A posting form sent twice (a retry after a dropped connection, a double click) posts once: the second
sending lands on what the first one created."""
import re
import threading

from sqlalchemy import func, select

from forum.models import Answer, Comment, Question
from tests.helpers import csrf_token, login, text

QUESTION = {"title": "Sync stops after five minutes on Windows",
            "body": "The desktop app stops syncing after about five minutes and shows error E1023.",
            "tags": "sync windows"}
ANSWER = "Sign out, sign in again and then re-run the sync from the menu."


def form_token(client, page: str, form_action: str) -> str:
    """The one-time token of the form posting to `form_action` on `page`."""
    html = text(client.get(page))
    form = re.search(rf'<form[^>]*action="{re.escape(form_action)}".*?</form>', html, re.S).group(0)
    return re.search(r'name="submission_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="submission_token"',
                     form).group(1)


def count(db, model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_a_resent_question_form_posts_one_question_and_shows_it(client, factories, db):
    login(client, factories.user())
    data = {**QUESTION, "csrf_token": csrf_token(client, "/questions/ask"),
            "submission_token": form_token(client, "/questions/ask", "/questions/ask")}

    first = client.post("/questions/ask", data=data)
    again = client.post("/questions/ask", data=data)

    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    assert count(db, Question) == 1
    page = text(client.get(again.headers["Location"]))
    assert "already sent" in page


def test_two_forms_are_two_questions(client, factories, db):
    """The guard is per form: asking again from a fresh form is a new question."""
    login(client, factories.user())
    for title in ("Sync stops after five minutes on Windows", "Sync stops after ten minutes on macOS"):
        data = {**QUESTION, "title": title, "csrf_token": csrf_token(client, "/questions/ask"),
                "submission_token": form_token(client, "/questions/ask", "/questions/ask")}
        assert client.post("/questions/ask", data=data).status_code == 302
    assert count(db, Question) == 2


def test_a_double_clicked_answer_arriving_at_once_is_posted_once(served_app, factories, db):
    question = factories.question(author=factories.user(username="asker"))
    answerer = factories.user(username="answerer")
    page = f"/questions/{question.id}/{question.slug}"
    action = f"/questions/{question.id}/answer"
    clients = [served_app.test_client() for _ in range(2)]
    for one in clients:
        login(one, answerer)
    token = form_token(clients[0], page, action)
    forms = [{"body": ANSWER, "csrf_token": csrf_token(one, page), "submission_token": token} for one in clients]
    start, locations = threading.Barrier(2), []

    def send(one, form):
        start.wait(timeout=30)
        response = one.post(action, data=form)
        locations.append((response.status_code, response.headers.get("Location")))

    threads = [threading.Thread(target=send, args=pair) for pair in zip(clients, forms)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [status for status, _ in locations] == [302, 302]
    assert locations[0][1] == locations[1][1]
    assert count(db, Answer) == 1


def test_a_resent_comment_is_one_comment(client, factories, db):
    author = factories.user()
    question = factories.question(author=author)
    login(client, author)
    page = f"/questions/{question.id}/{question.slug}"
    action = f"/posts/{question.id}/comments"
    data = {"body": "Which version of the app are you using?", "csrf_token": csrf_token(client, page),
            "submission_token": form_token(client, page, action)}

    assert client.post(action, data=data).status_code == 302
    assert client.post(action, data=data).status_code == 302
    assert count(db, Comment) == 1


def test_a_form_that_failed_validation_can_be_fixed_and_sent_with_the_same_token(client, factories, db):
    """Only a form that created something is spent: an error page keeps the token, and fixing it posts."""
    login(client, factories.user())
    token = form_token(client, "/questions/ask", "/questions/ask")
    short = {**QUESTION, "body": "Too short.", "csrf_token": csrf_token(client, "/questions/ask"),
             "submission_token": token}
    refused = client.post("/questions/ask", data=short)
    assert refused.status_code == 400 and token in text(refused)

    assert client.post("/questions/ask", data={**short, "body": QUESTION["body"]}).status_code == 302
    assert count(db, Question) == 1
