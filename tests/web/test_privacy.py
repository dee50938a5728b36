"""Privacy requests through the pages: download my data, delete my account, and an administrator's deletion."""
import json
import re

from sqlalchemy import select

from forum.extensions import db
from forum.models import AuditLogEntry, Role, User
from tests.factories import PASSWORD, make_answer, make_comment, make_question, make_user
from tests.helpers import login, post_form, question_url, text


def signed_in(client) -> bool:
    return client.get("/inbox").status_code == 200


def delete_me(client, password=PASSWORD, confirm="y"):
    data = {"password": password, **({"confirm": confirm} if confirm else {})}
    return post_form(client, "/users/settings/privacy/delete", data, page="/users/settings/privacy/delete")


def admin_delete(client, user, posts="anonymise", confirm="y"):
    page = f"/admin/users/{user.id}/delete"
    return post_form(client, page, {"posts": posts, **({"confirm": confirm} if confirm else {})}, page=page)


def test_the_privacy_page_is_reachable_from_the_profile_and_settings(client):
    user = make_user()
    login(client, user)
    assert 'href="/users/settings/privacy"' in text(client.get(f"/users/{user.id}"))
    page = text(client.get("/users/settings/privacy"))
    assert 'href="/users/settings/privacy/export.json"' in page and 'href="/users/settings/privacy/delete"' in page


def test_download_my_data_is_a_json_file_of_my_things_only(client):
    me = make_user(username="sora", email="sora@example.com")
    other = make_user(username="riku", email="riku@example.com")
    question = make_question(author=me, title="Where are my exported notes stored?")
    make_answer(question, author=other)
    make_question(author=other, title="Riku asks about the Android widget")
    login(client, me)
    response = client.get("/users/settings/privacy/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert re.match(r'attachment; filename="kotae-data-\d+-\d{8}\.json"', response.headers["Content-Disposition"])
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["email"] == "sora@example.com"
    assert [post["title"] for post in data["posts"]] == ["Where are my exported notes stored?"]
    assert data["sessions"] and all(set(s) == {"created_at", "last_seen_at", "user_agent", "address"}
                                    for s in data["sessions"])
    body = response.get_data(as_text=True)
    assert "riku@example.com" not in body and "Android widget" not in body


def test_the_download_needs_a_signed_in_member(client):
    response = client.get("/users/settings/privacy/export.json")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_deleting_my_account_keeps_my_posts_under_an_anonymous_name(served_app, client):
    me = make_user(username="hanako")
    question = make_question(author=me, title="How do I export my notes to PDF files?")
    make_comment(make_question(), author=me)
    phone = served_app.test_client()
    login(phone, me)
    login(client, me)

    response = delete_me(client)
    assert response.status_code == 302
    assert "Your account is deleted" in text(client.get("/questions"))
    assert not signed_in(client) and not signed_in(phone)
    assert post_form(client, "/login", {"login": "hanako", "password": PASSWORD}).status_code == 400

    page = text(client.get(question_url(question)))
    assert f"deleted user {me.id}" in page and "hanako" not in page
    assert f'href="/users/{me.id}"' not in page, "no link to a profile that is gone"
    assert client.get(f"/users/{me.id}").status_code == 404
    assert "hanako" not in text(client.get("/users")) and f"deleted user {me.id}" not in text(client.get("/users"))


def test_deleting_needs_the_password_the_confirmation_and_the_csrf_token(client):
    me = make_user()
    login(client, me)
    wrong = delete_me(client, password="not my password")
    assert wrong.status_code == 400 and "Your password is not correct." in text(wrong)
    unconfirmed = delete_me(client, confirm=None)
    assert unconfirmed.status_code == 400 and "Tick the box to confirm." in text(unconfirmed)
    forged = client.post("/users/settings/privacy/delete", data={"password": PASSWORD, "confirm": "y"})
    assert forged.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, me.id).deleted_at is None and signed_in(client)


def test_the_last_administrator_cannot_delete_themselves(client):
    admin = make_user(role=Role.ADMIN)
    login(client, admin)
    response = delete_me(client)
    assert response.status_code == 409
    assert "last administrator" in text(response)
    db.session.expire_all()
    assert db.session.get(User, admin.id).deleted_at is None


def test_an_administrator_deletes_an_account_and_its_posts_stay_anonymised(client):
    admin, member = make_user(role=Role.ADMIN), make_user(username="spammer")
    question = make_question(author=member, title="A perfectly normal question about sync")
    login(client, admin)
    assert 'href="/admin/users/%d/delete"' % member.id in text(client.get(f"/users/{member.id}"))
    assert client.get(f"/admin/users/{member.id}/delete").status_code == 200
    response = admin_delete(client, member, "anonymise")
    assert response.status_code == 302
    page = text(client.get(question_url(question)))
    assert f"deleted user {member.id}" in page and "spammer" not in page
    audit = text(client.get("/admin/audit"))
    assert "Account deleted" in audit and "anonymise" in audit and "spammer" not in audit
    entry = db.session.scalar(select(AuditLogEntry).where(AuditLogEntry.action == "user.delete"))
    assert entry.actor_id == admin.id


def test_an_administrator_can_remove_the_posts_instead(client):
    admin, member = make_user(role=Role.ADMIN), make_user()
    question = make_question(author=member, title="Buy cheap watches at this link today")
    answer = make_answer(make_question(title="Sync stops after five minutes on Windows"), author=member,
                         body="Buy cheap watches at this link today, best prices.")
    login(client, admin)
    assert admin_delete(client, member, "remove").status_code == 302
    reader = client.application.test_client()
    assert reader.get(question_url(question)).status_code == 404
    thread = reader.get(question_url(answer.question))
    assert thread.status_code == 200 and "cheap watches" not in text(thread)


def test_only_administrators_may_delete_accounts_and_the_form_is_checked(served_app, client):
    moderator, member = make_user(role=Role.MODERATOR), make_user()
    moderators_browser = served_app.test_client()
    login(moderators_browser, moderator)
    assert 'admin/users' not in text(moderators_browser.get(f"/users/{member.id}"))
    assert moderators_browser.get(f"/admin/users/{member.id}/delete").status_code == 403
    assert admin_delete(moderators_browser, member).status_code == 403
    login(client, make_user(role=Role.ADMIN))
    assert admin_delete(client, member, confirm=None).status_code == 400
    assert admin_delete(client, member, posts="burn").status_code == 400
    assert client.post(f"/admin/users/{member.id}/delete", data={"posts": "remove", "confirm": "y"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(User, member.id).deleted_at is None
    assert client.get("/admin/users/999999/delete").status_code == 404


def test_an_administrator_cannot_delete_the_last_administrator(client):
    admin = make_user(role=Role.ADMIN)
    login(client, admin)
    assert admin_delete(client, admin).status_code == 409


def test_the_pages_and_the_anonymous_name_are_in_japanese(client):
    me = make_user()
    question = make_question(author=me)
    login(client, me)
    client.set_cookie("locale", "ja")
    assert "データとプライバシー" in text(client.get("/users/settings/privacy"))
    assert "アカウントを削除" in text(client.get("/users/settings/privacy/delete"))
    delete_me(client)
    assert f"削除されたユーザー {me.id}" in text(client.get(question_url(question)))
