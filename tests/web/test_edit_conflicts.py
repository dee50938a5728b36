"""An edit names the revision it started from: a stale edit is a 409 with a diff and a merge, never a silent
overwrite, and ten simultaneous edits of one question save one."""
import re
from html import unescape
import threading

from sqlalchemy import func, select

from forum.models import Post, PostRevision
from tests.helpers import csrf_token, login, post_form, text

BODY = ("The desktop app stops syncing after about five minutes.\n\n"
        "It shows error E1023 in the corner.\n\n"
        "I use version 4.2 on Windows 11.")


def edit_page(client, url: str, response=None) -> dict:
    """The edit form as a browser would send it: every field with the value the page (or `response`) shows."""
    html = text(response if response is not None else client.get(url))
    fields = {"csrf_token": csrf_token(client, url)}
    for name in ("title", "tags", "base_revision"):
        match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
            rf'value="([^"]*)"[^>]*name="{name}"', html)
        if match:
            fields[name] = unescape(match.group(1))
    fields["body"] = unescape(re.search(r'<textarea[^>]*name="body"[^>]*>\n?(.*?)</textarea>', html, re.S).group(1))
    return fields


def revisions_of(db, post_id: int) -> int:
    return db.session.scalar(select(func.count(PostRevision.id)).where(PostRevision.post_id == post_id))


def body_of(db, post_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Post, post_id).body_md


def two_editors(client, served_app, factories):
    author = factories.user(username="asker")
    other = factories.user(username="helper", role="moderator")
    question = factories.question(author=author, title="Sync stops after five minutes on Windows", body=BODY)
    second = served_app.test_client()
    login(client, author)
    login(second, other)
    return question, client, second


def test_a_stale_edit_of_other_lines_is_merged_and_saved_after_review(client, served_app, factories, db):
    question, mine, theirs = two_editors(client, served_app, factories)
    url = f"/questions/{question.id}/edit"
    my_form, their_form = edit_page(mine, url), edit_page(theirs, url)
    assert my_form["base_revision"] == their_form["base_revision"] == "1"

    their_form["body"] = their_form["body"].replace("version 4.2", "version 4.3")
    assert theirs.post(url, data=their_form).status_code == 302
    my_form["body"] = my_form["body"].replace("error E1023", "error E1023 (red icon)")
    conflict = mine.post(url, data=my_form)

    assert conflict.status_code == 409
    page = text(conflict)
    assert "helper saved an edit while you were editing" in page
    assert revisions_of(db, question.id) == 2  # nothing of mine saved yet
    assert body_of(db, question.id).count("version 4.3") == 1
    merged = edit_page(mine, url, conflict)
    assert "version 4.3" in merged["body"] and "(red icon)" in merged["body"]
    assert merged["base_revision"] == "2"

    assert mine.post(url, data=merged).status_code == 302
    saved = body_of(db, question.id)
    assert "version 4.3" in saved and "error E1023 (red icon)" in saved
    assert revisions_of(db, question.id) == 3


def test_overlapping_edits_show_a_diff_and_keep_the_latest_until_the_editor_saves_again(
        client, served_app, factories, db):
    question, mine, theirs = two_editors(client, served_app, factories)
    url = f"/questions/{question.id}/edit"
    my_form, their_form = edit_page(mine, url), edit_page(theirs, url)
    their_form["body"] = their_form["body"].replace("error E1023", "error E2000")
    assert theirs.post(url, data=their_form).status_code == 302
    my_form["body"] = my_form["body"].replace("error E1023", "error E1024")

    conflict = mine.post(url, data=my_form)

    assert conflict.status_code == 409
    page = text(conflict)
    assert "changes the same lines as yours" in page
    assert re.search(r'class="diff-delete">- It shows error E2000', page)  # theirs, replaced by mine on save
    assert re.search(r'class="diff-insert">\+ It shows error E1024', page)
    assert "E2000" in body_of(db, question.id)
    again = edit_page(mine, url, conflict)
    assert "E1024" in again["body"] and again["base_revision"] == "2"

    assert mine.post(url, data=again).status_code == 302  # saved on purpose, having seen theirs
    assert "E1024" in body_of(db, question.id)
    assert revisions_of(db, question.id) == 3


def test_a_stale_answer_edit_is_a_conflict_too(client, served_app, factories, db):
    question, mine, theirs = two_editors(client, served_app, factories)
    answer = factories.answer(question, author=question.author,  # mine to edit; theirs as a moderator
                              body="Sign out, sign in again and then re-run the sync from the menu.")
    url = f"/answers/{answer.id}/edit"
    my_form, their_form = edit_page(mine, url), edit_page(theirs, url)
    their_form["body"] = "Update to 4.3 first. " + their_form["body"]
    my_form["body"] = "Restart the computer. " + my_form["body"]
    assert theirs.post(url, data=their_form).status_code == 302

    conflict = mine.post(url, data=my_form)

    assert conflict.status_code == 409
    assert body_of(db, answer.id).startswith("Update to 4.3 first.")


def test_resending_an_edit_that_was_saved_is_not_a_conflict(client, factories, db):
    author = factories.user()
    question = factories.question(author=author, body=BODY)
    login(client, author)
    url = f"/questions/{question.id}/edit"
    form = edit_page(client, url)
    form["body"] = form["body"] + "\n\nUpdate: it also happens on 4.3."
    assert client.post(url, data=form).status_code == 302

    resent = client.post(url, data=form, follow_redirects=True)  # the browser retries after a dropped response

    assert resent.status_code == 200 and "Nothing changed" in text(resent)
    assert revisions_of(db, question.id) == 2


def test_a_tampered_base_revision_is_a_clear_400(client, factories):
    author = factories.user()
    question = factories.question(author=author, body=BODY)
    login(client, author)
    url = f"/questions/{question.id}/edit"
    form = edit_page(client, url)
    form["base_revision"] = "not a number"

    assert client.post(url, data=form).status_code == 400


def test_ten_simultaneous_edits_save_one_and_tell_nine(served_app, factories, db):
    author = factories.user(username="asker")
    editors = [factories.user(username=f"editor{n}", role="moderator") for n in range(10)]
    question = factories.question(author=author, body=BODY)
    url = f"/questions/{question.id}/edit"
    forms, clients = [], []
    for n, editor in enumerate(editors):
        client = served_app.test_client()
        login(client, editor)
        form = edit_page(client, url)
        form["body"] = f"{BODY}\n\nEditor {n} adds this line."
        forms.append(form)
        clients.append(client)
    start, statuses = threading.Barrier(len(clients)), []

    def send(client, form):
        start.wait(timeout=30)
        statuses.append(client.post(url, data=form).status_code)

    threads = [threading.Thread(target=send, args=pair) for pair in zip(clients, forms)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(statuses) == [302] + [409] * 9
    assert revisions_of(db, question.id) == 2
    assert body_of(db, question.id).count("adds this line") == 1
