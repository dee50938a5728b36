"""Deleting an account: what is erased, what stays (anonymised) or goes, and that reputation and search stay true."""
import json

import pytest
from sqlalchemy import func, select

from forum import search
from forum.extensions import db
from forum.models import (
    AuditLogEntry, Comment, Feedback, Notification, OutgoingEmail, Post, PostRevision, ReputationEvent, Role, User,
    UserBadge, UserSession, Vote,
)
from forum.passwords import verify_password
from forum.permissions import can_undelete
from forum.services import errors
from forum.services.people import deletion, export, sessions
from forum.services.reputation import votes
from forum.services.reputation.audit import find_drift
from forum.services.reputation.ledger import ReputationRules
from forum.services.reputation.votes import VotePolicy
from tests.factories import PASSWORD, make_answer, make_comment, make_question, make_user

RULES = ReputationRules()
POLICY = VotePolicy(rules=RULES, thresholds={"vote_up": 0, "vote_down": 0})


def vote(voter, post, value=1):
    votes.cast_vote(voter, post, value, POLICY)
    db.session.commit()


def stored_author(app, question_id: int) -> str:
    searcher = app.extensions["kotae_search"].backend.index.searcher()
    return searcher.document(id=str(question_id))["author"]


def reputation(user) -> int:
    db.session.expire_all()
    return db.session.get(User, user.id).reputation_total


@pytest.fixture(autouse=True)
def _app(app):
    """Every test here works on the test's own app and database."""
    return app


@pytest.fixture
def admin():
    return make_user(role=Role.ADMIN)


def test_anonymising_scrubs_the_account_and_keeps_its_posts(app, admin):
    member = make_user(username="hanako", email="hanako@example.com")
    member.about_md, member.locale = "I live in Osaka.", "ja"
    question = make_question(author=member, title="How do I export my notes to PDF files?")
    answer = make_answer(make_question(), author=member)
    comment = make_comment(question, author=member)
    sessions.open_session(member)
    db.session.add(OutgoingEmail(to_address="hanako@example.com", subject="s", body="b"))
    db.session.commit()
    assert stored_author(app, question.id) == "hanako"

    deletion.delete_account_as_admin(admin, member, deletion.ANONYMISE, RULES)
    db.session.commit()

    gone = db.session.get(User, member.id)
    assert gone.deleted_at is not None and gone.username == f"deleted user {member.id}"
    assert "hanako" not in (gone.email + gone.username + gone.about_md + (gone.locale or ""))
    assert not verify_password(gone.password_hash, PASSWORD)
    for model in (UserSession, Notification, UserBadge):
        assert db.session.scalar(select(func.count()).select_from(model).where(model.user_id == member.id)) == 0
    assert db.session.scalar(select(func.count(OutgoingEmail.id))) == 0
    for post in (question, answer):
        db.session.refresh(post)
        assert post.deleted_at is None and post.author_id == member.id
    assert db.session.get(Comment, comment.id).deleted_at is None
    assert stored_author(app, question.id) == f"deleted user {member.id}", "the old name left the index"
    assert search.check().ok
    entry = db.session.scalar(select(AuditLogEntry).where(AuditLogEntry.action == "user.delete"))
    assert entry.actor_id == admin.id and entry.target_id == member.id
    assert json.loads(entry.detail)["posts"] == "anonymise" and "hanako" not in entry.detail + entry.reason


def test_removing_deletes_the_posts_and_erases_their_text(app, admin):
    member = make_user()
    question = make_question(author=member, title="A question with my private serial number")
    others_answer = make_answer(question)
    own_answer = make_answer(make_question(), author=member, body="My licence key is ABCD-1234, does it work?")
    comment = make_comment(make_question(), author=member, body="Call me at 090-1234-5678 please")
    db.session.commit()

    deletion.delete_account_as_admin(admin, member, deletion.REMOVE, RULES)
    db.session.commit()

    for post in (question, own_answer):
        db.session.refresh(post)
        assert post.deleted_at is not None and post.body_md == "" and "serial" not in (post.title or "")
    assert db.session.scalar(select(func.count(PostRevision.id)).where(
        PostRevision.post_id.in_([question.id, own_answer.id]))) == 0
    erased = db.session.get(Comment, comment.id)
    assert erased.deleted_at is not None and erased.body == ""
    assert db.session.get(Post, others_answer.id).deleted_at is None, "others' answers are theirs"
    assert search.check().ok
    assert not can_undelete(admin, db.session.get(Post, question.id))


