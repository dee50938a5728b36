"""Flags: who may flag, what a flag needs, hiding at the threshold, staff decisions and the review queue."""
import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import (AuditLogEntry, Flag, FlagReason, FlagStatus, Notification, NotificationKind, Role,
                          Webhook, WebhookDelivery, WebhookEvent)
from forum.services.moderation import flags, suspensions
from forum.services.errors import Conflict, Forbidden, Invalid, NotFound
from forum.services.reputation.privileges import SMALL_COMMUNITY_THRESHOLDS, STANDARD_THRESHOLDS, PrivilegeRequired
from forum.services.reputation.ledger import ReputationRules
from tests.factories import make_answer, make_question, make_user

POLICY = flags.FlagPolicy(thresholds=SMALL_COMMUNITY_THRESHOLDS, hide_threshold=3)


def flag(post, reason=FlagReason.SPAM, user=None, **kwargs):
    return flags.flag_post(user or make_user(), post, reason, POLICY, **kwargs)


def pending(post) -> int:
    return db.session.scalar(select(func.count(Flag.id)).where(Flag.post_id == post.id,
                                                               Flag.status == FlagStatus.PENDING))


def test_a_flag_is_stored_pending(factories):
    question = make_question()
    stored = flag(question, FlagReason.NEEDS_IMPROVEMENT, text="  The   title is vague ")
    assert (stored.status, stored.reason, stored.text) == (FlagStatus.PENDING, "needs_improvement", "The title is vague")


def test_flagging_needs_the_privilege(factories):
    policy = flags.FlagPolicy(thresholds=STANDARD_THRESHOLDS)
    with pytest.raises(PrivilegeRequired) as error:
        flags.flag_post(make_user(), make_question(), FlagReason.SPAM, policy)
    assert "15 reputation" in str(error.value.message)


def test_own_post_cannot_be_flagged(factories):
    question = make_question()
    with pytest.raises(Invalid):
        flag(question, user=question.author)
    assert pending(question) == 0


def test_one_flag_per_user_per_post(factories):
    question, user = make_question(), make_user()
    flag(question, user=user)
    with pytest.raises(Conflict) as error:
        flag(question, FlagReason.RUDE, user=user)
    assert str(error.value.message) == "You have already flagged this post."
    assert pending(question) == 1


@pytest.mark.parametrize("text", ["", "   "])
def test_other_needs_an_explanation(factories, text):
    with pytest.raises(Invalid) as error:
        flag(make_question(), FlagReason.OTHER, text=text)
    assert error.value.field == "text"


def test_explanations_are_limited_to_500_characters(factories):
    question = make_question()
    assert flag(question, FlagReason.OTHER, text="x" * 500).text == "x" * 500
    with pytest.raises(Invalid):
        flag(question, FlagReason.OTHER, text="x" * 501)


def test_unknown_reason_is_refused(factories):
    with pytest.raises(Invalid) as error:
        flag(make_question(), "boring")
    assert error.value.field == "reason"


@pytest.mark.parametrize("ref", ["{id}", "/questions/{id}/some-slug", "https://kotae.example/questions/{id}?x=1#a"])
def test_duplicate_accepts_an_id_or_a_question_url(factories, ref):
    original, question = make_question(), make_question()
    stored = flag(question, FlagReason.DUPLICATE, duplicate_of=ref.format(id=original.id))
    assert stored.duplicate_of_id == original.id


@pytest.mark.parametrize("ref", ["", "not a link", "999999", "self", "answer"])
def test_duplicate_needs_another_existing_question(factories, ref):
    question = make_question()
    answer = make_answer(make_question())
    ref = {"self": str(question.id), "answer": str(answer.id)}.get(ref, ref)
    with pytest.raises(Invalid) as error:
        flag(question, FlagReason.DUPLICATE, duplicate_of=ref)
    assert error.value.field == "duplicate_of"


def test_answers_cannot_be_flagged_as_duplicates(factories):
    original = make_question()
    with pytest.raises(Invalid):
        flag(make_answer(make_question()), FlagReason.DUPLICATE, duplicate_of=str(original.id))


def test_deleted_posts_cannot_be_flagged(factories):
    question = make_question()
    question.deleted_at = question.created_at
    with pytest.raises(NotFound):
        flag(question)


