"""Promotion, editing, publishing (credits, bonus, badge, notification), retiring and official answers."""
import pytest
from sqlalchemy import func, select

from forum.extensions import db as _db
from forum.models import (
    AuditLogEntry, FaqEntry, FaqRevision, FaqStatus, Notification, NotificationKind, Post, Reason,
    ReputationEvent, Role, User, UserBadge,
)
from forum.services.community import posts
from forum.services.reputation import votes
from forum.services.errors import Forbidden, Invalid, NotFound
from forum.services.faq import categories, entries, official, promotion
from forum.services.reputation.ledger import ReputationRules
from tests.factories import make_answer, make_question, make_user

BONUS = 25
URL = "/faq/1"


@pytest.fixture
def staff(db):
    return make_user(role=Role.MODERATOR)


@pytest.fixture
def thread(db):
    question = make_question(body="When I open the app on Windows the sync stops after five minutes, why?")
    top = make_answer(question, body="Upgrade to version 3.2: it fixes the sync timeout on Windows for good.")
    accepted = make_answer(question, body="Turn off the proxy in Settings > Network, then restart the sync.")
    top.score, accepted.score = 9, 4  # scores set directly: no votes, so no reputation to replay
    votes.accept_answer(question.author, accepted, ReputationRules())
    db.session.commit()
    return question, accepted, top


def snapshot(question):
    """Everything about the thread a reader could notice."""
    rows = _db.session.scalars(select(Post).where((Post.id == question.id) | (Post.question_id == question.id))
                               .order_by(Post.id)).all()
    return [(p.id, p.title, p.body_md, p.body_html, p.score, p.deleted_at, p.closed_at, p.accepted_answer_id,
             p.author_id, p.edited_at) for p in rows]


def test_promote_prefills_a_draft_from_the_question_and_the_accepted_answer(db, staff, thread):
    question, accepted, _ = thread
    before = snapshot(question)
    entry = promotion.promote(staff, question)
    db.session.commit()
    assert entry.status == FaqStatus.DRAFT
    assert (entry.title, entry.question_md, entry.answer_md) == (question.title, question.body_md, accepted.body_md)
    assert entry.answer_html == accepted.body_html and entry.question_html == question.body_html
    assert (entry.question_id, entry.answer_id) == (question.id, accepted.id)
    assert (entry.question_author_id, entry.answer_author_id) == (question.author_id, accepted.author_id)
    assert entry.question_revision == 1 and entry.answer_revision == 1
    revisions = db.session.scalars(select(FaqRevision).where(FaqRevision.entry_id == entry.id)).all()
    assert [(r.number, r.answer_md) for r in revisions] == [(1, accepted.body_md)]
    assert db.session.scalar(select(AuditLogEntry.action).where(AuditLogEntry.target_id == entry.id)) == "faq.promote"
    db.session.expire_all()
    assert snapshot(question) == before  # promoting never changes the thread


def test_promote_uses_the_top_answer_without_an_accepted_one(db, staff, thread):
    question, _, top = thread
    question.accepted_answer_id = None
    db.session.commit()
    entry = promotion.promote(staff, question)
    assert entry.answer_id == top.id


def test_promote_records_the_latest_revision_numbers(db, staff, thread):
    question, accepted, _ = thread
    posts.edit_answer(accepted.author, accepted, accepted.body_md + " Then check the log file.")
    db.session.commit()
    entry = promotion.promote(staff, question)
    assert entry.answer_revision == 2 and "log file" in entry.answer_md


def test_promote_twice_is_a_conflict_that_names_the_entry(db, staff, thread):
    question = thread[0]
    first = promotion.promote(staff, question)
    with pytest.raises(promotion.AlreadyInFaq) as error:
        promotion.promote(staff, question)
    assert error.value.entry.id == first.id and error.value.status_code == 409


def test_a_thread_without_answers_cannot_be_promoted(db, staff):
    with pytest.raises(Invalid):
        promotion.promote(staff, make_question())


