"""Badges: each rule awards when its criterion is met and not before, once (or once per post), by hook or back-fill."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from forum.extensions import db
from forum.models import Reason, UserBadge, utcnow
from forum.services.people import accounts
from forum.services.reputation import badges, votes
from forum.services.community import posts, threads
from forum.services.reputation import ledger
from forum.services.reputation.badge_rules import RULES
from forum.services.reputation.privileges import SMALL_COMMUNITY_THRESHOLDS
from forum.services.reputation.ledger import ReputationRules
from tests.factories import make_answer, make_comment, make_question, make_user
from tests.helpers import counted_statements

pytestmark = pytest.mark.usefixtures("app")
REPUTATION = ReputationRules()
POLICY = votes.VotePolicy(rules=REPUTATION, thresholds=SMALL_COMMUNITY_THRESHOLDS, daily_limit=1000)
# Small numbers keep the tests quick; the defaults (Stack Overflow's) are checked on their own.
THRESHOLDS = {
    "nice_question": 2, "good_question": 3, "great_question": 4, "nice_answer": 2, "good_answer": 3, "great_answer": 4,
    "popular_question": 2, "notable_question": 3, "famous_question": 4, "enlightened": 2, "guru": 3,
    "necromancer": 2, "self_learner": 2, "commentator": 3, "civic_duty": 3, "yearling": 20, "tumbleweed_views": 5,
}


@pytest.fixture
def app_config():
    return {"PRIVILEGE_PRESET": "small", "BADGE_THRESHOLDS": THRESHOLDS}


def voter(reputation: int = 100):
    """A member who may vote both ways (reputation granted through the ledger)."""
    user = make_user(commit=False)
    ledger.record(user.id, Reason.BONUS, reputation)
    db.session.flush()
    db.session.refresh(user)
    return user


def upvote(post, times: int) -> None:
    for _ in range(times):
        votes.cast_vote(voter(), post, 1, POLICY)


def held(user) -> set[tuple[str, str]]:
    return set(db.session.execute(select(UserBadge.badge, UserBadge.dedup_key).where(UserBadge.user_id == user.id)))


def keys_of(user) -> set[str]:
    return {key for key, _ in held(user)}


def everything() -> set[tuple[int, str, str]]:
    return set(db.session.execute(select(UserBadge.user_id, UserBadge.badge, UserBadge.dedup_key)))


def test_defaults_are_stack_overflows_and_config_overrides_merge(app):
    defaults = badges.thresholds_from_config({})
    assert (defaults["nice_answer"], defaults["good_answer"], defaults["great_answer"]) == (10, 25, 100)
    assert (defaults["popular_question"], defaults["famous_question"], defaults["civic_duty"]) == (1000, 10000, 300)
    assert badges.thresholds_from_config({"BADGE_THRESHOLDS": {"guru": "20"}})["guru"] == 20
    assert app.config["BADGES"]["nice_question"] == 2  # this module's override, merged over the defaults
    with pytest.raises(ValueError, match="gurru"):
        badges.thresholds_from_config({"BADGE_THRESHOLDS": {"gurru": 5}})
    assert badges.BADGES["nice_answer"].describe(defaults) == "Answer score of 10 or more."
    assert set(RULES) == set(badges.BADGES) - {"faq_author"}  # FAQ Author is awarded by the FAQ (issue 5)
    assert {badge.tier for badge in badges.BADGE_LIST} == {"bronze", "silver", "gold"}


def test_student_and_question_score_badges_follow_votes_and_stay():
    question = make_question()
    author = question.author
    assert keys_of(author) == set()
    upvote(question, 1)
    assert keys_of(author) == {"student"}
    upvote(question, 1)
    assert held(author) == {("student", "once"), ("nice_question", f"post:{question.id}")}
    critic = voter()
    votes.cast_vote(critic, question, -1, POLICY)  # the score drops below the threshold: the badge stays
    votes.cast_vote(critic, question, 0, POLICY)
    upvote(question, 2)
    assert held(author) == {("student", "once"), ("nice_question", f"post:{question.id}"),
                            ("good_question", f"post:{question.id}"), ("great_question", f"post:{question.id}")}


def test_answer_badges_once_per_post_and_teacher_once():
    question = make_question()
    answerer = make_user()
    first, second = make_answer(question, author=answerer), make_answer(question, author=answerer)
    upvote(first, 2)
    upvote(second, 2)
    assert held(answerer) == {("teacher", "once"), ("nice_answer", f"post:{first.id}"),
                              ("nice_answer", f"post:{second.id}")}


def test_supporter_critic_and_civic_duty_follow_the_votes_cast():
    fan = voter()
    votes.cast_vote(fan, make_question(commit=False), 1, POLICY)
    assert keys_of(fan) == {"supporter"}
    votes.cast_vote(fan, make_question(commit=False), -1, POLICY)
    assert keys_of(fan) == {"supporter", "critic"}
    votes.cast_vote(fan, make_question(commit=False), 1, POLICY)  # the third vote: civic duty (3 here, 300 by default)
    assert keys_of(fan) == {"supporter", "critic", "civic_duty"}


def test_retracting_is_not_a_vote_for_supporter():
    question = make_question()
    fan = voter()
    votes.cast_vote(fan, question, -1, POLICY)
    votes.cast_vote(fan, question, 0, POLICY)
    assert keys_of(fan) == {"critic"}


def test_accepting_gives_scholar_and_enlightened_only_to_the_first_answer():
    question = make_question()
    first, later = make_answer(question), make_answer(question)
    upvote(later, 2)
    votes.accept_answer(question.author, later, REPUTATION)
    assert keys_of(question.author) == {"scholar"}
    assert "enlightened" not in keys_of(later.author)  # accepted with the score, but not the first to answer
    upvote(first, 2)
    votes.accept_answer(question.author, first, REPUTATION)
    assert ("enlightened", f"post:{first.id}") in held(first.author)


def test_guru_when_an_accepted_answer_reaches_the_score():
    question = make_question()
    answer = make_answer(question)
    upvote(answer, 2)
    votes.accept_answer(question.author, answer, REPUTATION)
    assert "guru" not in keys_of(answer.author)
    upvote(answer, 1)  # the vote after the accept earns it
    assert ("guru", f"post:{answer.id}") in held(answer.author)


def test_necromancer_for_a_late_answer_with_votes():
    old, recent = make_question(), make_question()
    old.created_at = utcnow() - timedelta(days=61)
    late, prompt = make_answer(old), make_answer(recent)
    upvote(late, 2)
    upvote(prompt, 2)
    assert "necromancer" in keys_of(late.author)
    assert "necromancer" not in keys_of(prompt.author)


def test_self_learner_for_answering_your_own_question():
    question = make_question()
    own = make_answer(question, author=question.author)
    upvote(own, 1)
    assert "self_learner" not in keys_of(question.author)
    upvote(own, 1)
    assert "self_learner" in keys_of(question.author)


def test_editor_on_the_first_saved_edit():
    question = make_question()
    author = question.author
    tags = " ".join(tag.name for tag in question.tags)
    assert not posts.edit_question(author, question, question.title, question.body_md, tags)  # nothing changed
    assert keys_of(author) == set()
    posts.edit_question(author, question, question.title, question.body_md + " More detail.", tags)
    assert keys_of(author) == {"editor"}


def test_commentator_after_the_threshold_of_comments():
    talker = make_user()
    question = make_question()
    for _ in range(2):
        make_comment(question, author=talker, commit=False)
    assert keys_of(talker) == set()
    make_comment(question, author=talker, commit=False)
    assert keys_of(talker) == {"commentator"}


def test_autobiographer_when_the_about_section_is_filled():
    user = make_user()
    accounts.update_profile(user, "   ", None)
    assert keys_of(user) == set()
    accounts.update_profile(user, "Support engineer in Osaka.", None)
    assert keys_of(user) == {"autobiographer"}


def test_view_badges_as_views_are_counted():
    question = make_question()
    threads.record_view(question, "u:1")
    assert keys_of(question.author) == set()
    for n in range(2, 5):
        threads.record_view(question, f"u:{n}")
    threads.record_view(question, "u:4")  # a reload is not a view
    assert {key for key, _ in held(question.author)} == {"popular_question", "notable_question", "famous_question"}


def test_tumbleweed_for_a_week_old_question_nobody_touched():
    quiet, fresh, commented = make_question(), make_question(), make_question()
    make_comment(commented, commit=False)
    for question in (quiet, commented):
        question.created_at = utcnow() - timedelta(days=8)
    threads.record_view(fresh, "u:1")
    threads.record_view(commented, "u:1")
    assert keys_of(fresh.author) == keys_of(commented.author) == set()
    threads.record_view(quiet, "u:1")
    assert held(quiet.author) == {("tumbleweed", "once")}


def test_tumbleweed_and_yearling_when_the_member_shows_up():
    member = make_user()
    question = make_question(author=member)
    question.created_at = utcnow() - timedelta(days=8)
    member.created_at = utcnow() - timedelta(days=366)
    assert accounts.touch_last_seen(member)
    assert keys_of(member) == {"tumbleweed"}  # Yearling also needs reputation (20 here, 200 by default)
    ledger.record(member.id, Reason.BONUS, 25)
    db.session.refresh(member)
    member.last_seen_at = None
    accounts.touch_last_seen(member)
    assert keys_of(member) == {"tumbleweed", "yearling"}


def test_award_is_idempotent_once_only_or_once_per_post():
    user = make_user()
    first, second = make_question(author=user), make_question(author=user)
    assert badges.award(user.id, "student", first.id) is not None
    assert badges.award(user.id, "student", second.id) is None  # once-only, whatever the post
    assert badges.award(user.id, "nice_question", first.id) is not None
    assert badges.award(user.id, "nice_question", first.id) is None
    assert badges.award(user.id, "nice_question", second.id) is not None
    with pytest.raises(ValueError):
        badges.award(user.id, "nice_question")
    assert len(held(user)) == 3


def test_calling_a_hook_twice_awards_once():
    question = make_question()
    fan = voter()
    votes.cast_vote(fan, question, 1, POLICY)
    upvote(question, 1)
    before = everything()
    assert ("nice_question", f"post:{question.id}") in held(question.author) and "supporter" in keys_of(fan)
    assert badges.on_vote(question, fan, 1) == []
    assert everything() == before


def test_a_duplicate_from_a_racing_transaction_is_absorbed_by_the_savepoint(monkeypatch):
    """If another transaction commits the badge between our check and our insert, the constraint refuses it
    and only the savepoint rolls back: the rest of the request's work survives."""
    user = make_user()
    badges.award(user.id, "supporter")
    question = make_question(commit=False)
    original, stale = badges._holds, [False]  # the first check ran before the other transaction committed
    monkeypatch.setattr(badges, "_holds", lambda *args: stale.pop() if stale else original(*args))
    assert badges.award(user.id, "supporter") is None
    db.session.commit()
    assert db.session.get(type(question), question.id) is not None
    assert held(user) == {("supporter", "once")}