def test_suspended_users_cannot_flag(factories):
    user = make_user()
    suspensions.suspend(make_user(role=Role.MODERATOR), user, 3, "Flag abuse")
    with pytest.raises(Forbidden) as error:
        flag(make_question(), user=user)
    assert "Flag abuse" in str(error.value.message)


def test_third_spam_or_rude_flag_hides_the_post_and_tells_the_author(factories):
    answer = make_answer(make_question())
    flag(answer, FlagReason.SPAM)
    flag(answer, FlagReason.NEEDS_IMPROVEMENT)
    flag(answer, FlagReason.OTHER, text="Looks like an advert")
    flag(answer, FlagReason.RUDE)
    assert not answer.is_hidden  # two hiding flags so far; the other reasons do not count
    flag(answer, FlagReason.SPAM)
    assert answer.is_hidden
    entry = db.session.scalars(select(AuditLogEntry).where(AuditLogEntry.action == "post.hide")).one()
    assert (entry.actor_id, entry.target_type, entry.target_id) == (None, "post", answer.id)
    note = db.session.scalars(select(Notification).where(Notification.user_id == answer.author_id)).one()
    assert note.kind == NotificationKind.MODERATION


def test_the_threshold_is_configurable(factories):
    question = make_question()
    flags.flag_post(make_user(), question, FlagReason.SPAM, flags.FlagPolicy(SMALL_COMMUNITY_THRESHOLDS, 1))
    assert question.is_hidden


def test_a_new_flag_alerts_subscribed_webhooks_once(factories):
    db.session.add(Webhook(name="mods", url="https://hooks.example/x", events=WebhookEvent.FLAG_NEW))
    question = make_question()
    stored = flag(question, FlagReason.OTHER, text="Please check")
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert (delivery.event, delivery.dedup_key) == (WebhookEvent.FLAG_NEW, f"flag:{stored.id}")
    assert "Please check" in delivery.payload


def test_dismissing_unhides_and_is_logged(factories):
    moderator, question = make_user(role=Role.MODERATOR), make_question()
    for _ in range(3):
        flag(question)
    assert question.is_hidden
    assert flags.resolve(moderator, question, FlagStatus.DISMISSED, "Not spam") == 3
    assert not question.is_hidden and pending(question) == 0
    entry = db.session.scalars(select(AuditLogEntry).where(AuditLogEntry.action == "flags.dismiss")).one()
    assert (entry.actor_id, entry.target_id, entry.reason) == (moderator.id, question.id, "Not spam")


def test_deleting_a_flagged_post_marks_flags_helpful_and_notifies(factories):
    moderator, answer = make_user(role=Role.MODERATOR), make_answer(make_question())
    flag(answer)
    flags.delete_flagged(moderator, answer, "Advertising", ReputationRules())
    assert answer.is_deleted
    assert db.session.scalar(select(Flag.status).where(Flag.post_id == answer.id)) == FlagStatus.HELPFUL
    entry = db.session.scalars(select(AuditLogEntry).where(AuditLogEntry.action == "post.delete")).one()
    assert (entry.actor_id, entry.reason) == (moderator.id, "Advertising")
    note = db.session.scalars(select(Notification).where(Notification.user_id == answer.author_id)).one()
    assert "Advertising" in note.text


def test_members_cannot_take_staff_decisions(factories):
    question = make_question()
    flag(question)
    with pytest.raises(Forbidden):
        flags.resolve(make_user(), question, FlagStatus.DISMISSED)
    with pytest.raises(Forbidden):
        flags.delete_flagged(make_user(), question, "", ReputationRules())
    assert pending(question) == 1


def test_the_queue_lists_posts_by_their_oldest_pending_flag(factories):
    first, second, handled = make_question(), make_answer(make_question()), make_question()
    flag(first, FlagReason.SPAM)
    flag(second, FlagReason.RUDE)
    flag(first, FlagReason.OTHER, text="also this")
    flag(handled)
    flags.resolve(make_user(role=Role.ADMIN), handled, FlagStatus.HELPFUL)
    items, has_next = flags.review_queue(1, 10)
    assert [item.post.id for item in items] == [first.id, second.id] and not has_next
    assert items[0].reason_counts == [("spam", 1), ("other", 1)]
    assert items[1].question.id == second.question_id
    assert flags.pending_count() == 2
    page_one, more = flags.review_queue(1, 1)
    assert [item.post.id for item in page_one] == [first.id] and more
