"""Questions, answers and comments through the pages a member uses."""
import html
import re

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Post, Question
from tests.factories import make_answer, make_question, make_user
from tests.helpers import SAMPLE_ANSWER as ANSWER
from tests.helpers import SAMPLE_BODY as BODY
from tests.helpers import SAMPLE_TITLE as TITLE
from tests.helpers import ask, login, post_form, text
from tests.helpers import question_url as url


def field_errors(response) -> list[str]:
    return re.findall(r'<p class="error" role="alert">([^<]*)</p>', text(response))


def view_count(question_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(Post.view_count).where(Post.id == question_id))


# --- asking -------------------------------------------------------------------------------------------------

def test_ask_redirects_to_the_new_question_which_is_listed_and_tagged(client, factories):
    login(client, factories.user(username="asker"))
    response = ask(client, tags="Sync, Windows")
    assert response.status_code == 302
    match = re.fullmatch(r"/questions/(\d+)/sync-stops-after-five-minutes-on-windows", response.headers["Location"])
    assert match, response.headers["Location"]
    page = text(client.get(response.headers["Location"]))
    assert TITLE in page and "error E1023" in page
    assert "Your question is posted." in page
    assert TITLE in text(client.get("/questions"))
    assert TITLE in text(client.get("/questions/tagged/windows"))
    assert TITLE in text(client.get("/questions/tagged/Sync"))  # tag URLs ignore case


def test_ask_in_japanese_keeps_a_readable_slug(client, factories):
    login(client, factories.user())
    response = ask(client, title="同期が五分で止まってしまいます。どうすればいいですか？",
                   body="デスクトップアプリの同期が五分ほどで止まり、エラー E1023 が表示されます。対処法はありますか？",
                   tags="同期 windows")
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "同期が五分で止まってしまいます" in text(page)
    assert "同期が五分で止まってしまいます" in text(client.get("/questions/tagged/同期?lang=ja"))


@pytest.mark.parametrize("title, body, tags, message", [
    ("Too short", BODY, "sync", "between 15 and 150 characters"),
    (TITLE, "", "sync", "This field is required."),
    (TITLE, BODY, "a b c d e f", "Use at most 5 tags."),
    (TITLE, BODY, "snake_case", "may only use letters, digits and + # . -"),
    (TITLE, BODY, "sync <b>", "may only use letters, digits and + # . -"),
])
def test_ask_with_bad_input_is_400_and_keeps_what_was_typed(client, factories, title, body, tags, message):
    login(client, factories.user())
    response = ask(client, title=title, body=body, tags=tags)
    assert response.status_code == 400
    page = text(response)
    assert any(message in html.unescape(error) for error in field_errors(response)), field_errors(response)
    assert f'value="{title}"' in page
    assert body in page
    assert f'value="{html.escape(tags)}"' in page
    assert db.session.scalar(select(Question.id)) is None


def test_ask_needs_a_login(client, db):
    response = client.get("/questions/ask")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


# --- reading a question -------------------------------------------------------------------------------------

def test_wrong_or_missing_slug_redirects_permanently_to_the_canonical_url(client, factories):
    question = make_question(title=TITLE)
    for wrong in (f"/questions/{question.id}", f"/questions/{question.id}/old-title", f"/questions/{question.id}/a/b"):
        response = client.get(wrong)
        assert response.status_code == 301, wrong
        assert response.headers["Location"] == url(question)


def test_unknown_question_is_404_with_the_site_error_page(client, db):
    response = client.get("/questions/424242/whatever")
    assert response.status_code == 404
    assert "Page not found" in text(response)
    assert client.get("/questions/424242").status_code == 404


def test_view_count_increments_once_per_viewer(client, factories):
    question = make_question()
    viewer = make_user()
    assert view_count(question.id) == 0
    client.get(url(question))
    client.get(url(question))
    assert view_count(question.id) == 1  # a reload is not a new view
    assert "Viewed 1 time" in text(client.get(url(question)))
    login(client, viewer)
    client.get(url(question))
    client.get(url(question))
    assert view_count(question.id) == 2


