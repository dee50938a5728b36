"""Factories with keyword defaults; they flush, and commit only when asked (web tests need committed rows)."""
import itertools

import pytest

from forum.extensions import db
from forum.models import Role
from forum.services.people import accounts
from forum.services.community import comments, posts

_counter = itertools.count(1)
PASSWORD = "correct horse battery"


def make_user(username=None, email=None, password=PASSWORD, role=Role.MEMBER, verified=True, commit=True):
    """A member whose address is confirmed, unless `verified=False` (a fresh sign-up)."""
    n = next(_counter)
    user = accounts.register_user(username or f"user{n}", email or f"user{n}@example.com", password, role=role,
                                  verified=verified)
    _finish(commit)
    return user


def make_question(author=None, title=None, body=None, tags="sync windows", commit=True):
    n = next(_counter)
    author = author or make_user(commit=False)
    question = posts.ask_question(
        author, title or f"How do I fix sync problem number {n}?",
        body or f"Sync stops after a few minutes with error E{n}. I tried restarting the app.", tags,
    )
    _finish(commit)
    return question


def make_answer(question, author=None, body=None, commit=True):
    author = author or make_user(commit=False)
    answer = posts.post_answer(author, question, body or "Try signing out and in again, then re-run the sync.")
    _finish(commit)
    return answer


def make_comment(post, author=None, body="Which version of the app are you using?", commit=True):
    author = author or make_user(commit=False)
    comment = comments.add_comment(author, post, body)
    _finish(commit)
    return comment


def _finish(commit: bool) -> None:
    if commit:
        db.session.commit()
    else:
        db.session.flush()


@pytest.fixture
def factories(app):
    """Access the factories as fixtures' friends: factories.user(), factories.question()..."""
    class Factories:
        user = staticmethod(make_user)
        question = staticmethod(make_question)
        answer = staticmethod(make_answer)
        comment = staticmethod(make_comment)
    return Factories
