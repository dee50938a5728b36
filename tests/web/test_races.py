"""Requests that race: the same vote twenty times at once, two answers accepted at the same moment. Run on SQLite
(BEGIN IMMEDIATE queues the writers) and on PostgreSQL (a unique vote per user and post; a row lock on the
question), and afterwards the reputation ledger still equals a replay of its events."""
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Question, Reason, ReputationEvent, Vote
from tests.factories import make_answer, make_question
from tests.helpers import csrf_token, login, together
from tests.web.test_votes import JSON, reputation, rich_user


def at_once(requests) -> list[int]:
    """Run the requests (callables returning a response) in threads released together; their status codes."""
    return [response.status_code for response in together(requests)]


def signed_in(served_app, user, count: int):
    clients = [served_app.test_client() for _ in range(count)]
    for client in clients:
        login(client, user)
    return [(client, csrf_token(client)) for client in clients]


def live_events(reason) -> list[ReputationEvent]:
    return db.session.scalars(select(ReputationEvent).where(ReputationEvent.reason == reason,
                                                            ReputationEvent.reversed_at.is_(None))).all()


def test_twenty_identical_votes_at_once_count_once(served_app, runner):
    question = make_question()
    fan = rich_user()
    url = f"/posts/{question.id}/vote"
    statuses = at_once([lambda c=client, t=token: c.post(url, data={"value": "1", "csrf_token": t}, headers=JSON)
                        for client, token in signed_in(served_app, fan, 20)])
    assert len(statuses) == 20 and set(statuses) <= {200, 409}
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Vote.id)).where(Vote.post_id == question.id)) == 1
    assert db.session.get(Question, question.id).score == 1
    assert reputation(question.author) == 10 and len(live_events(Reason.QUESTION_UPVOTED)) == 1
    assert runner.invoke(args=["reputation", "recompute", "--check"]).exit_code == 0


def test_two_answers_accepted_at_the_same_moment_leave_one_accepted(served_app, runner):
    question = make_question()
    first, second = make_answer(question), make_answer(question)
    before = reputation(first.author)  # both answerers start with the same (the floor of 1)
    (client_a, token_a), (client_b, token_b) = signed_in(served_app, question.author, 2)
    url_a, url_b = f"/answers/{first.id}/accept", f"/answers/{second.id}/accept"  # read here: threads have no context
    statuses = at_once([
        lambda: client_a.post(url_a, data={"csrf_token": token_a}, headers=JSON),
        lambda: client_b.post(url_b, data={"csrf_token": token_b}, headers=JSON),
    ])
    assert statuses == [200, 200]
    db.session.expire_all()
    accepted_id = db.session.get(Question, question.id).accepted_answer_id
    assert accepted_id in (first.id, second.id)
    events = live_events(Reason.ANSWER_ACCEPTED)
    assert [event.post_id for event in events] == [accepted_id]
    winner = first if accepted_id == first.id else second
    loser = second if winner is first else first
    assert reputation(winner.author) == 15 and reputation(loser.author) == before
    assert runner.invoke(args=["reputation", "recompute", "--check"]).exit_code == 0
