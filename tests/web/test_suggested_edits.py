"""Suggested edits, their review queue and rolling back revisions, through the pages."""
import html

from sqlalchemy import select

from forum.extensions import db
from forum.models import (
    AuditLogEntry,
    Notification,
    NotificationKind,
    Post,
    PostRevision,
    Role,
    SuggestedEdit,
    SuggestionStatus,
)
from tests.factories import make_answer, make_question, make_user
from tests.helpers import counted_statements, login, post_form, question_url, text

NEW_BODY = "Sync stops after a few minutes with error E1023 on Windows 11 (app 4.2). I tried restarting."
QUEUE = "/review/suggested-edits"


def signed_in(served_app, user):
    client = served_app.test_client()
    login(client, user)
    return client


def user_with(reputation: int):
    user = make_user(commit=False)
    user.reputation = reputation
    db.session.commit()
    return user


def suggest(client, post, body=NEW_BODY, **fields):
    data = {"body": body, "summary": "added the version", **fields}
    if post.is_question:
        data.setdefault("title", post.title)
        data.setdefault("tags", "sync windows")
    return post_form(client, f"/posts/{post.id}/suggest-edit", data, page=f"/posts/{post.id}/suggest-edit")


def pending() -> list[SuggestedEdit]:
    db.session.expire_all()
    return list(db.session.scalars(select(SuggestedEdit).where(SuggestedEdit.status == SuggestionStatus.PENDING)))


def revisions(post_id: int) -> list[PostRevision]:
    db.session.expire_all()
    return list(db.session.scalars(select(PostRevision).where(PostRevision.post_id == post_id)
                                   .order_by(PostRevision.number)))


def test_suggest_edit_link_form_and_submission(client):
    question = make_question()
    login(client, make_user())
    assert f'href="/posts/{question.id}/suggest-edit"' in text(client.get(question_url(question)))
    form = html.unescape(text(client.get(f"/posts/{question.id}/suggest-edit")))
    assert question.body_md in form and f'value="{question.title}"' in form and 'name="tags"' in form
    response = suggest(client, question)
    assert response.status_code == 302
    [suggestion] = pending()
    assert (suggestion.body_md, suggestion.base_revision, suggestion.summary) == (NEW_BODY, 1, "added the version")
    db.session.expire_all()
    assert db.session.get(Post, question.id).body_md != NEW_BODY  # waits for review
    assert suggest(client, question, NEW_BODY + " Also on macOS.").status_code == 409  # one pending per user
    unchanged = suggest(client, question, question.body_md)
    assert unchanged.status_code == 400
    assert "Your suggestion does not change anything." in html.unescape(text(unchanged))


def test_authors_and_editors_edit_directly(client, served_app):
    question = make_question()
    author = signed_in(served_app, question.author)
    assert author.get(f"/posts/{question.id}/suggest-edit").status_code == 403
    assert "Suggest edit" not in text(author.get(question_url(question)))
    editor = signed_in(served_app, user_with(200))
    assert editor.get(f"/posts/{question.id}/suggest-edit").status_code == 403
    assert client.get(f"/posts/{question.id}/suggest-edit").status_code == 302  # log in first


def test_queue_is_for_staff_and_editors(client, served_app):
    answer = make_answer(make_question())
    suggest(signed_in(served_app, make_user()), answer)
    login(client, make_user())
    assert client.get(QUEUE).status_code == 403
    page = html.unescape(text(signed_in(served_app, user_with(200)).get(QUEUE)))
    assert "+ " + NEW_BODY in page and "- " + answer.body_md in page  # the diff against the current text
    assert signed_in(served_app, make_user(role=Role.MODERATOR)).get(QUEUE).status_code == 200


def test_approve_applies_a_revision_credited_to_the_suggester(served_app):
    answer = make_answer(make_question())
    original = answer.body_md
    suggester = make_user()
    suggest(signed_in(served_app, suggester), answer)
    [suggestion] = pending()
    staff = signed_in(served_app, make_user(role=Role.MODERATOR))
    response = post_form(staff, f"{QUEUE}/{suggestion.id}/approve", page=QUEUE)
    assert response.status_code == 302
    history = revisions(answer.id)
    assert [(r.number, r.author_id, r.body_md) for r in history][-1] == (2, suggester.id, NEW_BODY)
    assert history[0].body_md == original  # the original is kept
    assert pending() == []
    assert db.session.scalar(select(AuditLogEntry.action)) == "suggested_edit.approve"
    notes = db.session.scalars(select(Notification.kind).where(Notification.user_id == suggester.id)).all()
    assert NotificationKind.MODERATION in notes  # (and the Editor badge for the first edit)
    assert post_form(staff, f"{QUEUE}/{suggestion.id}/approve", page=QUEUE).status_code == 409


