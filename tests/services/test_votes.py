"""Votes, accepts and the reputation ledger they write."""
import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Reason, ReputationEvent, Vote
from forum.services.reputation import audit, votes
from forum.services.community import posts
from forum.services.errors import Forbidden, Invalid, NotFound
from forum.services.reputation.privileges import STANDARD_THRESHOLDS, PrivilegeRequired
from forum.services.reputation import ledger
from forum.services.reputation.ledger import ReputationRules
from tests.factories import make_answer, make_question, make_user

pytestmark = pytest.mark.usefixtures("app")
RULES = ReputationRules()
POLICY = votes.VotePolicy(rules=RULES, thresholds=STANDARD_THRESHOLDS)


def voter(reputation: int = 200):
    """A user with enough reputation to vote both ways, granted through the ledger as a bonus."""
    user = make_user()
    ledger.record(user.id, Reason.BONUS, reputation)
    db.session.commit()
    db.session.refresh(user)
    return user


def reputation_of(user) -> int:
    db.session.refresh(user)
    return user.reputation


def no_drift():
    assert audit.find_drift(RULES) == []


def test_upvote_gives_the_author_10_and_moves_the_score():
    question = make_question()
    result = votes.cast_vote(voter(), question, 1, POLICY)
    db.session.commit()
    assert (result.score, result.vote) == (1, 1)
    assert reputation_of(question.author) == 10  # the sum of events (the floor of 1 only lifts totals below 1)
    no_drift()


def test_downvoting_an_answer_costs_the_author_2_and_the_voter_1():
    answer = make_answer(make_question())
    critic = voter(reputation=200)
    votes.cast_vote(critic, answer, -1, POLICY)
    db.session.commit()
    events = {e.reason: (e.user_id, e.amount) for e in db.session.scalars(select(ReputationEvent))
              if e.reason != Reason.BONUS}
    assert events == {Reason.ANSWER_DOWNVOTED: (answer.author_id, -2), Reason.DOWNVOTE_CAST: (critic.id, -1)}
    assert reputation_of(critic) == 199
    no_drift()


def test_retracting_a_vote_reverses_exactly_its_events():
    question = make_question()
    fan = voter()
    votes.cast_vote(fan, question, 1, POLICY)
    votes.cast_vote(fan, question, 0, POLICY)
    db.session.commit()
    assert reputation_of(question.author) == 1
    assert db.session.scalar(select(func.count(Vote.id))) == 0
    event = db.session.scalar(select(ReputationEvent).where(ReputationEvent.reason == Reason.QUESTION_UPVOTED))
    assert event.reversed_at is not None  # kept for the audit trail
    no_drift()


def test_changing_a_vote_from_up_to_down():
    answer = make_answer(make_question())
    fan = voter()
    votes.cast_vote(fan, answer, 1, POLICY)
    result = votes.cast_vote(fan, answer, -1, POLICY)
    db.session.commit()
    assert (result.score, result.vote) == (-1, -1)
    assert reputation_of(answer.author) == 1  # floored: 0 - 2 -> shown as 1
    db.session.refresh(answer.author)
    assert answer.author.reputation_total == -2
    no_drift()


def test_voting_the_same_way_twice_counts_once():
    question = make_question()
    fan = voter()
    votes.cast_vote(fan, question, 1, POLICY)
    result = votes.cast_vote(fan, question, 1, POLICY)
    assert result.score == 1


def test_no_voting_on_your_own_post():
    question = make_question()
    question.author.reputation = 500
    with pytest.raises(Forbidden, match="own post"):
        votes.cast_vote(question.author, question, 1, POLICY)


def test_voting_needs_the_privilege_and_says_how_much():
    question = make_question()
    newcomer = make_user()
    with pytest.raises(PrivilegeRequired) as raised:
        votes.cast_vote(newcomer, question, 1, POLICY)
    assert "15" in str(raised.value.message)
    low = voter(reputation=20)
    with pytest.raises(PrivilegeRequired, match="125"):
        votes.cast_vote(low, question, -1, POLICY)


def test_invalid_value_and_deleted_post_are_refused():
    question = make_question()
    with pytest.raises(Invalid):
        votes.cast_vote(voter(), question, 2, POLICY)
    posts.delete_post(question.author, question)
    with pytest.raises(NotFound):
        votes.cast_vote(voter(), question, 1, POLICY)


def test_daily_vote_limit():
    policy = votes.VotePolicy(rules=RULES, thresholds=STANDARD_THRESHOLDS, daily_limit=2)
    fan = voter()
    for _ in range(2):
        votes.cast_vote(fan, make_question(), 1, policy)
    with pytest.raises(Forbidden, match="2 votes"):
        votes.cast_vote(fan, make_question(), 1, policy)


def test_daily_cap_limits_upvote_reputation_to_200():
    author = make_user()
    questions = [make_question(author=author, commit=False) for _ in range(25)]
    db.session.commit()
    for question in questions:
        votes.cast_vote(voter(), question, 1, POLICY)
    db.session.commit()
    assert reputation_of(author) == 200  # 25 upvotes = 250, capped at 200 (the floor of 1 is not added)
    no_drift()


def test_retracting_under_the_cap_recomputes_the_day():
    author = make_user()
    questions = [make_question(author=author, commit=False) for _ in range(22)]
    db.session.commit()
    fans = []
    for question in questions:
        fan = voter()
        votes.cast_vote(fan, question, 1, POLICY)
        fans.append(fan)
    votes.cast_vote(fans[0], questions[0], 0, POLICY)
    db.session.commit()
    assert reputation_of(author) == 200  # 21 upvotes left = 210, still capped
    no_drift()


def test_accept_gives_15_and_2_and_unaccept_reverses():
    question = make_question()
    answer = make_answer(question)
    assert votes.accept_answer(question.author, answer, RULES) is True
    db.session.commit()
    assert (reputation_of(answer.author), reputation_of(question.author)) == (15, 2)
    assert votes.accept_answer(question.author, answer, RULES) is False  # the same call un-accepts
    db.session.commit()
    assert (reputation_of(answer.author), reputation_of(question.author)) == (1, 1)
    no_drift()


def test_switching_the_accepted_answer_moves_the_reputation():
    question = make_question()
    first, second = make_answer(question), make_answer(question)
    votes.accept_answer(question.author, first, RULES)
    votes.accept_answer(question.author, second, RULES)
    db.session.commit()
    assert question.accepted_answer_id == second.id
    assert (reputation_of(first.author), reputation_of(second.author)) == (1, 15)
    no_drift()


def test_accepting_your_own_answer_gives_no_reputation():
    question = make_question()
    own = make_answer(question, author=question.author)
    votes.accept_answer(question.author, own, RULES)
    db.session.commit()
    assert reputation_of(question.author) == 1


def test_only_the_asker_accepts():
    question = make_question()
    answer = make_answer(question)
    with pytest.raises(Forbidden):
        votes.accept_answer(answer.author, answer, RULES)


def test_deleting_a_post_takes_back_its_reputation_and_undeleting_restores_it():
    question = make_question()
    answer = make_answer(question)
    votes.cast_vote(voter(), answer, 1, POLICY)
    votes.accept_answer(question.author, answer, RULES)
    db.session.commit()
    assert reputation_of(answer.author) == 25
    posts.delete_post(answer.author, answer, RULES)
    db.session.commit()
    assert reputation_of(answer.author) == 1 and question.accepted_answer_id is None
    no_drift()
    posts.undelete_post(answer.author, answer, RULES)
    db.session.commit()
    assert reputation_of(answer.author) == 10  # the vote comes back; the accept does not
    no_drift()
