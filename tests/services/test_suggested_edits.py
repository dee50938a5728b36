"""Suggested edits and rollback at the service level."""
import pytest
from sqlalchemy import select

from forum.models import (
    AuditLogEntry,
    Notification,
    PostRevision,
    Role,
    SuggestionStatus,
)
from forum.services.moderation import locking, suggested_edits
from forum.services.community import posts
from forum.services.errors import Conflict, Forbidden, Invalid
from forum.services.reputation.privileges import SMALL_COMMUNITY_THRESHOLDS as THRESHOLDS
from tests.factories import make_answer, make_question, make_user

NEW_BODY = "Sync stops after a few minutes with error E1023 on Windows 11 (version 4.2). I tried restarting."


def editor(reputation=THRESHOLDS["edit"]):
    user = make_user(commit=False)
    user.reputation = reputation
    return user


def revisions_of(db, post):
    return list(db.session.scalars(select(PostRevision).where(PostRevision.post_id == post.id)
                                   .order_by(PostRevision.number)))


def suggest(user, question, body=NEW_BODY, title=None, tags=None):
    return suggested_edits.suggest_edit(user, question, title or question.title, body,
                                        tags or " ".join(t.name for t in question.tags), "clarify", THRESHOLDS)


def test_approve_applies_a_revision_credited_to_the_suggester(db):
    question, suggester, reviewer = make_question(commit=False), make_user(commit=False), editor()
    suggestion = suggest(suggester, question, tags="sync windows-11")
    assert question.body_md != NEW_BODY  # nothing changes before review
    suggested_edits.approve(reviewer, suggestion, THRESHOLDS)
    assert question.body_md == NEW_BODY and [t.name for t in question.tags] == ["sync", "windows-11"]
    latest = revisions_of(db, question)[-1]
    assert (latest.number, latest.author_id, latest.summary) == (2, suggester.id, "clarify")
    assert question.editor_id == suggester.id
    assert (suggestion.status, suggestion.reviewer_id) == (SuggestionStatus.APPROVED, reviewer.id)
    assert db.session.scalar(select(Notification.user_id)) == suggester.id
    assert db.session.scalar(select(AuditLogEntry.id)) is None  # the reviewer is not staff


def test_staff_review_is_audited(db):
    answer, suggester = make_answer(make_question(commit=False), commit=False), make_user(commit=False)
    staff = make_user(role=Role.MODERATOR, commit=False)
    suggestion = suggested_edits.suggest_edit(suggester, answer, None, NEW_BODY, None, "", THRESHOLDS)
    suggested_edits.reject(staff, suggestion, THRESHOLDS, "  Changes the meaning  ")
    assert (suggestion.status, suggestion.review_comment) == (SuggestionStatus.REJECTED, "Changes the meaning")
    entry = db.session.scalar(select(AuditLogEntry))
    assert (entry.action, entry.target_id, entry.reason) == ("suggested_edit.reject", answer.id, "Changes the meaning")
    assert answer.body_md != NEW_BODY
    with pytest.raises(Conflict):
        suggested_edits.approve(staff, suggestion, THRESHOLDS)  # already reviewed


def test_suggestion_must_change_something_and_be_the_only_pending_one(db):
    question, suggester = make_question(commit=False), make_user(commit=False)
    with pytest.raises(Invalid):
        suggest(suggester, question, body=question.body_md)
    suggest(suggester, question)
    with pytest.raises(Conflict):
        suggest(suggester, question, body=NEW_BODY + " More.")


@pytest.mark.parametrize("who", ["author", "editor", "locked"])
def test_who_may_not_suggest(db, who):
    question = make_question(commit=False)
    user = {"author": question.author, "editor": editor(), "locked": make_user(commit=False)}[who]
    if who == "locked":
        locking.lock_thread(make_user(role=Role.MODERATOR, commit=False), question)
    with pytest.raises(Forbidden):
        suggest(user, question)


def test_approving_after_the_post_changed_is_a_conflict_and_loses_nothing(db):
    question, suggester = make_question(commit=False), make_user(commit=False)
    suggestion = suggest(suggester, question)
    posts.edit_question(question.author, question, question.title, NEW_BODY + " Edited by the author.", "sync windows")
    with pytest.raises(Conflict, match="edited after"):
        suggested_edits.approve(editor(), suggestion, THRESHOLDS)
    assert question.body_md.endswith("Edited by the author.")
    assert suggestion.status == SuggestionStatus.PENDING


def test_members_cannot_review(db):
    suggestion = suggest(make_user(commit=False), make_question(commit=False))
    with pytest.raises(Forbidden):
        suggested_edits.approve(editor(reputation=1), suggestion, THRESHOLDS)


def test_rollback_adds_a_new_revision_with_the_old_content(db):
    question = make_question(commit=False)
    original = question.body_md
    posts.edit_question(question.author, question, "A completely different title here", NEW_BODY, "other")
    suggested_edits.rollback(question.author, question, 1)
    history = revisions_of(db, question)
    assert [r.number for r in history] == [1, 2, 3]
    assert (history[2].body_md, history[2].title, history[2].tags) == (original, history[0].title, history[0].tags)
    assert history[2].summary == "Rolled back to revision 1"
    assert question.body_md == original and history[1].body_md == NEW_BODY  # nothing lost
    with pytest.raises(Conflict):
        suggested_edits.rollback(question.author, question, 3)  # already current
    with pytest.raises(Forbidden):
        suggested_edits.rollback(editor(), question, 2)  # editors may edit, but not roll back
