"""'Did this solve your problem?' through HTTP: dedup by account and by cookie, CSRF and Origin rules, the
thread page, and the staff outcomes page."""
import re

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import FaqEntry, FaqStatus, Feedback, Role, utcnow
from forum.services.community.posts import delete_post
from tests.factories import make_answer, make_question, make_user
from tests.helpers import counted_statements, csrf_token, login, question_url, text

SAME_SITE = {"Origin": "http://localhost"}
JSON = {"Accept": "application/json"}
CSRF_MESSAGE = "Your form expired or came from another site."
ORIGIN_MESSAGE = "Feedback can only be sent from this site&#39;s own pages."


def feedback_rows():
    db.session.expire_all()
    return list(db.session.scalars(select(Feedback).order_by(Feedback.id)))


def visitor_cookies(response) -> list[str]:
    return [c for c in response.headers.getlist("Set-Cookie") if c.startswith("kotae_visitor=")]


def pressed(page: str) -> list[str]:
    return re.findall(r'value="(\w+)"[^>]*\n?[^>]*aria-pressed="true"', page)


def signed_in_post(client, question, outcome, **kwargs):
    token = csrf_token(client, question_url(question))
    return client.post(f"/feedback/thread/{question.id}", data={"outcome": outcome, "csrf_token": token}, **kwargs)


# --- anonymous visitors ---------------------------------------------------------------------------------------

def test_thread_page_shows_the_widget_and_sets_no_cookie_for_a_new_visitor(client, factories):
    question = make_question()
    response = client.get(question_url(question))
    page = text(response)
    assert "Did this solve your problem?" in page
    assert 'name="csrf_token"' not in page.split('id="feedback"')[1].split("</form>")[0]
    assert response.headers.getlist("Set-Cookie") == []
    assert pressed(page) == []