def test_an_award_for_a_missing_user_is_an_error_not_a_duplicate():
    with pytest.raises(IntegrityError):
        badges.award(987654, "supporter")


def test_two_requests_racing_on_a_file_database_award_once(app):
    """Two POST requests award the same badge at the same moment: one row, and neither fails."""
    user_id = make_user().id
    db.session.commit()
    barrier = threading.Barrier(2, timeout=10)
    results, errors = [], []

    def attempt():
        try:
            with app.test_request_context("/", method="POST"):
                barrier.wait()
                results.append(badges.award(user_id, "supporter") is not None)
                db.session.commit()
        except Exception as error:  # reported by the assertion below
            errors.append(error)

    workers = [threading.Thread(target=attempt) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert errors == [] and sorted(results) == [False, True]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(UserBadge.id)).where(UserBadge.user_id == user_id)) == 1


def build_community():
    """Events through the services, so the hooks award as they would live."""
    asker, answerer, talker = make_user(), make_user(), make_user()
    question = make_question(author=asker)
    first, second = make_answer(question, author=answerer), make_answer(question)
    critic = voter()
    for post in (question, question, question, first, first):
        votes.cast_vote(voter(), post, 1, POLICY)
    votes.cast_vote(critic, question, 1, POLICY)
    votes.cast_vote(critic, first, 1, POLICY)
    votes.cast_vote(critic, second, -1, POLICY)
    votes.accept_answer(asker, first, REPUTATION)
    own = make_answer(question, author=asker)
    upvote(own, 2)
    old = make_question()
    old.created_at = utcnow() - timedelta(days=61)
    upvote(make_answer(old), 2)
    for _ in range(3):
        make_comment(question, author=talker, commit=False)
    accounts.update_profile(talker, "I answer sync questions.", None)
    posts.edit_answer(answerer, first, first.body_md + " Also check the proxy settings.")
    for n in range(3):
        threads.record_view(question, f"u:{n}")
    quiet = make_question()
    quiet.created_at = utcnow() - timedelta(days=8)
    veteran = quiet.author
    veteran.created_at = utcnow() - timedelta(days=400)
    ledger.record(veteran.id, Reason.BONUS, 30)
    db.session.refresh(veteran)
    accounts.touch_last_seen(veteran)
    db.session.commit()


