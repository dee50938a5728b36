"""Closing, reopening and locking through the pages, and staff deletes being audited."""
import html

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import (
    AuditLogEntry,
    CloseVote,
    Notification,
    NotificationKind,
    Post,
    PostLink,
    Role,
)
from tests.factories import make_answer, make_question, make_user
from tests.helpers import counted_statements, login, post_form, question_url, text

JSON = {"Accept": "application/json"}
ANSWER = "Sign out, sign in again and then re-run the sync from the menu."
COMMENT = "Which version of the app are you using?"


def user_with(reputation: int, **kwargs):
    user = make_user(commit=False, **kwargs)
    user.reputation = reputation
    db.session.commit()
    return user


def signed_in(served_app, user):
    """A separate browser for each person."""
    client = served_app.test_client()
    login(client, user)
    return client


def staff_user():
    return make_user(role=Role.MODERATOR)


def closer():
    return user_with(500)  # the small-community close threshold


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def audit(action: str) -> list[AuditLogEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditLogEntry).where(AuditLogEntry.action == action)))


def page(client, question) -> str:
    return html.unescape(text(client.get(question_url(question))))


def close(client, question, reason, duplicate_of=""):
    return post_form(client, f"/questions/{question.id}/close", {"reason": reason, "duplicate_of": duplicate_of},
                     page=question_url(question))


# --- closing and reopening -------------------------------------------------------------------------------------

def test_staff_close_at_once_with_audit_banner_and_no_answers(client):
    question = make_question()
    staff = staff_user()
    login(client, staff)
    assert close(client, question, "off_topic").status_code == 302
    closed = fresh(Post, question.id)
    assert closed.is_closed and closed.close_reason == "off_topic"
    assert [e.target_id for e in audit("post.close")] == [question.id]
    body = page(client, question)
    assert "Closed as off-topic" in body and staff.username in body
    assert "This question is closed: off-topic. It is not accepting answers." in body
    assert "Post your answer" not in body
    response = post_form(client, f"/questions/{question.id}/answer", {"body": ANSWER}, page=question_url(question))
    assert response.status_code == 409
    assert "not accepting answers" in html.unescape(text(response))
    assert "[closed]" in text(client.get("/questions"))
    notes = db.session.scalars(select(Notification.kind).where(Notification.user_id == question.author_id)).all()
    assert NotificationKind.MODERATION in notes


def test_duplicate_banner_links_the_original(client):
    original = make_question(title="How do I reset the sync database safely?")
    question = make_question()
    login(client, staff_user())
    response = close(client, question, "duplicate", f"http://localhost/questions/{original.id}/some-slug")
    assert response.status_code == 302
    body = page(client, question)
    assert "This question already has an answer here:" in body
    assert f'href="/questions/{original.id}/{original.slug}">How do I reset the sync database safely?</a>' in body
    link = db.session.scalar(select(PostLink).where(PostLink.post_id == question.id))
    assert (link.related_post_id, link.link_type) == (original.id, PostLink.DUPLICATE)
    assert "[duplicate]" in text(client.get("/questions"))


def test_close_page_works_without_javascript_and_keeps_bad_input(client):
    question = make_question()
    login(client, closer())
    form = text(client.get(f"/questions/{question.id}/close"))
    for reason in ("duplicate", "off_topic", "needs_details", "resolved_by_support"):
        assert f'value="{reason}"' in form
    assert 'name="duplicate_of"' in form
    response = close(client, question, "duplicate", "not a question")
    assert response.status_code == 400
    assert "Enter the URL or the number of the original question." in html.unescape(text(response))
    assert 'value="not a question"' in text(response)
    assert close(client, question, "duplicate", str(question.id)).status_code == 400  # itself
    assert db.session.scalar(select(CloseVote.id)) is None


def test_three_votes_close_two_do_not_and_votes_can_be_retracted(served_app):
    question = make_question()
    first, second, third, late = (signed_in(served_app, closer()) for _ in range(4))
    assert close(first, question, "needs_details").status_code == 302
    assert close(first, question, "needs_details").status_code == 409  # one vote per user
    assert post_form(first, f"/questions/{question.id}/close/retract", page=question_url(question)).status_code == 302
    assert close(first, question, "off_topic").status_code == 302
    assert close(second, question, "needs_details").status_code == 302
    assert not fresh(Post, question.id).is_closed  # two votes are not enough
    assert "2 of 3 votes so far." in text(second.get(f"/questions/{question.id}/close"))
    assert close(third, question, "off_topic").status_code == 302
    closed = fresh(Post, question.id)
    assert closed.is_closed and closed.close_reason == "off_topic"
    assert audit("post.close") == []  # members' votes are not staff actions
    assert close(late, question, "off_topic").status_code == 409  # already closed


def test_close_needs_the_privilege(client):
    question = make_question()
    login(client, user_with(10))
    response = client.get(f"/questions/{question.id}/close")
    assert response.status_code == 403
    assert "reputation to vote to close or reopen questions" in html.unescape(text(response))
    assert close(client, question, "off_topic").status_code == 403
    assert "Close</a>" not in page(client, question)
    assert not fresh(Post, question.id).is_closed


