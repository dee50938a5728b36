"""The personal-data guard through HTTP: the warning, posting anyway (held for review), the API, and redaction."""
from sqlalchemy import select

from forum.extensions import db
from forum.models import Answer, AuditLogEntry, Comment, Flag, FlagReason, FlagStatus, Post, PostRevision, Question, Role
from forum.services.community import posts
from tests.api.conftest import bearer, new_token
from tests.factories import make_answer, make_question, make_user
from tests.helpers import SAMPLE_TITLE, ask, login, post_form, question_url, text

PHONE_BODY = "アプリにログインできません。急ぎなので 090-1234-5678 に電話をください。よろしくお願いします。"
EMAIL_ANSWER = "I had the same problem; write to me at taro.yamada@example.com and I will send you the fix."


def pending_flags(post) -> list[tuple[str, int]]:
    db.session.expire_all()
    return [(f.reason, f.user_id) for f in db.session.scalars(
        select(Flag).where(Flag.post_id == post.id, Flag.status == FlagStatus.PENDING))]


def test_asking_with_a_phone_number_shows_what_was_found_and_saves_nothing(client):
    login(client, make_user())
    response = ask(client, body=PHONE_BODY)
    page = text(response)
    assert response.status_code == 400
    assert "090-****-5678" in page and "090-1234-5678" in page.split("<textarea", 1)[1]  # masked; the text kept
    assert "Phone number" in page and 'name="post_anyway"' in page
    assert db.session.scalar(select(Question.id)) is None


def test_posting_anyway_holds_the_question_for_review_until_staff_approve(client, served_app):
    author = make_user()
    login(client, author)
    response = post_form(client, "/questions/ask", {"title": SAMPLE_TITLE, "body": PHONE_BODY, "tags": "sync",
                                                    "post_anyway": "y"}, page="/questions/ask")
    assert response.status_code == 302
    question = db.session.scalar(select(Question))
    assert question.is_hidden and pending_flags(question) == [(FlagReason.PERSONAL_DATA, author.id)]
    page = text(client.get(question_url(question)))
    assert "This post is hidden until a moderator reviews it" in page  # the author sees it, held
    assert served_app.test_client().get(question_url(question)).status_code == 404  # others do not
    audit = db.session.scalar(select(AuditLogEntry).where(AuditLogEntry.action == "post.hold"))
    assert "090" not in (audit.detail + audit.reason)  # kinds only, never the number
    staff = served_app.test_client()
    login(staff, make_user(role=Role.MODERATOR))
    queue = text(staff.get("/review"))
    assert "Personal data (posted anyway)" in queue and f"review-{question.id}" in queue
    assert post_form(staff, f"/review/{question.id}/dismiss", page="/review").status_code == 302
    db.session.expire_all()
    assert not db.session.get(Question, question.id).is_hidden
    assert served_app.test_client().get(question_url(question)).status_code == 200


def test_code_and_version_numbers_are_not_personal_data(client):
    login(client, make_user())
    body = ("After updating to v10.0.19041 the log shows:\n\n```\nE1023 at 192.168.0.1 order ORD-2024-000123 "
            "tel=090-1234-5678\n```\n\nWhat does it mean?")
    assert ask(client, body=body).status_code == 302


def test_answer_with_an_email_address_warns_then_is_held(client):
    question = make_question()
    login(client, make_user())
    url = f"/questions/{question.id}/answer"
    response = post_form(client, url, {"body": EMAIL_ANSWER}, page=question_url(question))
    assert response.status_code == 400 and "t***@example.com" in text(response)
    assert db.session.scalar(select(Answer.id)) is None
    response = post_form(client, url, {"body": EMAIL_ANSWER, "post_anyway": "y"}, page=question_url(question))
    assert response.status_code == 302
    answer = db.session.scalar(select(Answer))
    assert answer.is_hidden and pending_flags(answer)[0][0] == FlagReason.PERSONAL_DATA


def test_editing_in_a_card_number_warns(client):
    answer = make_answer(make_question())
    login(client, answer.author)
    url = f"/answers/{answer.id}/edit"
    response = post_form(client, url, {"body": "Pay with my card 4111 1111 1111 1111 and it works.",
                                       "base_revision": 1}, page=url)
    assert response.status_code == 400 and "**** **** **** 1111" in text(response)
    db.session.expire_all()
    assert "4111" not in db.session.get(Answer, answer.id).body_md


def test_comment_with_my_number_warns_then_queues_its_post(client):
    question = make_question()
    login(client, question.author)
    url = f"/posts/{question.id}/comments"
    body = "マイナンバーは 1234 5678 9018 です。確認してください。"
    response = post_form(client, url, {"body": body}, page=question_url(question))
    assert response.status_code == 400 and "**** **** 9018" in text(response)
    assert db.session.scalar(select(Comment.id)) is None
    response = post_form(client, url, {"body": body, "post_anyway": "y"}, page=question_url(question))
    assert response.status_code == 302
    assert db.session.scalar(select(Comment.id)) is not None
    assert pending_flags(question) == [(FlagReason.PERSONAL_DATA, question.author_id)]
    own_view = text(client.get(question_url(question)))
    assert "9018" in own_view and "waiting for review" in own_view  # the author still sees it, marked
    with client.session_transaction() as session:
        session.clear()
    assert "9018" not in text(client.get(question_url(question)))  # nobody else does
    login(client, make_user(role=Role.MODERATOR))
    assert "9018" in text(client.get(question_url(question)))  # staff review it
    response = post_form(client, f"/review/{question.id}/dismiss", {}, page="/review")
    assert response.status_code == 302
    with client.session_transaction() as session:
        session.clear()
    shown = text(client.get(question_url(question)))
    assert "9018" in shown and "waiting for review" not in shown  # released by the moderator