def test_members_cannot_promote_edit_publish_or_retire(db, staff, thread):
    member = make_user()
    with pytest.raises(Forbidden):
        promotion.promote(member, thread[0])
    entry = promotion.promote(staff, thread[0])
    for action in (lambda: entries.edit_entry(member, entry, "A new title here", "", "Answer text", None),
                   lambda: entries.publish(member, entry, BONUS, URL), lambda: entries.retire(member, entry),
                   lambda: entries.unpublish(member, entry), lambda: entries.move(member, entry, "up"),
                   lambda: official.toggle_official(member, thread[1]),
                   lambda: categories.create_category(member, "Sync")):
        with pytest.raises(Forbidden):
            action()


def test_publishing_credits_the_answer_author_once(db, staff, thread, runner):
    question, accepted, _ = thread
    author = accepted.author
    reputation_before = author.reputation_total
    entry = promotion.promote(staff, question)
    db.session.commit()
    assert db.session.scalar(select(func.count(ReputationEvent.id)).where(ReputationEvent.reason == Reason.BONUS)) == 0
    assert entries.publish(staff, entry, BONUS, URL)
    db.session.commit()
    db.session.refresh(author)
    assert author.reputation_total == reputation_before + 25
    event = db.session.scalar(select(ReputationEvent).where(ReputationEvent.reason == Reason.BONUS))
    assert (event.user_id, event.post_id, event.amount, event.actor_id) == (author.id, accepted.id, 25, staff.id)
    badge = db.session.scalar(select(UserBadge).where(UserBadge.badge == "faq_author"))
    assert (badge.user_id, badge.post_id) == (author.id, accepted.id)
    note = db.session.scalar(select(Notification).where(Notification.kind == NotificationKind.FAQ_PROMOTED))
    assert (note.user_id, note.actor_id, note.post_id, note.url, note.text) == (
        author.id, staff.id, accepted.id, URL, entry.title)
    # Unpublish, publish again, retire and promote again: no second bonus, badge or notification.
    entries.unpublish(staff, entry)
    entries.publish(staff, entry, BONUS, URL)
    entries.retire(staff, entry)
    again = promotion.promote(staff, question)
    entries.publish(staff, again, BONUS, URL)
    db.session.commit()
    db.session.refresh(author)
    assert author.reputation_total == reputation_before + 25
    assert db.session.scalar(select(func.count(UserBadge.id)).where(UserBadge.badge == "faq_author")) == 1
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.kind == NotificationKind.FAQ_PROMOTED)) == 2  # one per entry made public, not per publish
    result = runner.invoke(args=["reputation", "recompute", "--check"])
    assert result.exit_code == 0, result.output
    assert "No drift" in result.output


def test_bonus_and_votes_replay_without_drift(db, staff, thread, runner, app):
    question, accepted, _ = thread
    policy = votes.VotePolicy(rules=ReputationRules(), thresholds=app.config["PRIVILEGES"])
    votes.cast_vote(make_user(), accepted, 1, policy)
    entry = promotion.promote(staff, question)
    entries.publish(staff, entry, BONUS, URL)
    db.session.commit()
    result = runner.invoke(args=["reputation", "recompute", "--check"])
    assert result.exit_code == 0, result.output


def test_edit_makes_a_revision_and_renders_markdown(db, staff, thread):
    entry = promotion.promote(staff, thread[0])
    sync = categories.create_category(staff, "Sync")
    changed = entries.edit_entry(staff, entry, "Why does sync stop?", "Sync *stops*.", "Use **3.2**.", sync.id,
                                 "clearer")
    db.session.commit()
    assert changed
    assert "<em>stops</em>" in entry.question_html and "<strong>3.2</strong>" in entry.answer_html
    assert entry.category_id == sync.id
    numbers = db.session.scalars(select(FaqRevision.number).where(FaqRevision.entry_id == entry.id)
                                 .order_by(FaqRevision.number)).all()
    assert numbers == [1, 2]
    history = entries.entry_history(entry)
    assert history[0].revision.number == 2 and history[0].category_changed
    assert any(line.op == "insert" and "3.2" in line.text for line in history[0].answer_diff)
    assert not entries.edit_entry(staff, entry, "Why does sync stop?", "Sync *stops*.", "Use **3.2**.", sync.id)


