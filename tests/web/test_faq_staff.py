"""FAQ staff routes over HTTP: permissions (403/404), promotion, editing, publishing, retiring, categories, review."""
import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import (AuditLogEntry, FaqCategory, FaqEntry, FaqReview, FaqStatus, Notification, NotificationKind,
                           Post, Role, utcnow)
from forum.services.faq import entries, promotion
from tests.factories import make_answer, make_question, make_user
from tests.helpers import csrf_token, login, question_url, text


@pytest.fixture
def staff(app):
    return make_user(role=Role.MODERATOR)


@pytest.fixture
def thread(app):
    question = make_question(title="Sync stops after five minutes on Windows")
    answer = make_answer(question, body="Turn off the proxy in Settings > Network, then restart the sync.")
    return question, answer


@pytest.fixture
def entry(staff, thread):
    made = promotion.promote(staff, thread[0])
    db.session.commit()
    return made


def post(client, url, data=None, **kwargs):
    data = dict(data or {})
    data["csrf_token"] = csrf_token(client, "/faq")
    return client.post(url, data=data, **kwargs)


def staff_routes(entry, thread, category_id):
    question, answer = thread
    return [
        ("get", "/faq/candidates"), ("get", "/faq/review"), ("get", "/faq/categories"),
        ("get", f"/faq/{entry.id}/edit"), ("get", f"/faq/{entry.id}/revisions"),
        ("post", f"/answers/{answer.id}/official"), ("post", f"/questions/{question.id}/promote"),
        ("post", f"/faq/{entry.id}/edit"), ("post", f"/faq/{entry.id}/publish"),
        ("post", f"/faq/{entry.id}/unpublish"), ("post", f"/faq/{entry.id}/retire"),
        ("post", f"/faq/{entry.id}/move"), ("post", f"/faq/{entry.id}/resync"),
        ("post", "/faq/categories"), ("post", f"/faq/categories/{category_id}/rename"),
        ("post", f"/faq/categories/{category_id}/move"), ("post", f"/faq/categories/{category_id}/delete"),
        ("post", "/faq/reviews/1/dismiss"),
    ]


def test_members_get_403_on_every_staff_route(client, entry, thread):
    category = FaqCategory(name="Sync")
    db.session.add(category)
    db.session.add(FaqReview(entry_id=entry.id, reason="closed"))
    db.session.commit()
    login(client, make_user())
    for method, url in staff_routes(entry, thread, category.id):
        response = client.get(url) if method == "get" else post(client, url, {"direction": "up", "name": "X"})
        assert response.status_code == 403, (method, url, response.status_code)
        assert "Only staff" in text(response)
    db.session.expire_all()
    assert db.session.get(FaqEntry, entry.id).status == FaqStatus.DRAFT
    assert db.session.get(Post, thread[1].id).official_at is None
    assert db.session.scalar(select(FaqCategory.name)) == "Sync"


def test_visitors_are_sent_to_log_in(client, entry):
    response = client.get("/faq/candidates")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_staff_404s(client, staff):
    login(client, staff)
    assert client.get("/faq/999/edit").status_code == 404
    assert post(client, "/faq/999/publish").status_code == 404
    assert post(client, "/questions/999/promote").status_code == 404
    assert post(client, "/faq/reviews/999/dismiss").status_code == 404
    assert post(client, "/faq/categories/999/delete").status_code == 404


def test_promote_publish_and_the_thread_page(client, staff, thread):
    question, answer = thread
    login(client, staff)
    page = text(client.get(question_url(question)))
    assert "Promote to FAQ" in page
    response = post(client, f"/questions/{question.id}/promote")
    assert response.status_code == 302
    made = db.session.scalar(select(FaqEntry))
    assert response.headers["Location"].endswith(f"/faq/{made.id}/edit")
    assert made.status == FaqStatus.DRAFT and made.answer_id == answer.id
    again = post(client, f"/questions/{question.id}/promote")
    assert again.status_code == 409
    assert f"/faq/{made.id}/" in text(again)
    assert "This thread is in the official FAQ" not in text(client.get(question_url(question)))
    response = post(client, f"/faq/{made.id}/publish")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(FaqEntry, made.id).status == FaqStatus.PUBLISHED
    page = text(client.get(question_url(question)))
    assert "This thread is in the official FAQ" in page and f"/faq/{made.id}/" in page
    actions = db.session.scalars(select(AuditLogEntry.action).order_by(AuditLogEntry.id)).all()
    assert actions == ["faq.promote", "faq.publish"]


def test_edit_form_saves_a_revision_and_keeps_bad_input(client, staff, entry):
    login(client, staff)
    form = text(client.get(f"/faq/{entry.id}/edit"))
    assert entry.answer_md.replace(">", "&gt;") in form
    bad = post(client, f"/faq/{entry.id}/edit", {"title": "abc", "question": "Q", "answer": "Kept answer text",
                                                 "category": "0"})
    assert bad.status_code == 400
    assert "Kept answer text" in text(bad) and "5-150" in text(bad)
    response = post(client, f"/faq/{entry.id}/edit", {"title": "Why does sync stop on Windows?", "question": "",
                                                      "answer": "Use **version 3.2**.", "category": "0",
                                                      "summary": "shorter"})
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "<strong>version 3.2</strong>" in page
    history = text(client.get(f"/faq/{entry.id}/revisions"))
    assert "Revision 2" in history and "shorter" in history and "promoted from the thread" in history