def test_api_refuses_personal_data_with_a_problem_unless_posted_anyway(client):
    make_question()
    _user, secret = new_token()
    payload = {"title": "Sync stops after the update on my laptop", "body": PHONE_BODY, "tags": ["sync"]}
    response = client.post("/api/v1/questions", headers=bearer(secret), json=payload)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert response.get_json()["errors"] == [{"kind": "phone", "label": "Phone number", "masked": "090-****-5678"}]
    response = client.post("/api/v1/questions", headers=bearer(secret), json={**payload, "post_anyway": True})
    assert response.status_code == 201 and response.get_json()["question"]["held_for_review"] is True
    question = db.session.get(Question, response.get_json()["question"]["id"])
    assert question.is_hidden
    comment = client.post(f"/api/v1/posts/{question.id}/comments", headers=bearer(secret),
                          json={"body": "Or mail me at taro.yamada@example.co.jp instead.", "post_anyway": True})
    assert comment.status_code == 201 and comment.get_json()["held_for_review"] is True
    fine = client.post(f"/api/v1/posts/{question.id}/comments", headers=bearer(secret),
                       json={"body": "Version 2.4.1 of the app, build 20261207."})
    assert fine.status_code == 201 and fine.get_json()["held_for_review"] is False


# --- Redaction -------------------------------------------------------------------------------------------------

def _question_with_history():
    question = make_question(title="Cannot log in after changing my number",
                             body="I changed my phone to 080-9876-5432 and cannot log in since yesterday.")
    posts.edit_question(question.author, question, question.title,
                        "I changed my phone to 080-9876-5432 and cannot log in since yesterday. Help!", "sync")
    db.session.commit()
    return question


def test_staff_redact_a_passage_from_the_post_its_revisions_and_search(client, served_app):
    from forum import search
    from forum.services.community.search import fetch_questions
    question = _question_with_history()
    assert [q.id for q in search.search("080-9876-5432", fetch=fetch_questions).items] == [question.id]
    login(client, make_user(role=Role.MODERATOR))
    url = f"/posts/{question.id}/redact"
    assert url in text(client.get(question_url(question)))
    response = post_form(client, url, {"passage": "080-9876-5432", "reason": "phone number"}, page=url)
    assert response.status_code == 302
    assert "080-9876-5432" not in text(client.get(question_url(question)))
    history = text(client.get(f"/posts/{question.id}/revisions"))
    assert "[redacted]" in history and "080-9876-5432" not in history
    db.session.expire_all()
    bodies = db.session.scalars(select(PostRevision.body_md).where(PostRevision.post_id == question.id)).all()
    assert len(bodies) == 2 and all("080-9876-5432" not in b and "[redacted]" in b for b in bodies)
    post = db.session.get(Post, question.id)
    assert "080-9876-5432" not in post.body_html and "[redacted]" in post.body_md
    assert search.search("080-9876-5432", fetch=fetch_questions).items == []
    assert [q.id for q in search.search("yesterday", fetch=fetch_questions).items] == [question.id]
    entry = db.session.scalar(select(AuditLogEntry).where(AuditLogEntry.action == "post.redact"))
    assert "9876" not in entry.reason + entry.detail


def test_redaction_reaches_the_posts_comments_and_the_notifications_quoting_them(client):
    from forum.models import Notification
    from forum.services.community import comments

    question = make_question()
    commenter = make_user()
    comments.add_comment(commenter, question, "Call our desk on 03-1234-5678 if it keeps failing, please.",
                         post_anyway=None)
    db.session.commit()
    assert "03-1234-5678" in db.session.scalar(select(Notification.text).where(Notification.post_id == question.id))
    login(client, make_user(role=Role.MODERATOR))
    url = f"/posts/{question.id}/redact"
    assert post_form(client, url, {"passage": "03-1234-5678"}, page=url).status_code == 302
    db.session.expire_all()
    comment = db.session.scalar(select(Comment).where(Comment.post_id == question.id))
    assert "03-1234-5678" not in comment.body + comment.body_html and "[redacted]" in comment.body
    assert "03-1234-5678" not in db.session.scalar(select(Notification.text).where(Notification.post_id == question.id))
    assert "03-1234-5678" not in text(client.get(question_url(question)))


def test_redaction_is_for_staff_only_and_needs_text_that_is_there(client, served_app):
    question = _question_with_history()
    url = f"/posts/{question.id}/redact"
    login(client, question.author)
    assert client.get(url).status_code == 403
    assert f"/posts/{question.id}/redact" not in text(client.get(question_url(question)))
    staff = served_app.test_client()
    login(staff, make_user(role=Role.MODERATOR))
    response = post_form(staff, url, {"passage": "not in the post"}, page=url)
    assert response.status_code == 400 and "not in the post, its comments or any of its revisions" in text(response)
