"""Closing, reopening and locking questions at the service level."""
import pytest
from sqlalchemy import func, select

from forum.models import (
    AuditLogEntry,
    CloseReason,
    CloseVote,
    Notification,
    NotificationKind,
    PostLink,
    Role,
)
from forum.services.moderation import closing, locking
from forum.services.errors import Conflict, Forbidden, Invalid
from forum.services.reputation.privileges import SMALL_COMMUNITY_THRESHOLDS as THRESHOLDS
from tests.factories import make_question, make_user


def closer(reputation=THRESHOLDS["close"]):
    user = make_user(commit=False)
    user.reputation = reputation
    return user


@pytest.fixture
def staff(app):
    return make_user(role=Role.MODERATOR, commit=False)


def audit_actions(db):
    return list(db.session.scalars(select(AuditLogEntry.action).order_by(AuditLogEntry.id)))


def test_staff_close_is_immediate_logged_and_notified(db, staff):
    question = make_question(commit=False)
    closing.close_question(staff, question, CloseReason.OFF_TOPIC)
    assert question.is_closed and question.close_reason == "off_topic" and question.closed_by_id == staff.id
    assert audit_actions(db) == ["post.close"]
    notes = list(db.session.scalars(select(Notification).where(Notification.user_id == question.author_id)))
    assert [n.kind for n in notes] == [NotificationKind.MODERATION]


def test_staff_close_as_duplicate_links_the_original(db, staff):
    original, question = make_question(commit=False), make_question(commit=False)
    closing.close_question(staff, question, CloseReason.DUPLICATE, duplicate_of=original.id)
    assert question.duplicate_of_id == original.id
    link = db.session.scalar(select(PostLink).where(PostLink.post_id == question.id))
    assert (link.related_post_id, link.link_type) == (original.id, PostLink.DUPLICATE)
    assert closing.duplicate_original(question) is original


@pytest.mark.parametrize("target", ["self", "missing", "deleted", None])
def test_duplicate_needs_another_existing_question(db, staff, target):
    question, other = make_question(commit=False), make_question(commit=False)
    other.deleted_at = other.created_at
    ref = {"self": question.id, "missing": 999999, "deleted": other.id, None: None}[target]
    with pytest.raises(Invalid):
        closing.close_question(staff, question, CloseReason.DUPLICATE, duplicate_of=ref)
    assert not question.is_closed


def test_members_cannot_close_at_once(db):
    with pytest.raises(Forbidden):
        closing.close_question(closer(), make_question(commit=False), CloseReason.OFF_TOPIC)


def test_three_votes_close_with_the_most_common_reason(db):
    question = make_question(commit=False)
    voters = [closer() for _ in range(3)]
    assert not closing.vote_to_close(voters[0], question, "needs_details", None, THRESHOLDS).closed_now
    outcome = closing.vote_to_close(voters[1], question, "off_topic", None, THRESHOLDS)
    assert (outcome.closed_now, outcome.votes, outcome.needed) == (False, 2, 3)
    assert not question.is_closed
    assert closing.vote_to_close(voters[2], question, "needs_details", None, THRESHOLDS).closed_now
    assert question.close_reason == "needs_details" and question.closed_by_id == voters[2].id
    assert db.session.scalar(select(func.count(CloseVote.id))) == 0  # votes are cleared once acted on
    assert audit_actions(db) == []  # members are not staff: nothing to audit


def test_duplicate_votes_pick_the_most_voted_original(db):
    question, first, second = (make_question(commit=False) for _ in range(3))
    for target in (first, second, second):
        closing.vote_to_close(closer(), question, "duplicate", target.id, THRESHOLDS)
    assert question.duplicate_of_id == second.id


def test_one_vote_per_user_and_retract(db):
    question, voter = make_question(commit=False), closer()
    closing.vote_to_close(voter, question, "off_topic", None, THRESHOLDS)
    with pytest.raises(Conflict):
        closing.vote_to_close(voter, question, "off_topic", None, THRESHOLDS)
    closing.retract_vote(voter, question)
    assert closing.pending_count(question) == 0
    with pytest.raises(Conflict):
        closing.retract_vote(voter, question)


def test_voting_needs_the_privilege(db):
    with pytest.raises(Forbidden):
        closing.vote_to_close(closer(reputation=1), make_question(commit=False), "off_topic", None, THRESHOLDS)


def test_reopen_by_votes_and_by_staff(db, staff):
    question = make_question(commit=False)
    closing.close_question(staff, question, CloseReason.DUPLICATE, duplicate_of=make_question(commit=False))
    with pytest.raises(Conflict):
        closing.vote_to_close(closer(), question, "off_topic", None, THRESHOLDS)
    for _ in range(3):
        closing.vote_to_reopen(closer(), question, THRESHOLDS)
    assert not question.is_closed and question.duplicate_of_id is None
    assert db.session.scalar(select(func.count(PostLink.id))) == 0
    with pytest.raises(Conflict):
        closing.reopen_question(staff, question)
    closing.close_question(staff, question, CloseReason.OFF_TOPIC)
    closing.reopen_question(staff, question, "Edited to be on topic")
    assert audit_actions(db) == ["post.close", "post.close", "post.reopen"]


def test_lock_is_staff_only_logged_and_blocks_close_votes(db, staff):
    question = make_question(commit=False)
    with pytest.raises(Forbidden):
        locking.lock_thread(closer(), question)
    locking.lock_thread(staff, question, "Heated discussion")
    with pytest.raises(Conflict):
        locking.lock_thread(staff, question)
    with pytest.raises(Forbidden, match="locked"):
        closing.vote_to_close(closer(), question, "off_topic", None, THRESHOLDS)
    locking.unlock_thread(staff, question)
    entries = list(db.session.scalars(select(AuditLogEntry).order_by(AuditLogEntry.id)))
    assert [(e.action, e.reason) for e in entries] == [("post.lock", "Heated discussion"), ("post.unlock", "")]


@pytest.mark.parametrize("text, expected", [
    ("123", 123), (" /questions/45/some-slug ", 45), ("https://example.com/questions/7/x?tab=votes", 7), ("", None),
])
def test_parse_question_ref(text, expected):
    assert closing.parse_question_ref(text) == expected


def test_parse_question_ref_rejects_other_text():
    with pytest.raises(Invalid):
        closing.parse_question_ref("see the other one")
