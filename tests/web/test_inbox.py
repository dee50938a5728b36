"""The inbox page, the header's unread count, reading, mark-all-read, settings and unsubscribe links."""
import re

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Notification, NotificationKind as Kind, User
from forum.services.outreach import mail, notifications
from tests.factories import make_answer, make_comment, make_question, make_user
from tests.helpers import counted_statements, csrf_token, login, post_form, text

INBOX_COUNT = re.compile(r'class="inbox-count"[^>]*>(\d+)<')


@pytest.fixture
def app_config():
    return {"PRIVILEGE_PRESET": "small", "INBOX_PER_PAGE": 5}


def unread_in_header(html: str) -> int:
    match = INBOX_COUNT.search(html)
    return int(match.group(1)) if match else 0


def asker_with_answers(count: int, title="Sync stops after five minutes"):
    asker = make_user(username="asker")
    question = make_question(author=asker, title=title, commit=False)
    answers = [make_answer(question, author=make_user(username=f"helper{n}", commit=False), commit=False)
               for n in range(count)]
    db.session.commit()
    return asker, question, answers


def notification_ids(user) -> list[int]:
    return list(db.session.scalars(select(Notification.id).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def test_the_inbox_needs_a_login(client):
    response = client.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_inbox_lists_notifications_newest_first_with_the_unread_count(client):
    asker, question, _ = asker_with_answers(2)
    make_comment(question, author=make_user(username="kenji"), body="Does this happen on the mobile app too?")
    login(client, asker)
    page = text(client.get("/inbox"))
    assert unread_in_header(page) == 3
    sentences = re.findall(r'class="inbox-link"[^>]*>\s*(?:<span[^>]*>[^<]*</span>)?([^<]+)', page)
    assert [s.strip() for s in sentences] == [
        "kenji commented on your post: Does this happen on the mobile app too?",
        "helper1 answered your question: Sync stops after five minutes",
        "helper0 answered your question: Sync stops after five minutes",
    ]
    assert page.count('class="inbox-item unread"') == 3
    assert "Mark all as read" in page


def test_opening_an_item_marks_it_read_and_goes_to_the_post(client):
    asker, question, [answer, _] = asker_with_answers(2)
    login(client, asker)
    first = notification_ids(asker)[0]
    response = client.get(f"/inbox/{first}")
    assert response.status_code == 302 and response.headers["Location"] == f"/answers/{answer.id}"
    page = text(client.get("/inbox"))
    assert unread_in_header(page) == 1
    assert page.count('class="inbox-item unread"') == 1 and page.count('class="inbox-item"') == 1


def test_someone_elses_notification_is_not_found_and_stays_unread(client):
    asker, _, _ = asker_with_answers(1)
    login(client, make_user())
    [item] = notification_ids(asker)
    assert client.get(f"/inbox/{item}").status_code == 404
    assert client.get("/inbox/999999").status_code == 404
    db.session.expire_all()
    assert notifications.unread_count(asker.id) == 1


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/x", "/\\evil.example", ""])
def test_an_item_never_redirects_off_site(client, url):
    user = make_user()
    item = notifications.notify(user.id, Kind.MODERATION, text="Your post was closed.", url=url)
    db.session.commit()
    login(client, user)
    response = client.get(f"/inbox/{item.id}")
    assert response.status_code == 302 and response.headers["Location"] in ("/inbox", "http://localhost/inbox")


def test_mark_all_as_read(client):
    asker, _, _ = asker_with_answers(3)
    login(client, asker)
    response = post_form(client, "/inbox/read", page="/inbox", follow_redirects=True)
    page = text(response)
    assert "All notifications are marked as read." in page
    assert unread_in_header(page) == 0 and 'inbox-item unread' not in page and "Mark all as read" not in page


def test_mark_all_as_read_needs_the_csrf_token(client):
    asker, _, _ = asker_with_answers(1)
    login(client, asker)
    assert client.post("/inbox/read").status_code == 400
    db.session.expire_all()
    assert notifications.unread_count(asker.id) == 1


def test_the_inbox_is_paginated(client):
    asker, _, _ = asker_with_answers(7)
    login(client, asker)
    first, second = text(client.get("/inbox")), text(client.get("/inbox?page=2"))
    assert first.count('class="inbox-item') == 5 and second.count('class="inbox-item') == 2
    assert "helper6 answered" in first and "helper0 answered" in second


def test_inbox_queries_do_not_grow_with_items(client, served_app):
    """Each actor is loaded with a join: 1 item or 5 items from different people cost the same statements."""
    counts = []
    for n in (1, 5):
        user = make_user(commit=False)
        for _ in range(n):
            notifications.notify(user.id, Kind.MENTION, actor=make_user(commit=False), text="look here")
        db.session.commit()
        login(client, user)
        client.get("/inbox")
        with counted_statements() as statements:
            assert client.get("/inbox").status_code == 200
        counts.append(len(statements))
        client.post("/logout", data={"csrf_token": csrf_token(client, "/inbox")})
    assert counts[0] == counts[1] <= 6, counts


def test_the_unread_count_costs_one_query_and_nothing_for_visitors(client, served_app):
    question = make_question()
    url = f"/questions/{question.id}/{question.slug}"
    client.get(url)
    with counted_statements() as anonymous:
        response = client.get(url + "?rendered=1")  # a page the page cache does not have yet: rendered
    assert response.headers["X-Cache"] == "miss"
    assert anonymous and not [s for s in anonymous if "FROM notifications" in s]
    login(client, make_user())
    client.get(url)
    with counted_statements() as signed_in:
        page = text(client.get(url))
    assert len([s for s in signed_in if "FROM notifications" in s]) == 1
    assert 'href="/inbox"' in page


def test_settings_choose_how_e_mail_arrives(client):
    user = make_user()
    login(client, user)
    page = text(client.get("/users/settings"))
    assert "E-mail notifications" in page and "Daily digest" in page
    response = post_form(client, "/users/settings", {"about": "", "locale": "", "email_notifications": "daily"},
                         page="/users/settings")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).email_notifications == "daily"
    response = post_form(client, "/users/settings", {"about": "", "locale": "", "email_notifications": "hourly"},
                         page="/users/settings")
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).email_notifications == "daily"


