"""After any sequence of votes, accepts, retractions and deletions, the audit finds no drift."""
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from forum.extensions import db
from forum.models import Reason
from forum.services.reputation import audit, votes
from forum.services.community import posts
from forum.services.reputation import ledger
from forum.services.errors import DomainError
from forum.services.reputation.privileges import STANDARD_THRESHOLDS
from forum.services.reputation.ledger import ReputationRules
from tests.factories import make_answer, make_question, make_user

# A low daily cap so random sequences hit it, and a high vote limit so they are not stopped by it.
RULES = ReputationRules(daily_cap=15)
POLICY = votes.VotePolicy(rules=RULES, thresholds=STANDARD_THRESHOLDS, daily_limit=10_000)

# Votes are the commonest action, and the daily cap needs several votes on one author's posts.
actions = st.lists(
    st.tuples(
        st.sampled_from(["vote"] * 6 + ["accept", "delete", "undelete"]),
        st.integers(0, 4),  # acting user (for votes)
        st.integers(0, 5),  # post: two questions and four answers
        st.sampled_from([1, 1, -1, 0]),  # vote value
    ),
    min_size=3, max_size=40,
)


@pytest.fixture
def community(app):
    """Five users (some with reputation to vote) and two questions with two answers each."""
    users = [make_user(commit=False) for _ in range(5)]
    db.session.flush()
    for user in users[:4]:
        ledger.record(user.id, Reason.BONUS, 200)
    questions = [make_question(author=users[0], commit=False), make_question(author=users[1], commit=False)]
    answers = [make_answer(questions[0], author=users[1], commit=False),
               make_answer(questions[0], author=users[2], commit=False),
               make_answer(questions[1], author=users[3], commit=False),
               make_answer(questions[1], author=users[1], commit=False)]
    db.session.commit()
    return users, questions + answers


def run(action, users, all_posts) -> None:
    kind, user_index, post_index, value = action
    user, post = users[user_index], all_posts[post_index]
    if kind == "vote":
        votes.cast_vote(user, post, value, POLICY)
    elif kind == "accept" and not post.is_question:
        votes.accept_answer(post.question.author, post, RULES)
    elif kind == "delete" and not post.is_deleted:
        posts.delete_post(post.author, post, RULES)
    elif kind == "undelete" and post.is_deleted:
        posts.undelete_post(post.author, post, RULES)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=actions)
# Two upvotes reach the cap, then the first is retracted: the second must grow back to its full amount.
@example(sequence=[("vote", 1, 0, 1), ("vote", 2, 0, 1), ("vote", 1, 0, 0)])
def test_no_drift_after_any_sequence(community, sequence):
    users, all_posts = community
    savepoint = db.session.begin_nested()  # each example starts from the same community
    try:
        for action in sequence:
            try:
                run(action, users, all_posts)
            except DomainError:
                pass  # refused actions (own post, deleted post, no privilege...) change nothing
            db.session.flush()
        assert audit.find_drift(RULES) == []
        for user in users:
            db.session.refresh(user)
            assert user.reputation >= 1
    finally:
        savepoint.rollback()
        db.session.expire_all()