def test_answer_permalink_redirects_to_its_anchor_in_the_thread(client, factories):
    question = make_question()
    answer = make_answer(question)
    response = client.get(f"/answers/{answer.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{url(question)}#answer-{answer.id}"
    assert client.get(f"/answers/{question.id}").status_code == 404  # a question is not an answer
    assert client.get("/answers/424242").status_code == 404


# --- answering and commenting -------------------------------------------------------------------------------

def test_answer_another_users_question(client, factories):
    question = make_question()
    login(client, make_user(username="helper"))
    response = post_form(client, f"/questions/{question.id}/answer", {"body": ANSWER})
    assert response.status_code == 302
    answer_id = db.session.scalar(select(Post.id).where(Post.question_id == question.id))
    assert response.headers["Location"] == f"{url(question)}#answer-{answer_id}"
    page = text(client.get(url(question)))
    assert ANSWER in page
    assert "1 answer" in page
    assert f'id="answer-{answer_id}"' in page


def test_too_short_answer_is_400_and_keeps_the_typed_text(client, factories):
    question = make_question(title=TITLE)
    login(client, make_user())
    response = post_form(client, f"/questions/{question.id}/answer", {"body": "Restart it."})
    assert response.status_code == 400
    page = text(response)
    assert "Restart it." in page
    assert TITLE in page
    assert field_errors(response)


def test_answering_needs_a_login(client, factories):
    question = make_question()
    response = post_form(client, f"/questions/{question.id}/answer", {"body": ANSWER})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_comment_on_a_question_and_on_an_answer(client, factories):
    question = make_question()
    answer = make_answer(question)
    login(client, make_user(username="commenter"))
    on_question = post_form(client, f"/posts/{question.id}/comments", {"body": "Which version of the app is this?"})
    assert on_question.status_code == 302
    assert on_question.headers["Location"].endswith(f"#comments-{question.id}")
    on_answer = post_form(client, f"/posts/{answer.id}/comments", {"body": "This worked for me, **thanks**!"})
    assert on_answer.status_code == 302
    assert on_answer.headers["Location"].endswith(f"#comments-{answer.id}")
    page = text(client.get(url(question)))
    assert "Which version of the app is this?" in page
    assert "This worked for me, <strong>thanks</strong>!" in page


def test_too_short_comment_is_400(client, factories):
    question = make_question()
    login(client, make_user())
    response = post_form(client, f"/posts/{question.id}/comments", {"body": "Why?"})
    assert response.status_code == 400
    assert "Bad request" in text(response)


# --- editing ------------------------------------------------------------------------------------------------

def test_edit_own_question_saves_a_revision_shown_in_history(client, factories):
    author = make_user()
    question = make_question(author=author, title=TITLE, body=BODY, tags="sync")
    login(client, author)
    form = client.get(f"/questions/{question.id}/edit")
    assert form.status_code == 200
    assert f'value="{TITLE}"' in text(form)
    response = post_form(client, f"/questions/{question.id}/edit", {
        "title": TITLE, "body": BODY + "\n\nUpdate: it also happens on macOS.", "tags": "sync macos",
        "summary": "added macOS",
    })
    assert response.status_code == 302
    assert "Update: it also happens on macOS." in text(client.get(response.headers["Location"]))
    history = text(client.get(f"/posts/{question.id}/revisions"))
    assert "Revision 2" in history and "Revision 1" in history
    assert "Update: it also happens on macOS." in history
    assert "added macOS" in history
    assert "macos" in history


def test_saving_an_unchanged_question_adds_no_revision(client, factories):
    author = make_user()
    question = make_question(author=author, title=TITLE, body=BODY, tags="sync windows")
    login(client, author)
    response = post_form(client, f"/questions/{question.id}/edit",
                         {"title": TITLE, "body": BODY, "tags": "sync windows"})
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Nothing changed." in page
    assert "Revision 2" not in text(client.get(f"/posts/{question.id}/revisions"))


def test_edit_own_answer(client, factories):
    question = make_question()
    author = make_user()
    answer = make_answer(question, author=author, body=ANSWER)
    login(client, author)
    assert client.get(f"/answers/{answer.id}/edit").status_code == 200
    response = post_form(client, f"/answers/{answer.id}/edit", {"body": ANSWER + " Then restart the computer."})
    assert response.status_code == 302
    assert response.headers["Location"] == f"{url(question)}#answer-{answer.id}"
    assert "Then restart the computer." in text(client.get(url(question)))


def test_editing_someone_elses_question_is_403(client, factories):
    question = make_question(title=TITLE, body=BODY)
    login(client, make_user())
    assert client.get(f"/questions/{question.id}/edit").status_code == 403
    response = post_form(client, f"/questions/{question.id}/edit",
                         {"title": TITLE + " hijacked", "body": BODY, "tags": "sync"})
    assert response.status_code == 403
    assert "hijacked" not in text(client.get(url(question)))


def test_editing_someone_elses_answer_is_403(client, factories):
    question = make_question()
    answer = make_answer(question, body=ANSWER)
    login(client, make_user())
    assert client.get(f"/answers/{answer.id}/edit").status_code == 403
    response = post_form(client, f"/answers/{answer.id}/edit", {"body": "A completely different body, hijacked."})
    assert response.status_code == 403
    assert ANSWER in text(client.get(url(question)))


# --- deleting -----------------------------------------------------------------------------------------------

def test_deleted_answer_is_hidden_from_others_but_shown_to_its_author(client, factories):
    question = make_question()
    author = make_user()
    other = make_user()
    answer = make_answer(question, author=author, body=ANSWER)
    login(client, author)
    response = post_form(client, f"/posts/{answer.id}/delete", page=url(question))
    assert response.status_code == 302
    own_view = text(client.get(url(question)))
    assert ANSWER in own_view
    assert "This post is deleted." in own_view
    assert "Undelete" in own_view

    anonymous = client.application.test_client()
    anonymous_view = text(anonymous.get(url(question)))
    assert ANSWER not in anonymous_view
    assert "0 answers" in anonymous_view
    assert anonymous.get(f"/answers/{answer.id}").status_code == 404

    someone_else = client.application.test_client()
    login(someone_else, other)
    assert ANSWER not in text(someone_else.get(url(question)))
    assert someone_else.get(f"/answers/{answer.id}").status_code == 404
    assert someone_else.get(f"/posts/{answer.id}/revisions").status_code == 404


def test_undelete_own_answer_brings_it_back(client, factories):
    question = make_question()
    author = make_user()
    answer = make_answer(question, author=author, body=ANSWER)
    login(client, author)
    post_form(client, f"/posts/{answer.id}/delete")
    response = post_form(client, f"/posts/{answer.id}/undelete")
    assert response.status_code == 302
    page = text(client.get(url(question)))
    assert "This post is deleted." not in page
    assert "1 answer" in page


def test_deleted_question_is_404_for_others(client, factories):
    author = make_user()
    question = make_question(author=author, title=TITLE)
    login(client, author)
    response = post_form(client, f"/posts/{question.id}/delete")
    assert response.status_code == 302
    assert "This post is deleted." in text(client.get(url(question)))
    assert TITLE not in text(client.get("/questions"))

    other = client.application.test_client()
    assert other.get(url(question)).status_code == 404
    login(other, make_user())
    assert other.get(url(question)).status_code == 404


def test_author_cannot_delete_a_question_answered_by_others(client, factories):
    author = make_user()
    question = make_question(author=author, title=TITLE)
    make_answer(question)
    login(client, author)
    response = post_form(client, f"/posts/{question.id}/delete")
    assert response.status_code == 409
    assert "cannot be deleted" in text(response)
    assert client.application.test_client().get(url(question)).status_code == 200


def test_deleting_someone_elses_post_is_403(client, factories):
    question = make_question()
    login(client, make_user())
    assert post_form(client, f"/posts/{question.id}/delete").status_code == 403