def test_anonymous_feedback_sets_a_visitor_cookie_and_redirects_back(client, factories):
    question = make_question()
    response = client.post(f"/feedback/thread/{question.id}", data={"outcome": "helpful"}, headers=SAME_SITE)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{question_url(question)}#feedback"
    [cookie] = visitor_cookies(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=31536000" in cookie
    assert "Secure" not in cookie
    page = text(client.get(response.headers["Location"]))
    assert "Thank you for your feedback." in page
    assert pressed(page) == ["helpful"]
    [row] = feedback_rows()
    assert (row.outcome, row.user_id, row.is_asker) == ("helpful", None, False)
    assert row.visitor_key.startswith("anon:")


def test_the_same_cookie_changes_the_answer_and_another_visitor_adds_one(client, factories):
    question = make_question()
    url = f"/feedback/thread/{question.id}"
    client.post(url, data={"outcome": "resolved"}, headers=SAME_SITE)
    second = client.post(url, data={"outcome": "not_helpful"}, headers=SAME_SITE)  # same browser, same cookie
    assert visitor_cookies(second) == []  # the cookie is set once
    [row] = feedback_rows()
    assert row.outcome == "not_helpful"
    other = client.application.test_client()
    other.post(url, data={"outcome": "resolved"}, headers=SAME_SITE)
    assert sorted(r.outcome for r in feedback_rows()) == ["not_helpful", "resolved"]


def test_cookie_is_secure_over_https(client, factories):
    question = make_question()
    response = client.post(f"/feedback/thread/{question.id}", data={"outcome": "resolved"},
                           headers={"Origin": "https://localhost"}, base_url="https://localhost")
    [cookie] = visitor_cookies(response)
    assert "Secure" in cookie


@pytest.mark.parametrize("headers", [
    {},  # neither Origin nor Referer
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Referer": "https://evil.example/questions/1"},
    {"Origin": "http://localhost.evil.example"},
])
def test_cross_site_anonymous_post_is_refused(client, factories, headers):
    question = make_question()
    response = client.post(f"/feedback/thread/{question.id}", data={"outcome": "resolved"}, headers=headers)
    assert response.status_code == 403
    assert ORIGIN_MESSAGE in text(response)
    assert visitor_cookies(response) == []
    assert feedback_rows() == []


def test_same_site_referer_is_accepted_when_origin_is_missing(client, factories):
    question = make_question()
    response = client.post(f"/feedback/thread/{question.id}", data={"outcome": "resolved"},
                           headers={"Referer": f"http://localhost{question_url(question)}"})
    assert response.status_code == 302
    assert len(feedback_rows()) == 1


def test_json_answer_for_the_script(client, factories):
    question = make_question()
    response = client.post(f"/feedback/thread/{question.id}", data={"outcome": "resolved"},
                           headers={**SAME_SITE, **JSON})
    assert response.status_code == 200
    assert response.get_json()["outcome"] == "resolved"
    assert response.get_json()["counts"] == {"resolved": 1, "helpful": 0, "not_helpful": 0}
    assert visitor_cookies(response)


# --- signed-in visitors -----------------------------------------------------------------------------------------

def test_signed_in_without_csrf_token_is_refused(client, factories):
    question = make_question()
    login(client, make_user())
    response = client.post(f"/feedback/thread/{question.id}", data={"outcome": "resolved"}, headers=SAME_SITE)
    assert response.status_code == 400
    assert CSRF_MESSAGE in text(response)
    assert feedback_rows() == []


def test_signed_in_user_votes_once_per_page_whatever_the_browser(client, factories):
    question, user = make_question(), make_user()
    login(client, user)
    page = text(client.get(question_url(question)))
    assert 'name="csrf_token"' in page.split('id="feedback"')[1].split("</form>")[0]
    assert signed_in_post(client, question, "resolved").status_code == 302
    other_browser = client.application.test_client()
    login(other_browser, user)
    response = signed_in_post(other_browser, question, "helpful", headers=JSON)
    assert response.get_json()["outcome"] == "helpful"
    [row] = feedback_rows()
    assert (row.visitor_key, row.user_id, row.outcome) == (f"user:{user.id}", user.id, "helpful")
    assert visitor_cookies(response) == []  # accounts need no visitor cookie
    assert pressed(text(client.get(question_url(question)))) == ["helpful"]


def test_the_askers_answer_is_marked(client, factories):
    asker = make_user()
    question = make_question(author=asker)
    login(client, asker)
    signed_in_post(client, question, "resolved")
    [row] = feedback_rows()
    assert row.is_asker


# --- unhappy paths --------------------------------------------------------------------------------------------

def test_missing_or_deleted_thread_is_404(client, factories):
    question = make_question()
    delete_post(question.author, question)
    db.session.commit()
    for target_id in (question.id, 9999):
        response = client.post(f"/feedback/thread/{target_id}", data={"outcome": "resolved"}, headers=SAME_SITE)
        assert response.status_code == 404
    assert client.post("/feedback/faq/9999", data={"outcome": "resolved"}, headers=SAME_SITE).status_code == 404
    assert feedback_rows() == []


def test_unpublished_faq_entry_is_404_and_a_published_one_counts(client, factories):
    staff = make_user(role=Role.ADMIN)
    entry = FaqEntry(title="Reset sync", question_md="q", question_html="q", answer_md="a", answer_html="a",
                     status=FaqStatus.DRAFT, created_by_id=staff.id)
    db.session.add(entry)
    db.session.commit()
    url = f"/feedback/faq/{entry.id}"
    assert client.post(url, data={"outcome": "resolved"}, headers=SAME_SITE).status_code == 404
    entry.status = FaqStatus.PUBLISHED
    db.session.commit()
    response = client.post(url, data={"outcome": "resolved"}, headers=SAME_SITE)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/faq/{entry.id}/reset-sync#feedback"
    client.post(url, data={"outcome": "not_helpful"}, headers=SAME_SITE)
    db.session.refresh(entry)
    assert (entry.resolved_count, entry.helpful_count, entry.not_helpful_count) == (0, 0, 1)


@pytest.mark.parametrize("data", [{"outcome": "meh"}, {}])
def test_unknown_outcome_is_400_with_a_message(client, factories, data):
    question = make_question()
    response = client.post(f"/feedback/thread/{question.id}", data=data, headers={**SAME_SITE, **JSON})
    assert response.status_code == 400
    assert "Please choose one of the answers" in response.get_json()["message"]
    assert feedback_rows() == []


def test_unknown_target_type_is_400(client, factories):
    question = make_question()
    response = client.post(f"/feedback/answer/{question.id}", data={"outcome": "resolved"}, headers=SAME_SITE)
    assert response.status_code == 400


# --- the thread page's queries ----------------------------------------------------------------------------------

def page_statements(client, question) -> list[str]:
    client.get(question_url(question))  # the first view records the viewer
    with counted_statements() as statements:
        assert client.get(question_url(question)).status_code == 200
    return statements


def thread_with(answers: int):
    question = make_question(commit=False)
    for _ in range(answers):
        make_answer(question, commit=False)
    db.session.commit()
    return question


def test_widget_costs_no_query_for_a_new_visitor_and_one_for_a_known_one(client, factories):
    client.application.config["PAGE_CACHE_ENABLED"] = False  # count a rendered page, not one from the page cache
    small, large = thread_with(1), thread_with(20)
    fresh = [page_statements(client, q) for q in (small, large)]
    assert 0 < len(fresh[0]) == len(fresh[1])
    assert not any("feedback" in s for s in fresh[0])
    client.post(f"/feedback/thread/{small.id}", data={"outcome": "resolved"}, headers=SAME_SITE)
    known = [page_statements(client, q) for q in (small, large)]
    assert len(known[0]) == len(known[1]) == len(fresh[0]) + 1
    login(client, make_user())
    signed_in = [page_statements(client, q) for q in (small, large)]
    assert len(signed_in[0]) == len(signed_in[1])
    assert sum("feedback" in s for s in signed_in[0]) == 1


# --- staff page -------------------------------------------------------------------------------------------------

def test_outcomes_page_is_staff_only(client, factories):
    assert client.get("/admin/outcomes").status_code == 403
    assert client.get("/admin/outcomes.csv").status_code == 403
    login(client, make_user())
    assert client.get("/admin/outcomes").status_code == 403
    assert client.get("/admin/outcomes.csv").status_code == 403


def seed_feedback(questions: int):
    now = utcnow()
    for n in range(questions):
        question = make_question(commit=False)
        for m, outcome in enumerate(("resolved", "helpful", "not_helpful", "resolved")):
            db.session.add(Feedback(target_type="thread", target_id=question.id, visitor_key=f"anon:{n}-{m}",
                                    outcome=outcome, created_at=now, updated_at=now))
        db.session.add(Feedback(target_type="thread", target_id=question.id, visitor_key="user:0",
                                outcome="not_helpful", is_asker=True, created_at=now, updated_at=now))
        entry = FaqEntry(title=f"Entry {n}", question_md="q", question_html="q", answer_md="a", answer_html="a",
                         status=FaqStatus.PUBLISHED, created_by_id=question.author_id, resolved_count=n + 1,
                         helpful_count=1)
        db.session.add(entry)
        db.session.flush()
        db.session.add(Feedback(target_type="faq", target_id=entry.id, visitor_key=f"anon:{n}", outcome="helpful",
                                created_at=now, updated_at=now))
    db.session.commit()


def test_staff_see_rates_counts_and_the_askers_answers(client, factories):
    seed_feedback(2)
    login(client, make_user(role=Role.MODERATOR))
    response = client.get("/admin/outcomes?weeks=4")
    assert response.status_code == 200
    page = text(response)
    assert "Self-resolution rate" in page and "Helpfulness rate" in page
    assert "50%" in page and "75%" in page  # threads: 4 resolved of 8, 6 helpful or resolved of 8
    assert "0 / 2" in page  # the askers' own answers: none resolved, kept out of the rates
    assert page.index("Entry 1") < page.index("Entry 0")  # more feedback first
    assert page.count("<time datetime=") == 4  # one row per week
    assert 'href="/admin/outcomes"' in page and 'aria-current="page"' in page


def test_outcomes_page_queries_do_not_grow_with_rows(client, factories):
    staff = make_user(role=Role.ADMIN)
    login(client, staff)
    seed_feedback(1)
    client.get("/admin/outcomes")
    with counted_statements() as few:
        client.get("/admin/outcomes")
    seed_feedback(15)
    with counted_statements() as many:
        client.get("/admin/outcomes")
    assert 0 < len(few) == len(many) <= 10   # the deflection figures: one grouped query; the branding: one


def test_weekly_csv(client, factories):
    seed_feedback(1)
    login(client, make_user(role=Role.ADMIN))
    response = client.get("/admin/outcomes.csv?weeks=2")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = text(response).strip().splitlines()
    assert lines[0].startswith("week_start,target_type,resolved,helpful,not_helpful,total,self_resolution_rate")
    assert len(lines) == 1 + 2 * 2
    this_week_threads = [line for line in lines if ",thread," in line][-1].split(",")
    assert this_week_threads[2:] == ["2", "1", "1", "4", "0.5000", "0.7500", "0", "1"]
    assert client.get("/admin/outcomes.csv?weeks=nonsense").status_code == 200


def test_deleted_thread_shows_no_widget_to_its_author(client, factories):
    author = make_user()
    question = make_question(author=author)
    delete_post(author, question)
    db.session.commit()
    login(client, author)
    page = text(client.get(question_url(question)))
    assert "This post is deleted." in page
    assert 'id="feedback"' not in page


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "FEEDBACK_RATE_LIMIT": "2 per minute",
                                         "PRIVILEGE_PRESET": "small"}], ids=["feedback-2-per-minute"])
def test_feedback_is_rate_limited(client, factories):
    question = make_question()
    url = f"/feedback/thread/{question.id}"
    for outcome in ("resolved", "helpful"):
        assert client.post(url, data={"outcome": outcome}, headers=SAME_SITE).status_code == 302
    response = client.post(url, data={"outcome": "not_helpful"}, headers={**SAME_SITE, **JSON})
    assert response.status_code == 429
    [row] = feedback_rows()
    assert row.outcome == "helpful"
