"""Voting and accepting through HTTP, as the page's script and plain forms do."""
import threading
import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Reason, ReputationEvent, Vote
from forum.services.reputation import ledger
from tests.factories import make_answer, make_question, make_user
from tests.helpers import counted_statements, csrf_token, login, post_form, result_ids, text

JSON = {"Accept": "application/json"}


def rich_user(amount: int = 500):
    user = make_user(commit=False)
    db.session.flush()
    ledger.record(user.id, Reason.BONUS, amount)
    db.session.commit()
    return user


def reputation(user) -> int:
    db.session.refresh(user)
    return user.reputation


def test_vote_returns_json_for_the_script(client):
    question = make_question()
    login(client, rich_user())
    response = post_form(client, f"/posts/{question.id}/vote", {"value": "1"}, headers=JSON)
    assert response.status_code == 200 and response.get_json() == {"score": 1, "vote": 1}
    response = post_form(client, f"/posts/{question.id}/vote", {"value": "0"}, headers=JSON)
    assert response.get_json() == {"score": 0, "vote": 0}


def test_vote_without_javascript_redirects_back_to_the_post(client):
    answer = make_answer(make_question())
    login(client, rich_user())
    response = post_form(client, f"/posts/{answer.id}/vote", {"value": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#answer-{answer.id}")
    page = text(client.get(response.headers["Location"], follow_redirects=True))
    assert 'class="vote vote-up on"' in page


def test_bad_vote_values_are_400(client):
    question = make_question()
    login(client, rich_user())
    for value in ("2", "up", ""):
        response = post_form(client, f"/posts/{question.id}/vote", {"value": value}, headers=JSON)
        assert response.status_code == 400 and "retract" in response.get_json()["message"]


def test_voting_on_your_own_post_is_403_with_a_reason(client):
    author = rich_user()
    question = make_question(author=author)
    login(client, author)
    response = post_form(client, f"/posts/{question.id}/vote", {"value": "1"}, headers=JSON)
    assert response.status_code == 403 and "own post" in response.get_json()["message"]


def test_anonymous_visitors_are_sent_to_log_in(client):
    question = make_question()
    response = client.post(f"/posts/{question.id}/vote", data={"value": "1"})
    assert response.status_code in (302, 400)  # CSRF or login: never a counted vote
    assert db.session.scalar(select(func.count(Vote.id))) == 0


@pytest.mark.parametrize("app_config", [{"PRIVILEGE_PRESET": "standard"}], ids=["standard-thresholds"])
def test_privileges_are_enforced_with_an_explanation(client):
    question = make_question()
    login(client, make_user())  # a newcomer: 1 reputation
    response = post_form(client, f"/posts/{question.id}/vote", {"value": "1"}, headers=JSON)
    assert response.status_code == 403
    assert "You need 15 reputation to vote up" in response.get_json()["message"]
    page = text(post_form(client, f"/posts/{question.id}/vote", {"value": "-1"}))
    assert "You need 125 reputation to vote down" in page


def test_accept_and_unaccept_by_the_asker(client):
    question = make_question()
    answer = make_answer(question)
    login(client, question.author)
    response = post_form(client, f"/answers/{answer.id}/accept", {}, headers=JSON)
    assert response.get_json() == {"accepted": True, "accepted_answer_id": answer.id}
    assert reputation(answer.author) == 15
    page = text(client.get(f"/questions/{question.id}", follow_redirects=True))
    assert "accepted-label" in page
    listing = text(client.get("/questions"))
    assert 'class="stat answers has-answers accepted"' in listing
    response = post_form(client, f"/answers/{answer.id}/accept", {}, headers=JSON)
    assert response.get_json()["accepted"] is False
    assert reputation(answer.author) == 1


def test_accepted_answer_is_shown_first(client):
    question = make_question()
    early = make_answer(question, body="The first answer, posted early and never accepted by the asker.")
    late = make_answer(question, body="The second answer, posted later, which the asker accepts as the fix.")
    login(client, question.author)
    post_form(client, f"/answers/{late.id}/accept", {})
    page = text(client.get(f"/questions/{question.id}", follow_redirects=True))
    assert page.index(f'id="answer-{late.id}"') < page.index(f'id="answer-{early.id}"')


def test_only_the_asker_may_accept(client):
    question = make_question()
    answer = make_answer(question)
    login(client, answer.author)
    response = post_form(client, f"/answers/{answer.id}/accept", {}, headers=JSON)
    assert response.status_code == 403


def test_the_same_vote_from_two_threads_at_once_counts_once(served_app):
    """Two simultaneous requests (a double click) against the file database move score and reputation once."""
    question = make_question()
    fan = rich_user()
    clients = [served_app.test_client() for _ in range(2)]
    for client in clients:
        login(client, fan)
    tokens = [csrf_token(client) for client in clients]
    url = f"/posts/{question.id}/vote"  # read here: the threads have no app context for lazy loads
    barrier = threading.Barrier(2)
    statuses = []

    def vote(client, token):
        barrier.wait()
        response = client.post(url, data={"value": "1", "csrf_token": token}, headers=JSON)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=vote, args=pair) for pair in zip(clients, tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses) in ([200, 200], [200, 409])
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Vote.id))) == 1
    assert question.score == 1 and reputation(question.author) == 10
    events = db.session.scalar(select(func.count(ReputationEvent.id)).where(
        ReputationEvent.reason == Reason.QUESTION_UPVOTED, ReputationEvent.reversed_at.is_(None)))
    assert events == 1


def test_casting_a_vote_costs_a_bounded_number_of_statements(client):
    """The statements a vote runs do not depend on how much history the voter or the author has."""
    fresh_author, busy_author = make_user(), make_user()
    fresh_voter, busy_voter = rich_user(), rich_user()
    for _ in range(30):  # a long history for the busy pair
        question = make_question(author=busy_author, commit=False)
        db.session.flush()
        ledger.record(busy_author.id, Reason.BONUS, 5)
        db.session.add(Vote(post_id=question.id, user_id=busy_voter.id, value=1))
    db.session.commit()
    counts = []
    for voter, author in ((fresh_voter, fresh_author), (busy_voter, busy_author)):
        question = make_question(author=author)
        login(client, voter)
        token = csrf_token(client)
        with counted_statements() as statements:
            response = client.post(f"/posts/{question.id}/vote", data={"value": "1", "csrf_token": token},
                                   headers=JSON)
        assert response.status_code == 200
        counts.append(len(statements))
        client.post("/logout", data={"csrf_token": token})
    # About 20 in the vote's transaction (vote, score, ledger, badges with their notifications, FAQ-candidate check)
    # and about 10 after the commit, when the search index takes the thread's new score.
    assert counts[0] == counts[1] <= 40


def test_a_vote_reaches_search_and_a_retracted_one_leaves_it(client):
    question = make_question(title="Scanner driver stops after sleep", body="The scanner driver stops after sleep.")
    login(client, rich_user())
    post_form(client, f"/posts/{question.id}/vote", {"value": "1"}, headers=JSON)
    assert result_ids(client.get("/search?q=scanner score:1")) == [question.id]
    post_form(client, f"/posts/{question.id}/vote", {"value": "0"}, headers=JSON)
    assert result_ids(client.get("/search?q=scanner score:1")) == []