def test_reject_with_a_comment_leaves_the_post_alone(served_app):
    question = make_question()
    suggest(signed_in(served_app, make_user()), question)
    [suggestion] = pending()
    reviewer = signed_in(served_app, user_with(200))
    response = post_form(reviewer, f"{QUEUE}/{suggestion.id}/reject", {"comment": "Changes the meaning"}, page=QUEUE)
    assert response.status_code == 302
    db.session.expire_all()
    rejected = db.session.get(SuggestedEdit, suggestion.id)
    assert (rejected.status, rejected.review_comment) == (SuggestionStatus.REJECTED, "Changes the meaning")
    assert len(revisions(question.id)) == 1
    assert "No suggested edits are waiting for review." in text(reviewer.get(QUEUE))


def test_approving_after_the_post_changed_is_409_and_loses_nothing(served_app):
    question = make_question()
    suggest(signed_in(served_app, make_user()), question)
    [suggestion] = pending()
    author = signed_in(served_app, question.author)
    post_form(author, f"/questions/{question.id}/edit", {"title": question.title, "tags": "sync windows",
                                                         "body": question.body_md + " Update: fixed by rebooting."},
              page=f"/questions/{question.id}/edit")
    response = post_form(signed_in(served_app, user_with(200)), f"{QUEUE}/{suggestion.id}/approve", page=QUEUE)
    assert response.status_code == 409
    assert "edited after this suggestion" in html.unescape(text(response))
    db.session.expire_all()
    assert db.session.get(Post, question.id).body_md.endswith("Update: fixed by rebooting.")
    assert len(pending()) == 1


def test_queue_queries_do_not_grow_with_suggestions(served_app):
    reviewer = signed_in(served_app, user_with(200))

    def queries() -> int:
        with counted_statements() as statements:
            assert reviewer.get(QUEUE).status_code == 200
        return len(statements)

    suggest(signed_in(served_app, make_user()), make_answer(make_question()))
    queries()  # the reviewer's first page also records when they were last seen; measure the steady state
    few = queries()
    for _ in range(4):
        suggest(signed_in(served_app, make_user()), make_question())
        suggest(signed_in(served_app, make_user()), make_answer(make_question()))
    assert queries() == few


def test_rollback_creates_a_new_revision_and_is_for_author_and_staff(served_app):
    question = make_question()
    original = question.body_md
    author = signed_in(served_app, question.author)
    post_form(author, f"/questions/{question.id}/edit", {"title": question.title, "tags": "sync windows",
                                                         "body": NEW_BODY}, page=f"/questions/{question.id}/edit")
    history_url = f"/posts/{question.id}/revisions"
    assert "Roll back to this revision" in text(author.get(history_url))
    other = signed_in(served_app, user_with(200))
    assert "Roll back to this revision" not in text(other.get(history_url))
    assert post_form(other, f"{history_url}/1/rollback", page=history_url).status_code == 403
    response = post_form(author, f"{history_url}/1/rollback", page=history_url)
    assert response.status_code == 302
    history = revisions(question.id)
    assert [(r.number, r.body_md) for r in history] == [(1, original), (2, NEW_BODY), (3, original)]
    assert history[2].summary == "Rolled back to revision 1"
    assert db.session.get(Post, question.id).body_md == original
    assert db.session.scalar(select(AuditLogEntry.id)) is None  # the author is not staff
    staff = signed_in(served_app, make_user(role=Role.MODERATOR))
    assert post_form(staff, f"{history_url}/2/rollback", page=history_url).status_code == 302
    assert db.session.scalar(select(AuditLogEntry.action)) == "post.rollback"
    assert post_form(staff, f"{history_url}/9/rollback", page=history_url).status_code == 404