@pytest.mark.parametrize("title, answer, field", [("abc", "An answer", "title"), ("A fine title", "  ", "answer")])
def test_edit_rejects_bad_input(db, staff, thread, title, answer, field):
    entry = promotion.promote(staff, thread[0])
    with pytest.raises(Invalid) as error:
        entries.edit_entry(staff, entry, title, "", answer, None)
    assert error.value.field == field


def test_retiring_keeps_the_thread(db, staff, thread):
    question = thread[0]
    entry = promotion.promote(staff, question)
    entries.publish(staff, entry, BONUS, URL)
    db.session.commit()
    before = snapshot(question)
    entries.retire(staff, entry)
    db.session.commit()
    db.session.expire_all()
    assert snapshot(question) == before
    assert db.session.get(FaqEntry, entry.id).status == FaqStatus.RETIRED
    assert entries.published_sections() == []


def test_sections_group_by_category_order_then_position_then_helpfulness(db, staff):
    first, second = categories.create_category(staff, "Getting started"), categories.create_category(staff, "Sync")
    made = []
    for n, (category, helpful) in enumerate([(second, 1), (second, 5), (first, 0), (None, 0)]):
        question = make_question()
        make_answer(question)
        entry = promotion.promote(staff, question)
        entry.category_id = category.id if category else None
        entry.helpful_count = helpful
        entries.publish(staff, entry, BONUS, URL)
        made.append(entry)
    db.session.commit()
    sections = entries.published_sections()
    assert [s.category and s.category.name for s in sections] == ["Getting started", "Sync", None]
    assert [e.id for e in sections[1].entries] == [made[1].id, made[0].id]  # more helpful first
    entries.move(staff, made[0], "up")
    db.session.commit()
    assert [e.id for e in entries.published_sections()[1].entries] == [made[0].id, made[1].id]
    categories.move_category(staff, second, "up")
    db.session.commit()
    assert [s.category and s.category.name for s in entries.published_sections()] == ["Sync", "Getting started", None]
    categories.delete_category(staff, second)
    db.session.commit()
    sections = entries.published_sections()
    assert [s.category and s.category.name for s in sections] == ["Getting started", None]
    assert len(sections[1].entries) == 3


def test_category_names_are_unique(db, staff):
    categories.create_category(staff, "Sync")
    with pytest.raises(Invalid):
        categories.create_category(staff, "sync")


def test_official_toggle_is_logged(db, staff, thread):
    answer = thread[1]
    assert official.toggle_official(staff, answer) is True
    assert answer.official_by_id == staff.id and answer.is_official
    assert official.toggle_official(staff, answer) is False
    assert answer.official_at is None
    db.session.commit()
    actions = db.session.scalars(select(AuditLogEntry.action).where(AuditLogEntry.action == "answer.official")).all()
    assert len(actions) == 2


def test_a_deleted_answer_cannot_be_official(db, staff, thread):
    answer = thread[1]
    posts.delete_post(answer.author, answer)
    with pytest.raises(NotFound):
        official.toggle_official(staff, answer)


def test_users_see_only_published_entries(db, staff, thread):
    from forum.services.faq.common import get_entry
    entry = promotion.promote(staff, thread[0])
    db.session.commit()
    with pytest.raises(NotFound):
        get_entry(entry.id, make_user())
    with pytest.raises(NotFound):
        get_entry(entry.id, None)
    assert get_entry(entry.id, staff) is entry
    entries.publish(staff, entry, BONUS, URL)
    assert get_entry(entry.id, None) is entry
    assert isinstance(db.session.get(User, staff.id), User)