def test_backfill_awards_exactly_what_the_hooks_did():
    build_community()
    live = everything()
    assert {badge for _, badge, _ in live} == set(RULES) - {"great_answer", "famous_question"}  # nearly every rule
    db.session.execute(delete(UserBadge))
    counts = badges.award_all()
    assert everything() == live
    assert sum(counts.values()) == len(live)
    assert sum(badges.award_all().values()) == 0  # and again: nothing new


def test_backfill_skips_deleted_posts():
    question = make_question()
    upvote(question, 2)
    posts.delete_post(question.author, question, REPUTATION)
    db.session.execute(delete(UserBadge))
    badges.award_all(["nice_question", "student"])
    assert keys_of(question.author) == set()


def test_a_vote_costs_the_same_statements_whatever_the_history():
    """The badge check is one statement, narrowed to the voter and the post, however much they have done."""
    def measured_vote(prior_votes: int) -> int:
        fan = voter()
        for _ in range(prior_votes):
            votes.cast_vote(fan, make_question(commit=False), 1, POLICY)
        question = make_question(commit=False)
        badges.award(question.author_id, "student", question.id)
        db.session.commit()
        with counted_statements() as statements:
            votes.cast_vote(fan, question, 1, POLICY)
        return len(statements)

    assert measured_vote(3) == measured_vote(12)
