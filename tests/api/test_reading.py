"""Reading through the API: anonymous, the same visibility rules as the pages, errors as problem documents."""
from forum.extensions import db
from forum.models import FaqEntry, FaqStatus, utcnow
from forum.markup import render_markdown
from forum.services.community import posts
from tests.factories import make_answer, make_question, make_user

PROBLEM = "application/problem+json"


def test_the_question_list_pages_and_filters_by_tag(api):
    first = make_question(title="Printer stays offline after the update", tags="printer")
    second = make_question(title="Sync stops when the laptop sleeps", tags="sync")
    body = api.get("/api/v1/questions?per_page=1").get_json()
    assert [item["id"] for item in body["items"]] == [second.id]
    assert body["total"] == 2 and body["has_next"] is True
    assert body["items"][0]["url"].endswith(f"/questions/{second.id}/sync-stops-when-the-laptop-sleeps")
    tagged = api.get("/api/v1/questions?tag=printer").get_json()
    assert [item["id"] for item in tagged["items"]] == [first.id]
    assert tagged["items"][0]["created_at"].endswith("Z")  # UTC, said so


def test_a_thread_has_its_answers_accepted_first_and_no_deleted_ones(api):
    question = make_question()
    plain = make_answer(question, body="Restart the sync client and sign in again to refresh the token.")
    accepted = make_answer(question, body="Clear the cache folder, then run the sync again from the menu.")
    gone = make_answer(question, body="This answer was wrong and its author deleted it afterwards.")
    question.accepted_answer_id = accepted.id
    posts.delete_post(gone.author, gone)
    db.session.commit()
    body = api.get(f"/api/v1/questions/{question.id}").get_json()
    assert [answer["id"] for answer in body["answers"]] == [accepted.id, plain.id]
    assert body["answers"][0]["accepted"] is True and body["question"]["accepted_answer_id"] == accepted.id
    assert "email" not in str(body)  # authors are public references only


def test_a_missing_or_deleted_question_is_a_404_problem_in_the_readers_language(api):
    question = make_question()
    posts.delete_post(question.author, question)
    db.session.commit()
    for path in (f"/api/v1/questions/{question.id}", "/api/v1/questions/99999"):
        response = api.get(path, headers={"Accept-Language": "ja"})
        assert response.status_code == 404 and response.mimetype == PROBLEM
        problem = response.get_json()
        assert problem["status"] == 404 and problem["instance"] == path
        assert "質問" in problem["detail"]  # the page's own message, in Japanese


def test_bad_parameters_are_a_400_problem_that_names_the_field(api):
    response = api.get("/api/v1/questions?tab=loudest&per_page=1000")
    assert response.status_code == 400 and response.mimetype == PROBLEM
    assert {error["field"] for error in response.get_json()["errors"]} == {"tab", "per_page"}
    assert api.get("/api/v1/questions?tag=nosuchtag").status_code == 404
    assert api.get("/api/v1/search").status_code == 400  # q is required


def test_unknown_routes_and_methods_answer_as_the_api_does(api):
    response = api.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.mimetype == PROBLEM
    response = api.delete("/api/v1/questions")
    assert response.status_code == 405 and response.mimetype == PROBLEM and "POST" in response.headers["Allow"]


def test_search_finds_a_japanese_sentence_and_returns_plain_snippets(api):
    question = make_question(title="Windowsアプリで同期ができない", body="アップデートの後、Windowsアプリで同期ができなくなりました。")
    make_question(title="Printer offline", body="The printer is offline since this morning.")
    body = api.get("/api/v1/search", query_string={"q": "Windowsアプリで同期ができなくなったのはなぜですか"}).get_json()
    assert [item["id"] for item in body["items"]] == [question.id]
    assert "<mark>" not in body["items"][0]["snippet"] and "同期" in body["items"][0]["snippet"]


def test_similar_lists_faq_entries_before_questions(api):
    question = make_question(title="How do I reset my password?", body="I forgot my password and cannot sign in.")
    entry = FaqEntry(title="Resetting a forgotten password", question_md="I forgot my password.",
                     question_html=render_markdown("I forgot my password."), answer_md="Use the reset link.",
                     answer_html=render_markdown("Use the reset link."), status=FaqStatus.PUBLISHED,
                     created_by_id=make_user(commit=False).id, published_at=utcnow())
    db.session.add(entry)
    db.session.commit()
    items = api.get("/api/v1/similar", query_string={"title": "forgot password reset"}).get_json()["items"]
    assert items[0]["faq"] is True and items[0]["id"] == entry.id
    assert question.id in [item["id"] for item in items if not item["faq"]]
    faq = api.get("/api/v1/faq").get_json()
    assert [e["id"] for section in faq["categories"] for e in section["entries"]] == [entry.id]
    assert api.get(f"/api/v1/faq/{entry.id}").get_json()["title"] == "Resetting a forgotten password"


def test_a_profile_shows_public_fields_only(api):
    user = make_user(email="private@example.com")
    make_question(author=user)
    body = api.get(f"/api/v1/users/{user.id}").get_json()
    assert body["username"] == user.username and body["question_count"] == 1
    assert "private@example.com" not in str(body)
    assert api.get("/api/v1/users/99999").status_code == 404