def test_retire_keeps_the_thread_and_hides_the_entry(client, staff, entry, thread):
    question, _ = thread
    entries.publish(staff, entry, 25, "/faq")
    db.session.commit()
    before = text(client.get(question_url(question)))
    login(client, staff)
    assert post(client, f"/faq/{entry.id}/retire").status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/faq")})
    assert client.get(f"/faq/{entry.id}").status_code == 404
    assert entry.title not in text(client.get("/faq"))
    after = client.get(question_url(question))
    assert after.status_code == 200
    assert "Turn off the proxy" in text(after)
    assert "This thread is in the official FAQ" in before and "This thread is in the official FAQ" not in text(after)
    db.session.expire_all()
    assert db.session.get(Post, question.id).deleted_at is None


def test_mark_official_from_the_thread(client, staff, thread):
    question, answer = thread
    login(client, staff)
    page = text(client.get(question_url(question)))
    assert "Mark official" in page
    response = post(client, f"/answers/{answer.id}/official")
    assert response.status_code == 302
    page = text(client.get(question_url(question)))
    assert "Official answer" in page and "Remove official" in page
    response = post(client, f"/answers/{answer.id}/official", headers={"Accept": "application/json"})
    assert response.get_json() == {"official": False}


def test_members_see_the_label_but_no_button(client, staff, thread):
    question, answer = thread
    answer.official_at, answer.official_by_id = utcnow(), staff.id
    db.session.commit()
    login(client, make_user())
    page = text(client.get(question_url(question)))
    assert "Official answer" in page
    assert "Remove official" not in page and "Promote to FAQ" not in page


def test_categories_create_rename_reorder_delete(client, staff, entry):
    login(client, staff)
    assert post(client, "/faq/categories", {"name": "Sync", "description": "Syncing devices"}).status_code == 302
    assert post(client, "/faq/categories", {"name": "Billing"}).status_code == 302
    clash = post(client, "/faq/categories", {"name": "sync"})
    assert clash.status_code == 400 and "already a category" in text(clash)
    sync, billing = db.session.scalars(select(FaqCategory).order_by(FaqCategory.position)).all()
    post(client, f"/faq/categories/{billing.id}/move", {"direction": "up"})
    post(client, f"/faq/categories/{sync.id}/rename", {"name": "Syncing", "description": ""})
    db.session.expire_all()
    names = db.session.scalars(select(FaqCategory.name).order_by(FaqCategory.position)).all()
    assert names == ["Billing", "Syncing"]
    entry.category_id = sync.id
    db.session.commit()
    post(client, f"/faq/categories/{sync.id}/delete")
    db.session.expire_all()
    assert db.session.get(FaqEntry, entry.id).category_id is None


def test_review_page_resync_and_dismiss(client, staff, entry, thread):
    question, answer = thread
    entries.publish(staff, entry, 25, "/faq")
    answer.body_md = answer.body_md + " Then restart the computer."
    question.closed_at = utcnow()
    db.session.commit()
    login(client, staff)
    page = text(client.get("/faq/review"))
    assert entry.title in page and "restart the computer" in page and "The thread was closed" in page
    assert "FAQ review" in page and 'class="count-badge">1<' in page
    closed = db.session.scalar(select(FaqReview).where(FaqReview.reason == "closed"))
    assert post(client, f"/faq/reviews/{closed.id}/dismiss").status_code == 302
    assert post(client, f"/faq/{entry.id}/resync").status_code == 302
    db.session.expire_all()
    fresh = db.session.get(FaqEntry, entry.id)
    assert "restart the computer" in fresh.answer_md and not fresh.needs_review
    assert "Every FAQ entry matches its thread" in text(client.get("/faq/review"))


def test_candidates_page_ranks_and_explains(client, staff, thread):
    question, answer = thread
    question.score, answer.score = 4, 3
    question.created_at = utcnow().replace(year=2020)
    db.session.commit()
    login(client, staff)
    page = text(client.get("/faq/candidates"))
    assert question.title in page and "How candidates are ranked" in page and "log2(1 + views)" in page
    assert f"/questions/{question.id}/promote" in page


def test_publishing_an_entry_with_a_long_japanese_title_notifies_with_a_short_link(client, staff):
    """The credit notification stores its link; a percent-encoded Japanese slug would overflow it on PostgreSQL."""
    question = make_question(title="デスクトップアプリの同期が数分で止まってしまう問題の解決方法について教えてください" * 2)
    make_answer(question, body="設定のネットワークからプロキシをオフにして、同期を再起動してください。")
    made = promotion.promote(staff, question)
    db.session.commit()
    login(client, staff)
    assert post(client, f"/faq/{made.id}/publish").status_code == 302
    db.session.expire_all()
    assert db.session.get(FaqEntry, made.id).status == FaqStatus.PUBLISHED
    link = db.session.scalar(select(Notification.url).where(Notification.kind == NotificationKind.FAQ_PROMOTED))
    assert link == f"/faq/{made.id}"
