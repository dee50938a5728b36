"""Members' thread pages share the rendered posts (forum/presenters.thread_posts): a second member with the same
rights renders nothing of the posts again, yet gets their own CSRF and one-time tokens, never sees another
member's votes, posts or staff links, and sees every change at once."""
import re
from contextlib import contextmanager

import pytest
from flask import template_rendered
from sqlalchemy import func, select

from forum.extensions import db, page_store
from forum.models import Comment, Role
from tests.factories import make_answer, make_comment, make_question, make_user
from tests.helpers import login, post_form, question_url, text

_SUBMISSION = re.compile(r'name="submission_token" value="([^"]+)"')
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def thread(app):
    question = make_question(title="Sync stops after five minutes on Windows")
    answers = [make_answer(question, body=f"Answer {n}: turn off the proxy in Settings, then restart.")
               for n in range(3)]
    make_comment(answers[0], body="Which version of the desktop app are you on?")
    return question, answers


@pytest.fixture
def browsers(served_app):
    """Two more members' browsers beside `client`."""
    return served_app.test_client(), served_app.test_client()


def member(client, reputation: int = 100, role: Role = Role.MEMBER):
    user = make_user(role=role)
    user.reputation = reputation
    db.session.commit()
    login(client, user)
    return user


@contextmanager
def posts_renders(app):
    """How many times the request rendered the thread's posts."""
    rendered = []

    def record(_sender, template, context, **_extra):
        if template.name == "questions/_posts.html":
            rendered.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield rendered
    finally:
        template_rendered.disconnect(record, app)


def view(client, question) -> str:
    response = client.get(question_url(question))
    assert response.status_code == 200
    assert response.headers["X-Cache"] == "bypass"  # a member's page is never a stored page
    return text(response)


def test_a_second_member_with_the_same_rights_reuses_the_posts_with_their_own_tokens(served_app, client, browsers,
                                                                                    thread):
    question, answers = thread
    first, second = client, browsers[0]
    member(first)
    other = member(second)
    with posts_renders(served_app) as rendered:
        page_one = view(first, question)
        page_two = view(second, question)
    assert len(rendered) == 1  # the second member's page reused the first one's posts
    assert "Answer 2: turn off the proxy" in page_two
    tokens_one, tokens_two = set(_CSRF.findall(page_one)), set(_CSRF.findall(page_two))
    assert len(tokens_two) == 1 and tokens_one.isdisjoint(tokens_two)
    submissions = _SUBMISSION.findall(page_two)
    assert len(submissions) == 4 and len(set(submissions)) == 4  # one fresh one-time token per comment form
    assert "kotae-slot" not in page_two
    # The forms on the reused posts work for the second member: their comment is posted once.
    body = "Does this also happen with the proxy turned off?"
    response = second.post(f"/posts/{answers[1].id}/comments", data={
        "csrf_token": tokens_two.pop(), "submission_token": submissions[2], "body": body})
    assert response.status_code == 302
    assert body in view(first, question)
    assert db.session.scalar(select(func.count()).where(Comment.author_id == other.id, Comment.body == body)) == 1


def test_a_members_votes_and_own_posts_are_not_shown_to_another(served_app, client, browsers, thread):
    question, answers = thread
    member(client)
    reader = browsers[0]
    member(reader)
    response = post_form(client, f"/posts/{answers[0].id}/vote", {"value": "1"}, page=question_url(question))
    assert response.status_code == 302
    assert 'class="vote vote-up on"' in view(client, question)
    assert 'class="vote vote-up on"' not in view(reader, question)
    assert 'class="vote vote-up on"' in view(client, question)
    # The author of an answer gets its edit and delete links; another member with the same rights does not.
    author = browsers[1]
    own = make_answer(question, author=member(author), body="My own answer: reinstalling the app fixed it.")
    mine, theirs = view(author, question), view(reader, question)
    assert f'/answers/{own.id}/edit' in mine and f'/posts/{own.id}/delete' in mine
    assert f'/answers/{own.id}/edit' not in theirs and f'/posts/{own.id}/delete' not in theirs


def test_staff_controls_never_reach_members(served_app, client, browsers, thread):
    question, answers = thread
    member(client, role=Role.MODERATOR)
    staff_page = view(client, question)
    assert f"/posts/{answers[0].id}/redact" in staff_page and "lock-form" in staff_page
    reader = browsers[0]
    member(reader)
    page = view(reader, question)
    assert "/redact" not in page and "lock-form" not in page and "Mark official" not in page


def test_earning_the_edit_privilege_shows_the_edit_links_at_once(served_app, client, thread):
    question, answers = thread
    user = member(client, reputation=10)
    assert f"/answers/{answers[0].id}/edit" not in view(client, question)
    user.reputation = 5000
    db.session.commit()
    assert f"/answers/{answers[0].id}/edit" in view(client, question)


def test_a_new_answer_shows_at_once_to_a_member_who_read_the_thread(served_app, client, browsers, thread):
    question, _answers = thread
    member(client)
    assert "3 answers" in view(client, question)
    writer = browsers[0]
    member(writer)
    response = post_form(writer, f"/questions/{question.id}/answer",
                         {"body": "Updating to version 4.2 fixed it: the proxy setting is kept now."},
                         page=question_url(question))
    assert response.status_code == 302
    page = view(client, question)
    assert "4 answers" in page and "Updating to version 4.2 fixed it" in page


def test_japanese_and_english_readers_get_their_own_labels(served_app, client, browsers, thread):
    question, _answers = thread
    member(client)
    japanese = browsers[0]
    member(japanese)
    english_page = view(client, question)
    response = japanese.get(question_url(question), headers={"Accept-Language": "ja"})
    assert "Add a comment" in english_page
    assert "コメントを追加" in text(response) and "Add a comment" not in text(response)


def test_without_a_reachable_cache_members_get_their_posts_rendered(served_app, client, thread, monkeypatch):
    """The page cache is an optimisation: when its store fails, every member's page renders its posts."""
    def unreachable(*_args, **_kwargs):
        raise ConnectionError("cache store down")

    question, _answers = thread
    member(client)
    monkeypatch.setattr(page_store, "get", unreachable)
    monkeypatch.setattr(page_store, "get_many", unreachable)
    with posts_renders(served_app) as rendered:
        pages = [view(client, question) for _ in range(2)]
    assert len(rendered) == 2
    assert all("Answer 2: turn off the proxy" in page and "kotae-slot" not in page for page in pages)
