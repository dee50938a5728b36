"""Needs-review triggers (answer edited, outscored, thread closed), re-sync and dismiss; candidate alerts."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.models import FaqReview, ReviewReason, Role, Webhook, WebhookDelivery, WebhookEvent, utcnow
from forum.services.community import posts
from forum.services.reputation import votes
from forum.services.errors import Forbidden
from forum.services.faq import entries, promotion, review
from forum.services.reputation.ledger import ReputationRules
from tests.factories import make_answer, make_question, make_user


@pytest.fixture
def staff(db):
    return make_user(role=Role.ADMIN)


@pytest.fixture
def policy(app):
    return votes.VotePolicy(rules=ReputationRules(), thresholds=app.config["PRIVILEGES"])


@pytest.fixture
def setup(db, staff):
    """A published entry made from a thread whose source answer (score 2) has a sibling at score 1."""
    question = make_question()
    source = make_answer(question, body="Restart the sync from the menu, it picks up where it stopped.")
    other = make_answer(question, body="Reinstall the app; a clean install resets the broken sync state.")
    source.score, other.score = 2, 1
    db.session.commit()
    entry = promotion.promote(staff, question)
    entries.publish(staff, entry, 25, "/faq/1")
    db.session.commit()
    return entry, question, source, other


def open_reviews(db, entry):
    return db.session.scalars(select(FaqReview).where(FaqReview.entry_id == entry.id,
                                                      FaqReview.resolved_at.is_(None))).all()


def test_nothing_to_review_at_first(db, setup):
    entry = setup[0]
    assert open_reviews(db, entry) == [] and not entry.needs_review


def test_editing_the_source_answer_opens_one_review_with_a_diff(db, setup):
    entry, _, source, _ = setup
    posts.edit_answer(source.author, source, source.body_md + "\n\nIf not, sign out and in.")
    db.session.commit()
    posts.edit_answer(source.author, source, source.body_md + " Really.")
    db.session.commit()
    reviews = open_reviews(db, entry)
    assert [(r.reason, r.post_id) for r in reviews] == [(ReviewReason.ANSWER_EDITED, source.id)]
    assert entry.needs_review
    [item] = review.entries_to_review()
    assert item.entry.id == entry.id
    diff = item.items[0].answer_diff
    assert any(line.op == "insert" and "sign out" in line.text for line in diff)
    assert review.count_needing_review() == 1


def test_editing_another_answer_or_the_question_body_opens_nothing(db, setup):
    entry, _, _, other = setup
    posts.edit_answer(other.author, other, other.body_md + " Or wait.")
    db.session.commit()
    assert open_reviews(db, entry) == []


def test_a_vote_that_lifts_another_answer_above_the_source_opens_outscored(db, setup, policy):
    entry, _, _, other = setup
    votes.cast_vote(make_user(), other, 1, policy)  # 2 = 2: not yet
    db.session.commit()
    assert open_reviews(db, entry) == []
    votes.cast_vote(make_user(), other, 1, policy)  # 3 > 2
    db.session.commit()
    assert [(r.reason, r.post_id) for r in open_reviews(db, entry)] == [(ReviewReason.OUTSCORED, other.id)]
    votes.cast_vote(make_user(), other, 1, policy)
    db.session.commit()
    assert len(open_reviews(db, entry)) == 1


def test_a_dismissed_outscoring_stays_dismissed(db, setup, policy, staff):
    entry, _, _, other = setup
    other.score = 5
    db.session.commit()
    [opened] = open_reviews(db, entry)
    review.dismiss(staff, opened)
    db.session.commit()
    assert not entry.needs_review and opened.resolution == FaqReview.DISMISSED
    votes.cast_vote(make_user(), other, 1, policy)
    db.session.commit()
    assert open_reviews(db, entry) == []


def test_closing_the_thread_opens_closed(db, setup):
    entry, question, _, _ = setup
    question.closed_at = utcnow()
    db.session.commit()
    assert [r.reason for r in open_reviews(db, entry)] == [ReviewReason.CLOSED]


def test_retired_entries_are_not_reviewed(db, setup, staff):
    entry, question, source, _ = setup
    entries.retire(staff, entry)
    db.session.commit()
    question.closed_at = utcnow()
    posts.edit_answer(source.author, source, source.body_md + " Updated.")
    db.session.commit()
    assert open_reviews(db, entry) == [] and not entry.needs_review


def test_resync_copies_the_thread_and_closes_reviews(db, setup, staff):
    entry, question, source, _ = setup
    posts.edit_answer(source.author, source, source.body_md + " Version 3.2 fixes it.")
    question.closed_at = utcnow()
    db.session.commit()
    assert len(open_reviews(db, entry)) == 2
    review.resync(staff, entry)
    db.session.commit()
    assert entry.answer_md == source.body_md and "3.2" in entry.answer_html
    assert entry.answer_revision == 2 and not entry.needs_review
    assert open_reviews(db, entry) == []
    resolved = db.session.scalars(select(FaqReview.resolution).where(FaqReview.entry_id == entry.id)).all()
    assert resolved == [FaqReview.RESYNCED, FaqReview.RESYNCED]
    assert entries.entry_history(entry)[0].revision.summary == "resynced"


def test_dismissing_one_of_two_keeps_the_flag(db, setup, staff):
    entry, question, source, _ = setup
    posts.edit_answer(source.author, source, source.body_md + " Version 3.2 fixes it.")
    question.closed_at = utcnow()
    db.session.commit()
    first, second = open_reviews(db, entry)
    review.dismiss(staff, first)
    db.session.commit()
    assert entry.needs_review
    review.dismiss(staff, second)
    db.session.commit()
    assert not entry.needs_review


def test_members_cannot_resync_or_dismiss(db, setup):
    entry, question, _, _ = setup
    question.closed_at = utcnow()
    db.session.commit()
    member = make_user()
    with pytest.raises(Forbidden):
        review.resync(member, entry)
    with pytest.raises(Forbidden):
        review.dismiss(member, open_reviews(db, entry)[0])


def test_webhooks_hear_of_reviews_and_new_candidates(db, setup, policy):
    db.session.add(Webhook(name="staff chat", url="https://chat.example.com/hook",
                           events=f"{WebhookEvent.FAQ_NEEDS_REVIEW} {WebhookEvent.FAQ_CANDIDATE}"))
    _, question, _, _ = setup
    question.closed_at = utcnow()
    db.session.commit()
    events = db.session.scalars(select(WebhookDelivery.event)).all()
    assert events == [WebhookEvent.FAQ_NEEDS_REVIEW]
    candidate = make_question()
    answer = make_answer(candidate)
    candidate.created_at = utcnow() - timedelta(days=3)
    candidate.score, answer.score = 2, 3
    db.session.commit()
    votes.cast_vote(make_user(), candidate, 1, policy)  # score 3: now a candidate
    db.session.commit()
    keys = db.session.scalars(select(WebhookDelivery.dedup_key).where(
        WebhookDelivery.event == WebhookEvent.FAQ_CANDIDATE)).all()
    assert keys == [f"faq-candidate:{candidate.id}"]
    votes.cast_vote(make_user(), candidate, 1, policy)
    db.session.commit()
    assert len(db.session.scalars(select(WebhookDelivery.id).where(
        WebhookDelivery.event == WebhookEvent.FAQ_CANDIDATE)).all()) == 1


def test_a_vote_on_an_answer_can_make_its_thread_a_candidate(db, policy):
    db.session.add(Webhook(name="staff chat", url="https://chat.example.com/hook", events=WebhookEvent.FAQ_CANDIDATE))
    question = make_question()
    answer = make_answer(question)
    question.created_at = utcnow() - timedelta(days=3)
    question.score, answer.score = 3, 2
    db.session.commit()
    votes.cast_vote(make_user(), answer, 1, policy)
    db.session.commit()
    keys = db.session.scalars(select(WebhookDelivery.dedup_key)).all()
    assert keys == [f"faq-candidate:{question.id}"]