@pytest.mark.parametrize("option", deletion.POST_OPTIONS)
@pytest.mark.parametrize("app_config", [{"PRIVILEGE_PRESET": "small", "REPUTATION_RULES": {"daily_cap": 20}}])
def test_the_votes_cast_are_taken_back_and_the_ledger_has_no_drift(app, admin, runner, option):
    rules = app.config["REPUTATION"]
    policy = VotePolicy(rules=rules, thresholds={"vote_up": 0, "vote_down": 0})
    voter, others = make_user(), [make_user(), make_user()]
    author = make_user()
    answer = make_answer(make_question(), author=author)
    own_question = make_question(author=voter)
    for user in (voter, *others):  # 10 + 10 + 0: the third upvote hits the daily cap of 20
        votes.cast_vote(user, answer, 1, policy)
    votes.cast_vote(voter, make_answer(make_question(), author=others[0]), -1, policy)  # costs the voter 1
    votes.cast_vote(others[1], own_question, 1, policy)
    db.session.commit()
    assert reputation(author) == 20

    deletion.delete_account_as_admin(admin, voter, option, rules)
    db.session.commit()

    assert reputation(author) == 20, "the capped upvote counts now that the deleted member's is gone"
    assert db.session.scalar(select(func.count(Vote.id)).where(Vote.user_id == voter.id)) == 0
    assert db.session.get(Post, answer.id).score == 2
    assert find_drift(rules) == []
    assert runner.invoke(args=["reputation", "recompute", "--check"]).exit_code == 0


def test_the_last_administrator_cannot_be_deleted(admin):
    with pytest.raises(errors.Conflict):
        deletion.delete_own_account(admin, PASSWORD, RULES)
    second = make_user(role=Role.ADMIN)
    deletion.delete_account_as_admin(second, admin, deletion.ANONYMISE, RULES)
    with pytest.raises(errors.Conflict):
        deletion.delete_account_as_admin(second, second, deletion.ANONYMISE, RULES)


def test_only_administrators_delete_other_accounts_and_a_password_is_needed_for_ones_own():
    moderator, member = make_user(role=Role.MODERATOR), make_user()
    with pytest.raises(errors.Forbidden):
        deletion.delete_account_as_admin(moderator, member, deletion.ANONYMISE, RULES)
    with pytest.raises(errors.Invalid):
        deletion.delete_own_account(member, "not my password", RULES)
    assert db.session.get(User, member.id).deleted_at is None


def test_feedback_stays_in_the_rates_but_no_longer_names_the_member(admin):
    member = make_user()
    question = make_question()
    db.session.add(Feedback(target_type="thread", target_id=question.id, visitor_key=f"user:{member.id}",
                            user_id=member.id, outcome="resolved"))
    db.session.commit()
    deletion.delete_account_as_admin(admin, member, deletion.ANONYMISE, RULES)
    db.session.commit()
    [row] = db.session.scalars(select(Feedback)).all()
    assert row.user_id is None and str(member.id) not in row.visitor_key and row.outcome == "resolved"


def test_the_export_has_the_members_data_and_nothing_private_of_others():
    member = make_user(username="sora", email="sora@example.com")
    other = make_user(username="riku", email="riku@example.com")
    question = make_question(author=member, title="Where are my exported notes stored?")
    answer = make_answer(question, author=other)
    make_comment(answer, author=member, body="Thanks, that solved it for me!")
    make_answer(make_question(author=other, title="Riku's own question about sync"), author=other)
    vote(member, answer)
    vote(other, question)
    sessions.open_session(member, user_agent="Firefox", address="198.51.100.7")
    db.session.commit()

    data = export.export_user_data(member)
    dumped = json.dumps(data, ensure_ascii=False)
    assert data["profile"]["email"] == "sora@example.com" and data["profile"]["username"] == "sora"
    assert [post["title"] for post in data["posts"]] == ["Where are my exported notes stored?"]
    assert data["revisions"][0]["post_id"] == question.id
    assert data["comments"][0]["body"] == "Thanks, that solved it for me!"
    assert data["votes"] == [{"post_id": answer.id, "value": 1, "created_at": data["votes"][0]["created_at"]}]
    assert data["sessions"][0]["user_agent"] == "Firefox" and "token" not in json.dumps(data["sessions"])
    assert data["reputation_events"][0]["amount"] == 10, "the upvote on the question"
    assert data["notifications"], "riku's answer was notified"
    assert "riku@example.com" not in dumped and "Riku's own question" not in dumped
    assert all("actor" not in event for event in data["reputation_events"]), "who voted stays private"
    assert set(data) >= {"posts", "comments", "votes", "feedback", "notifications", "sessions", "reputation_events",
                         "bookmarks", "follows"}


def test_reputation_events_of_a_deleted_member_keep_the_ledger_whole(admin, runner):
    member = make_user()
    question = make_question(author=member)
    vote(make_user(), question)
    deletion.delete_account_as_admin(admin, member, deletion.ANONYMISE, RULES)
    db.session.commit()
    assert db.session.scalar(select(func.sum(ReputationEvent.amount)).where(
        ReputationEvent.user_id == member.id, ReputationEvent.reversed_at.is_(None))) == 10
    assert runner.invoke(args=["reputation", "recompute", "--check"]).exit_code == 0
