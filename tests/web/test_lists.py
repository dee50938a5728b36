"""The question lists (tabs, pagination), the tag and user directories and profiles."""

from tests.factories import make_answer, make_question, make_user
from tests.helpers import text


def make_titled_questions(*titles):
    author = make_user()
    return [make_question(author=author, title=title) for title in titles]


def titles_in(page: str, candidates) -> list[str]:
    """Which of the candidate titles appear on the page, in page order."""
    return sorted((t for t in candidates if t in page), key=page.index)


def test_every_question_list_tab_renders(client, factories):
    make_titled_questions("First question about syncing")
    for tab in ("newest", "active", "votes", "unanswered"):
        response = client.get(f"/questions?tab={tab}")
        assert response.status_code == 200, tab
        assert "First question about syncing" in text(response), tab
        assert 'class="active" aria-current="page"' in text(response), tab


def test_newest_tab_orders_by_creation_and_active_by_last_activity(client, factories):
    old, new = make_titled_questions("Older question about syncing", "Newer question about syncing")
    make_answer(old)  # answering bumps the older question's activity
    titles = [old.title, new.title]
    assert titles_in(text(client.get("/questions?tab=newest")), titles) == [new.title, old.title]
    assert titles_in(text(client.get("/questions?tab=active")), titles) == [old.title, new.title]


def test_unanswered_tab_hides_answered_questions(client, factories):
    answered, unanswered = make_titled_questions("Answered question about syncing", "Unanswered question on sync")
    make_answer(answered)
    page = text(client.get("/questions?tab=unanswered"))
    assert unanswered.title in page
    assert answered.title not in page


def test_unknown_tab_falls_back_to_newest(client, factories):
    make_titled_questions("Only question about syncing")
    response = client.get("/questions?tab=<script>")
    assert response.status_code == 200
    assert "Only question about syncing" in text(response)


def test_pagination(client, factories):
    client.application.config["QUESTIONS_PER_PAGE"] = 2
    titles = [f"Question number {n} about syncing" for n in range(1, 6)]
    make_titled_questions(*titles)
    first, second, third = (text(client.get(f"/questions?page={n}")) for n in (1, 2, 3))
    assert titles_in(first, titles) == [titles[4], titles[3]]
    assert titles_in(second, titles) == [titles[2], titles[1]]
    assert titles_in(third, titles) == [titles[0]]
    assert 'rel="next"' in first and 'rel="prev"' in second
    assert "5 questions" in first
    beyond = client.get("/questions?page=99")
    assert beyond.status_code == 200 and not titles_in(text(beyond), titles)
    assert client.get("/questions?page=abc").status_code == 200
    assert client.get("/questions?page=-3").status_code == 200


def test_unknown_tag_page_is_404(client, db):
    assert client.get("/questions/tagged/nosuchtag").status_code == 404


def test_tags_page_filters_by_name(client, factories):
    make_question(tags="windows sync")
    make_question(tags="macos")
    page = text(client.get("/tags?filter=WIN"))
    assert ">windows</a>" in page
    assert ">macos</a>" not in page and ">sync</a>" not in page
    assert "No tags match" in text(client.get("/tags?filter=zzz"))
    assert ">macos</a>" in text(client.get("/tags"))


def test_users_page_filters_by_name(client, factories):
    make_user(username="KenjiSato")
    make_user(username="aoi")
    page = text(client.get("/users?filter=kenji"))
    assert "KenjiSato" in page
    assert ">aoi</a>" not in page
    assert "No users match" in text(client.get("/users?filter=nobody"))


def test_profile_shows_the_users_questions_and_answers(client, factories):
    member = make_user(username="kenji")
    question = make_question(author=member, title="Kenji asks about syncing photos")
    other_question = make_question(title="Somebody else asks about backups")
    answer = make_answer(other_question, author=member)
    page = text(client.get(f"/users/{member.id}"))
    assert "kenji" in page
    assert question.title in page
    assert other_question.title in page  # shown as the title of the answered question
    assert f"/answers/{answer.id}" in page
    questions_tab = text(client.get(f"/users/{member.id}?tab=questions"))
    assert question.title in questions_tab
    assert other_question.title not in questions_tab
    assert client.get("/users/424242").status_code == 404
