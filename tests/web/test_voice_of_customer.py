"""Voice of the customer through HTTP: labelling a thread, /admin/feedback and its CSV, and who may do what."""
import csv
import html
import io
import json
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import AuditLogEntry, Post, Role
from forum.services.insights import customer_labels
from tests.factories import make_question, make_user
from tests.helpers import counted_statements, login, post_form, question_url, text


def label_of(question_id: int) -> str | None:
    db.session.expire_all()
    return db.session.scalar(select(Post.customer_label).where(Post.id == question_id))


def label_entries() -> list[AuditLogEntry]:
    db.session.expire_all()
    return db.session.scalars(select(AuditLogEntry).where(AuditLogEntry.action == "question.label")).all()


@pytest.fixture
def staff(app):
    return make_user(username="hikari", role=Role.ADMIN)


def labelled(label: str, staff, **columns):
    question = make_question(commit=False)
    customer_labels.set_label(staff, question, label)
    for name, value in columns.items():
        setattr(question, name, value)
    db.session.commit()
    return question


# --- labelling ----------------------------------------------------------------------------------------------

def test_staff_label_a_thread_from_its_page(client, staff):
    question = make_question()
    login(client, staff)
    page = text(client.get(question_url(question)))
    assert f'action="/admin/questions/{question.id}/label"' in page
    response = post_form(client, f"/admin/questions/{question.id}/label", {"label": "bug"}, page=question_url(question))
    assert response.status_code == 302
    assert response.headers["Location"] == question_url(question)
    assert label_of(question.id) == "bug"
    (entry,) = label_entries()
    assert (entry.actor_id, entry.target_id) == (staff.id, question.id)
    assert json.loads(entry.detail) == {"old": "", "new": "bug"}
    page = text(client.get(question_url(question)))
    assert "Labelled as “Bug”." in page
    assert '<span class="voc-label voc-bug">Bug</span>' in page  # the chip staff see
    assert '<option value="bug" selected>' in page


def test_staff_clear_a_label(client, staff):
    question = labelled("feature", staff)
    login(client, staff)
    response = post_form(client, f"/admin/questions/{question.id}/label", {"label": ""}, page=question_url(question))
    assert response.status_code == 302 and label_of(question.id) is None
    assert "Label removed." in text(client.get(question_url(question)))
    assert json.loads(label_entries()[-1].detail) == {"old": "feature", "new": ""}


def test_members_cannot_label_nor_see_labels(client, staff):
    question = labelled("bug", staff)
    member = make_user()
    login(client, member)
    page = text(client.get(question_url(question)))
    assert "voc-label" not in page and f"/admin/questions/{question.id}/label" not in page
    response = post_form(client, f"/admin/questions/{question.id}/label", {"label": "feature"},
                         page=question_url(question))
    assert response.status_code == 403
    assert label_of(question.id) == "bug" and len(label_entries()) == 1


def test_visitors_cannot_label(client, staff):
    question = make_question()
    response = post_form(client, f"/admin/questions/{question.id}/label", {"label": "bug"})
    assert response.status_code == 403 and label_of(question.id) is None


def test_unknown_label_is_400_and_changes_nothing(client, staff):
    question = labelled("bug", staff)
    login(client, staff)
    response = post_form(client, f"/admin/questions/{question.id}/label", {"label": "urgent"},
                         page=question_url(question))
    assert response.status_code == 400
    assert "Choose a label" in html.unescape(text(response))
    assert label_of(question.id) == "bug" and len(label_entries()) == 1


def test_missing_question_is_404(client, staff):
    login(client, staff)
    assert post_form(client, "/admin/questions/999999/label", {"label": "bug"}).status_code == 404


def test_label_without_csrf_token_is_refused(client, staff):
    question = make_question()
    login(client, staff)
    assert client.post(f"/admin/questions/{question.id}/label", data={"label": "bug"}).status_code == 400
    assert label_of(question.id) is None


# --- /admin/feedback ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/admin/feedback", "/admin/feedback.csv", "/admin/feedback?label=bug"])
def test_members_cannot_see_the_list(client, url):
    assert client.get(url).status_code == 403
    login(client, make_user())
    assert client.get(url).status_code == 403


def rows(page: str) -> list[str]:
    body = page[page.index("<tbody>"):page.index("</tbody>")]
    return [html.unescape(title) for title in re.findall(r'<td><a href="/questions/\d+/[^"]*">([^<]*)</a></td>', body)]


def test_list_filters_and_sorts(client, staff):
    bug = labelled("bug", staff, title="Sync crashes on start", score=5, view_count=10,
                   created_at=datetime(2026, 3, 1))
    idea = labelled("feature", staff, title="Please add dark mode", score=1, view_count=90,
                    created_at=datetime(2026, 3, 5))
    make_question(title="An unlabelled question about sync")
    login(client, staff)
    page = text(client.get("/admin/feedback"))
    assert rows(page) == [bug.title, idea.title]  # by votes
    assert '<span class="voc-label voc-bug">Bug</span>' in page and "2 threads" in page
    assert rows(text(client.get("/admin/feedback?sort=views"))) == [idea.title, bug.title]
    assert rows(text(client.get("/admin/feedback?sort=newest"))) == [idea.title, bug.title]
    assert rows(text(client.get("/admin/feedback?label=feature"))) == [idea.title]
    assert rows(text(client.get("/admin/feedback?start=2026-03-02&end=2026-03-31"))) == [idea.title]
    assert "No labelled threads match." in text(client.get("/admin/feedback?label=feedback"))
    assert client.get("/admin/feedback?label=urgent").status_code == 400
    assert client.get("/admin/feedback?start=2026-02-31").status_code == 400


def test_csv_export_with_the_same_filters(client, staff):
    bug = labelled("bug", staff, title="=HYPERLINK(\"http://evil\") sync breaks", score=3, view_count=7)
    labelled("feature", staff, title="Please add a dark mode for the app")
    login(client, staff)
    response = client.get("/admin/feedback.csv?label=bug")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="voice_of_customer_bug.csv"'
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    header, *lines = list(csv.reader(io.StringIO(body[1:])))
    assert header == ["question_id", "title", "url", "label", "score", "views", "answers", "accepted", "asked_utc",
                      "tags"]
    assert len(lines) == 1
    row = dict(zip(header, lines[0]))
    assert row["title"] == "'" + bug.title  # a spreadsheet must not run it as a formula
    assert (row["label"], row["score"], row["views"], row["accepted"], row["tags"]) == ("bug", "3", "7", "no",
                                                                                       "sync windows")
    assert row["url"].endswith(question_url(bug))
    assert len(list(csv.reader(io.StringIO(client.get("/admin/feedback.csv").get_data(as_text=True))))) == 3


def test_japanese_titles_survive_the_csv(client, staff):
    labelled("feedback", staff, title="同期が五分で止まってしまいます。どうすればいいですか？")
    login(client, staff)
    raw = client.get("/admin/feedback.csv").get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "同期が五分で止まってしまいます" in raw.decode("utf-8")


def test_list_queries_do_not_grow_with_rows(client, staff):
    def queries() -> int:
        client.get("/admin/feedback")
        with counted_statements() as statements:
            assert client.get("/admin/feedback").status_code == 200
        return len(statements)

    for _ in range(3):
        labelled("bug", staff)
    login(client, staff)
    few = queries()
    for n in range(27):
        question = make_question(author=make_user(commit=False), tags=f"tag{n} sync", commit=False)
        customer_labels.set_label(staff, question, "feature")
    db.session.commit()
    assert queries() == few