def test_reopen_by_staff_and_by_votes(client):
    question = make_question()
    staff = staff_user()
    login(client, staff)
    close(client, question, "off_topic")
    body = page(client, question)
    assert "Reopen</a>" in body
    response = post_form(client, f"/questions/{question.id}/reopen", {"reason": "Now on topic"},
                         page=f"/questions/{question.id}/close")
    assert response.status_code == 302
    assert not fresh(Post, question.id).is_closed
    assert [e.reason for e in audit("post.reopen")] == ["Now on topic"]
    assert post_form(client, f"/questions/{question.id}/reopen", page=question_url(question)).status_code == 409
    assert "Post your answer" in page(client, question)


def test_members_vote_to_reopen(served_app):
    question = make_question()
    close(signed_in(served_app, staff_user()), question, "needs_details")
    for _ in range(3):
        assert fresh(Post, question.id).is_closed  # until the third vote
        voter = signed_in(served_app, closer())
        assert post_form(voter, f"/questions/{question.id}/reopen", page=question_url(question)).status_code == 302
    assert not fresh(Post, question.id).is_closed


# --- locking ---------------------------------------------------------------------------------------------------

@pytest.fixture
def locked_thread(client, served_app):
    asker = make_user()
    question = make_question(author=asker)
    answer = make_answer(question)
    login(client, staff_user())
    response = post_form(client, f"/questions/{question.id}/lock", {"reason": "Heated"}, page=question_url(question))
    assert response.status_code == 302
    return signed_in(served_app, asker), question, answer


def test_locked_thread_refuses_votes_answers_comments_and_accepts(client, locked_thread):
    client, question, answer = locked_thread
    assert [e.reason for e in audit("post.lock")] == ["Heated"]
    body = page(client, question)
    assert "This thread is locked by staff" in body
    assert "Post your answer" not in body and "Add a comment" not in body and 'class="vote-form"' not in body
    attempts = [
        (f"/posts/{answer.id}/vote", {"value": "1"}),
        (f"/answers/{answer.id}/accept", {}),
        (f"/posts/{answer.id}/comments", {"body": COMMENT}),
        (f"/questions/{question.id}/answer", {"body": ANSWER}),
    ]
    for url, data in attempts:
        response = post_form(client, url, data, page=question_url(question))
        assert response.status_code == 403, url
        assert "This thread is locked" in html.unescape(text(response)), url
    db.session.expire_all()
    assert fresh(Post, answer.id).score == 0 and fresh(Post, question.id).accepted_answer_id is None


def test_unlock_restores_the_thread(client, locked_thread):
    asker, question, answer = locked_thread
    assert post_form(client, f"/questions/{question.id}/unlock", page=question_url(question)).status_code == 302
    assert len(audit("post.unlock")) == 1
    assert post_form(asker, f"/posts/{answer.id}/vote", {"value": "1"}, page=question_url(question)).status_code == 302
    assert fresh(Post, answer.id).score == 1


def test_members_cannot_lock(client):
    question = make_question()
    login(client, closer())
    for action in ("lock", "unlock"):
        response = post_form(client, f"/questions/{question.id}/{action}", page=question_url(question))
        assert response.status_code == 403
    assert not fresh(Post, question.id).is_locked
    assert "Lock</summary>" not in page(client, question)


# --- staff delete and undelete ---------------------------------------------------------------------------------

def test_staff_delete_and_undelete_of_someone_elses_post_is_audited_and_notified(client):
    answer = make_answer(make_question())
    login(client, staff_user())
    assert post_form(client, f"/posts/{answer.id}/delete", page=question_url(answer.question)).status_code == 302
    assert post_form(client, f"/posts/{answer.id}/undelete", page="/questions").status_code == 302
    assert [e.target_id for e in audit("post.delete")] == [answer.id]
    assert [e.target_id for e in audit("post.undelete")] == [answer.id]
    kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == answer.author_id)).all()
    assert kinds.count(NotificationKind.MODERATION) == 2


def test_deleting_your_own_post_is_not_a_staff_action(client):
    member = make_user()
    answer = make_answer(make_question(), author=member)
    login(client, member)
    post_form(client, f"/posts/{answer.id}/delete", page=question_url(answer.question))
    assert audit("post.delete") == []


def test_duplicate_banner_costs_at_most_one_query(client):
    open_question, original, duplicate = make_question(), make_question(), make_question()
    login(client, staff_user())
    close(client, duplicate, "duplicate", str(original.id))

    def queries(question) -> int:
        client.get(question_url(question))  # the first view records the viewer
        with counted_statements() as statements:
            assert client.get(question_url(question)).status_code == 200
        return len(statements)

    assert queries(duplicate) <= queries(open_question) + 1


def test_anonymous_readers_see_the_closed_notice_without_controls(client, served_app):
    question = make_question()
    close(signed_in(served_app, staff_user()), question, "off_topic")
    body = page(client, question)
    assert "This question is closed: off-topic. It is not accepting answers." in body
    assert "Know the answer?" not in body
    assert "Reopen</a>" not in body and "Lock</summary>" not in body and "Suggest edit" not in body