def test_unsubscribe_asks_first_then_turns_e_mail_off(client):
    user = make_user(username="leaving")
    token = mail.unsubscribe_token(user.id)
    page = text(client.get(f"/unsubscribe/{token}"))
    assert "Stop e-mail notifications?" in page and "leaving" in page
    db.session.expire_all()
    assert db.session.get(User, user.id).email_notifications == "instant"  # a GET changes nothing
    assert client.post(f"/unsubscribe/{token}").status_code == 400  # the form needs its CSRF token
    response = post_form(client, f"/unsubscribe/{token}", page=f"/unsubscribe/{token}")
    assert response.status_code == 200 and "You are unsubscribed" in text(response)
    db.session.expire_all()
    assert db.session.get(User, user.id).email_notifications == "off"
    assert "already off" in text(client.get(f"/unsubscribe/{token}"))


def test_one_click_unsubscribe_works_without_a_csrf_token(client):
    """RFC 8058: the mail client POSTs List-Unsubscribe=One-Click to the header's URL."""
    user = make_user()
    url = f"/unsubscribe/{mail.unsubscribe_token(user.id)}/one-click"
    response = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).email_notifications == "off"
    assert client.get(url).status_code == 302  # opened in a browser: the confirmation page


@pytest.mark.parametrize("token", ["forged", "MQ.invalid-signature"])
def test_a_bad_unsubscribe_token_is_not_found(client, token):
    assert client.get(f"/unsubscribe/{token}").status_code == 404
    assert client.post(f"/unsubscribe/{token}/one-click").status_code == 404


def test_a_token_for_a_deleted_account_is_not_found(client, app):
    with app.test_request_context():
        token = mail.unsubscribe_token(424242)
    assert client.get(f"/unsubscribe/{token}").status_code == 404
