"""Screening posts for personal data in the services: who is screened, what a hold records."""
import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Flag, FlagReason, FlagStatus, Notification
from forum.services.community import comments, posts
from forum.services.moderation import flags
from forum.services.moderation.holds import PersonalDataFound
from tests.factories import make_answer, make_question, make_user

BODY = "Please call me back on 03-1234-5678 during office hours, the sync is broken."


def test_unscreened_callers_post_as_before(db):
    question = posts.ask_question(make_user(commit=False), "Sync stops after the update", BODY, "sync")
    db.session.flush()
    assert not question.is_hidden


def test_screened_posting_refuses_and_lists_masked_findings(db):
    with pytest.raises(PersonalDataFound) as raised:
        posts.ask_question(make_user(commit=False), "Sync stops after the update", BODY, "sync", post_anyway=False)
    assert raised.value.described() == [{"kind": "phone", "label": "Phone number", "masked": "03-****-5678"}]


def test_a_held_answer_tells_nobody_and_staff_review_unhides_it(db):
    question = make_question()
    answer = posts.post_answer(make_user(commit=False), question, BODY, post_anyway=True)
    db.session.commit()
    assert answer.is_hidden
    assert db.session.scalar(select(Notification.id).where(Notification.user_id == question.author_id)) is None
    flags.resolve(make_user(role="moderator", commit=False), answer, FlagStatus.DISMISSED)
    db.session.commit()
    assert not answer.is_hidden


def test_an_edit_that_adds_personal_data_is_held_and_flagged_once(db):
    answer = make_answer(make_question())
    posts.edit_answer(answer.author, answer, BODY, post_anyway=True)
    posts.edit_answer(answer.author, answer, BODY + " Or 090-1111-2222.", post_anyway=True)
    db.session.commit()
    found = db.session.scalars(select(Flag).where(Flag.post_id == answer.id)).all()
    assert answer.is_hidden and [(f.reason, f.status, f.text) for f in found] == [
        (FlagReason.PERSONAL_DATA, FlagStatus.PENDING, "phone")]


def test_a_comment_posted_anyway_stays_and_queues_its_post(db):
    question = make_question()
    comment = comments.add_comment(question.author, question, "Mail me: hanako@example.jp please", post_anyway=True)
    db.session.commit()
    assert comment.id and not question.is_hidden
    flag = db.session.scalar(select(Flag).where(Flag.post_id == question.id))
    assert flag.reason == FlagReason.PERSONAL_DATA and flag.text == f"email (comment {comment.id})"
