"""The badge directory, a badge's holders, badges on profiles and the "you earned" message."""
import html
import re
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, update

from forum.extensions import db
from forum.models import UserBadge, utcnow
from forum.services.reputation import badges
from forum.services.community import posts
from tests.factories import make_answer, make_question, make_user
from tests.helpers import login, post_form, text


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(text(response))


def row(page_text: str, key: str) -> str:
    match = re.search(rf'<tr id="badge-{key}">(.*?)</tr>', page_text, re.S)
    assert match, key
    return match.group(1)


@contextmanager
def counted_statements():
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def test_badges_page_lists_every_badge_with_its_tier_criterion_and_holders(client):
    first, second = make_user(), make_user()
    question = make_question(author=first)
    for answer in (make_answer(question, author=first), make_answer(question, author=first),
                   make_answer(question, author=second)):
        badges.award(answer.author_id, "nice_answer", answer.id)
    db.session.commit()
    listing = page(client, "/badges")
    for badge in badges.BADGE_LIST:
        assert str(badge.name) in row(listing, badge.key)
    nice = row(listing, "nice_answer")
    assert "Answer score of 10 or more." in nice and "badge-bronze" in nice
    assert "2 holders" in nice  # two people, though three awards
    assert "0 holders" in row(listing, "great_answer") and "badge-gold" in row(listing, "great_answer")
    assert "Asked a question with 1,000 views." in row(listing, "popular_question")


def test_badges_page_counts_holders_in_one_query(client):
    client.get("/badges")
    with counted_statements() as few:
        client.get("/badges")
    for _ in range(5):
        user = make_user(commit=False)
        for key in ("supporter", "critic", "editor"):
            badges.award(user.id, key)
    db.session.commit()
    with counted_statements() as many:
        client.get("/badges")
    assert len(few) == len(many) <= 2


def test_badge_page_lists_holders_newest_first_with_the_post(client):
    question = make_question(title="Sync stops after the update to version 4")
    older, newer = make_answer(question), make_answer(question)
    badges.award(older.author_id, "nice_answer", older.id)
    badges.award(newer.author_id, "nice_answer", newer.id)
    badges.award(question.author_id, "nice_question", question.id)
    db.session.execute(update(UserBadge).where(UserBadge.post_id == older.id)
                       .values(awarded_at=utcnow() - timedelta(days=3)))
    db.session.commit()
    holders = page(client, "/badges/nice_answer")
    assert "Answer score of 10 or more." in holders and "2 people hold this badge." in holders
    assert holders.index(newer.author.username) < holders.index(older.author.username)
    assert holders.count("Sync stops after the update to version 4") == 2
    assert f"/answers/{newer.id}" in holders
    assert question.author.username not in holders  # a Nice Question, not a Nice Answer


def test_badge_page_hides_the_post_of_a_deleted_answer(client):
    answer = make_answer(make_question(title="A question whose answer gets deleted later"))
    badges.award(answer.author_id, "nice_answer", answer.id)
    posts.delete_post(answer.author, answer)
    db.session.commit()
    holders = page(client, "/badges/nice_answer")
    assert answer.author.username in holders and "(deleted post)" in holders
    assert "A question whose answer gets deleted later" not in holders


def test_badge_page_is_paginated_with_constant_queries(client):
    def award_to_new_users(count: int) -> None:
        for _ in range(count):
            answer = make_answer(make_question(commit=False), commit=False)
            badges.award(answer.author_id, "good_answer", answer.id)
        db.session.commit()

    award_to_new_users(1)
    client.get("/badges/good_answer")
    with counted_statements() as one:
        client.get("/badges/good_answer")
    award_to_new_users(54)
    with counted_statements() as full:
        first_page = page(client, "/badges/good_answer")
    assert len(one) == len(full)
    assert first_page.count('class="user-link"') == 50 and "?page=2" in first_page
    assert page(client, "/badges/good_answer?page=2").count('class="user-link"') == 5


def test_unknown_badge_is_404(client):
    assert client.get("/badges/no_such_badge").status_code == 404


def test_profile_shows_badges_by_tier(client):
    question = make_question()
    other = make_question(author=question.author)
    user = question.author
    badges.award(user.id, "student", question.id)
    badges.award(user.id, "nice_question", question.id)
    badges.award(user.id, "nice_question", other.id)
    badges.award(user.id, "great_question", question.id)
    db.session.commit()
    profile = page(client, f"/users/{user.id}")
    section = profile[profile.index('id="badges"'):]
    assert re.search(r"Gold <strong>1</strong>", section) and re.search(r"Bronze <strong>3</strong>", section)
    assert re.search(r"Silver <strong>0</strong>", section)
    assert "Great Question" in section and "Nice Question" in section and "× 2" in section
    assert section.index("Great Question") < section.index("Student")  # gold first
    assert "No badges yet." in page(client, f"/users/{make_user().id}")


def test_earning_a_badge_through_a_page_says_so(client):
    user = make_user()
    login(client, user)
    response = post_form(client, "/users/settings", {"about": "Support engineer, Osaka office.", "locale": ""},
                         page="/users/settings", follow_redirects=True)
    assert "You earned the “Autobiographer” badge!" in html.unescape(text(response))
    assert "You earned" not in html.unescape(text(client.get("/questions")))  # said once


def test_the_main_navigation_links_to_badges(client):
    assert 'href="/badges"' in page(client, "/questions")


def test_badges_page_in_japanese(client):
    listing = html.unescape(text(client.get("/badges", headers={"Accept-Language": "ja"})))
    assert "バッジ" in listing and "学生" in row(listing, "student")
