"""Writing through the API: a read-write token, the same rules as the pages, nothing stored on a refusal."""
from datetime import timedelta

import pytest

from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Post, Reason, Vote
from forum.services.people import api_tokens
from forum.services.reputation import ledger
from tests.factories import make_answer, make_question, make_user

from .conftest import bearer, new_token

PROBLEM = "application/problem+json"


def count_posts() -> int:
    return db.session.scalar(select(func.count(Post.id)))


def test_asking_answering_and_commenting_with_a_token(api):
    existing = make_question()  # its tags exist, so no new-tag privilege is needed
    asker, secret = new_token()
    response = api.post("/api/v1/questions", headers=bearer(secret), json={
        "title": "How do I move the sync folder to another drive?",
        "body": "My C: drive is full. How can I move the sync folder to D: without downloading everything again?",
        "tags": ["sync", "windows"]})
    assert response.status_code == 201
    question_id = response.get_json()["question"]["id"]
    assert response.headers["Location"].endswith(f"/api/v1/questions/{question_id}")
    assert response.get_json()["question"]["author"]["id"] == asker.id
    answerer, other = new_token()
    response = api.post(f"/api/v1/questions/{existing.id}/answers", headers=bearer(other),
                        json={"body": "Pause the sync, move the folder, then point the app at the new place."})
    assert response.status_code == 201 and response.get_json()["author"]["id"] == answerer.id
    response = api.post(f"/api/v1/posts/{question_id}/comments", headers=bearer(secret),
                        json={"body": "Thanks, I will try moving it tonight."})
    assert response.status_code == 201
    thread = api.get(f"/api/v1/questions/{question_id}").get_json()
    assert [c["body_html"] for c in thread["question"]["comments"]] != []


def test_writing_without_a_token_is_401_and_with_a_read_token_403(api):
    question = make_question()
    before = count_posts()
    response = api.post(f"/api/v1/questions/{question.id}/answers", json={"body": "An answer long enough here."})
    assert response.status_code == 401 and response.mimetype == PROBLEM
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    _user, read_only = new_token(scope="read")
    response = api.post(f"/api/v1/questions/{question.id}/answers", headers=bearer(read_only),
                        json={"body": "An answer long enough to be accepted by the rules."})
    assert response.status_code == 403 and response.get_json()["type"].endswith("/scope")
    assert count_posts() == before


def test_revoked_expired_and_unknown_tokens_are_refused(api):
    user, secret = new_token()
    assert api.get("/api/v1/me", headers=bearer(secret)).get_json()["user"]["id"] == user.id
    token = api_tokens.tokens_of(user)[0]
    api_tokens.revoke(user, token.id)
    db.session.commit()
    assert api.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    user, secret = new_token(days=7)
    token = api_tokens.tokens_of(user)[0]
    token.expires_at = token.created_at - timedelta(seconds=1)
    db.session.commit()
    assert api.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    for header in ("Bearer kotae_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "kotae_x"):
        response = api.get("/api/v1/questions", headers={"Authorization": header})
        assert response.status_code == 401 and response.mimetype == PROBLEM, header


def test_the_services_rules_apply_as_on_the_pages(api):
    question = make_question()
    newcomer, secret = new_token()
    before = count_posts()
    response = api.post("/api/v1/questions", headers=bearer(secret), json={
        "title": "short", "body": "too short", "tags": ["sync"]})
    assert response.status_code == 400 and response.get_json()["errors"][0]["field"] == "title"
    response = api.post(f"/api/v1/posts/{question.id}/vote", headers=bearer(secret), json={"value": -1})
    assert response.status_code == 403 and "reputation to vote down" in response.get_json()["detail"]
    response = api.post(f"/api/v1/posts/{question.id}/vote", headers=bearer(secret), json={"value": 5})
    assert response.status_code == 400
    assert count_posts() == before and db.session.scalar(select(func.count(Vote.id))) == 0
    response = api.post("/api/v1/questions", headers=bearer(secret), data="{not json",
                        content_type="application/json")
    assert response.status_code == 400 and "JSON" in response.get_json()["detail"]


def test_voting_and_accepting(api):
    question = make_question()
    answer = make_answer(question)
    voter = make_user(commit=False)
    db.session.flush()
    ledger.record(voter.id, Reason.BONUS, 100)
    db.session.commit()
    _voter, secret = new_token(voter)
    response = api.post(f"/api/v1/posts/{answer.id}/vote", headers=bearer(secret), json={"value": 1})
    assert response.get_json() == {"score": 1, "vote": 1}
    response = api.post(f"/api/v1/answers/{answer.id}/accept", headers=bearer(secret))
    assert response.status_code == 403  # only the asker accepts
    _asker, asker_secret = new_token(question.author)
    response = api.post(f"/api/v1/answers/{answer.id}/accept", headers=bearer(asker_secret))
    assert response.get_json() == {"accepted": True, "accepted_answer_id": answer.id}
    assert api.post(f"/api/v1/answers/{question.id}/accept", headers=bearer(asker_secret)).status_code == 404


def test_feedback_counts_once_per_member_and_can_change(api):
    question = make_question()
    _user, secret = new_token(scope="read")
    for outcome in ("helpful", "resolved"):
        response = api.post("/api/v1/feedback", headers=bearer(secret),
                            json={"target_type": "thread", "target_id": question.id, "outcome": outcome})
        assert response.status_code == 200
    assert response.get_json()["outcome"] == "resolved"
    response = api.post("/api/v1/feedback", headers=bearer(secret),
                        json={"target_type": "thread", "target_id": 99999, "outcome": "resolved"})
    assert response.status_code == 404


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "API_RATE_LIMIT": "3 per minute"}],
                         ids=["api-3-per-minute"])
def test_the_rate_limit_is_per_token_and_answers_a_problem(api):
    _user, first = new_token(scope="read")
    _other, second = new_token(scope="read")
    for _ in range(3):
        assert api.get("/api/v1/questions", headers=bearer(first)).status_code == 200
    response = api.get("/api/v1/questions", headers=bearer(first))
    assert response.status_code == 429 and response.mimetype == PROBLEM and "Retry-After" in response.headers
    assert api.get("/api/v1/questions", headers=bearer(second)).status_code == 200  # another token's own count
