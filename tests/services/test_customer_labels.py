"""Voice-of-the-customer labels: who may set them, what is recorded, and the labelled list."""
import json
from datetime import datetime

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import AuditLogEntry, Role
from forum.services.insights import customer_labels as labels
from forum.services.errors import Forbidden, Invalid, NotFound
from tests.factories import make_question, make_user


def audit_entries():
    return db.session.scalars(select(AuditLogEntry).where(AuditLogEntry.action == "question.label")
                              .order_by(AuditLogEntry.id)).all()


def test_staff_label_a_thread_and_the_change_is_audit_logged(app):
    staff, question = make_user(role=Role.MODERATOR), make_question()
    assert labels.set_label(staff, question, "bug") is True
    assert labels.set_label(staff, question, "feature") is True
    db.session.commit()
    assert question.customer_label == "feature"
    first, second = audit_entries()
    assert (first.actor_id, first.target_type, first.target_id) == (staff.id, "post", question.id)
    assert json.loads(first.detail) == {"old": "", "new": "bug"}
    assert json.loads(second.detail) == {"old": "bug", "new": "feature"}


def test_clearing_a_label_and_setting_the_same_label_again(app):
    staff, question = make_user(role=Role.ADMIN), make_question()
    labels.set_label(staff, question, "feedback")
    assert labels.set_label(staff, question, "feedback") is False  # nothing changed: nothing logged
    assert labels.set_label(staff, question, "") is True
    assert question.customer_label is None
    assert [json.loads(e.detail) for e in audit_entries()] == [{"old": "", "new": "feedback"},
                                                               {"old": "feedback", "new": ""}]


def test_members_cannot_label(app):
    member, question = make_user(), make_question()
    with pytest.raises(Forbidden):
        labels.set_label(member, question, "bug")
    assert question.customer_label is None and audit_entries() == []


def test_unknown_label_is_refused(app):
    staff, question = make_user(role=Role.ADMIN), make_question()
    with pytest.raises(Invalid):
        labels.set_label(staff, question, "urgent")
    assert question.customer_label is None


def test_missing_question(app):
    with pytest.raises(NotFound):
        labels.get_question(123456)


def test_labelled_list_filters_and_sorts(app):
    staff = make_user(role=Role.ADMIN)
    bug, feature, _plain, deleted = (make_question(commit=False) for _ in range(4))
    bug.score, bug.view_count, bug.created_at = 5, 10, datetime(2026, 3, 1)
    feature.score, feature.view_count, feature.created_at = 1, 99, datetime(2026, 3, 5)
    for question, label in ((bug, "bug"), (feature, "feature"), (deleted, "bug")):
        labels.set_label(staff, question, label)
    deleted.deleted_at = datetime(2026, 3, 6)
    db.session.commit()

    def ids(**kwargs):
        return [q.id for q in db.session.scalars(labels.labelled_query(**kwargs))]

    assert ids() == [bug.id, feature.id]  # by votes; unlabelled and deleted threads left out
    assert ids(sort="views") == [feature.id, bug.id]
    assert ids(sort="newest") == [feature.id, bug.id]
    assert ids(label="bug") == [bug.id]
    assert ids(start=datetime(2026, 3, 2), end=datetime(2026, 3, 6)) == [feature.id]
    with pytest.raises(Invalid):
        ids(label="nonsense")


def test_export_rows_hold_what_the_page_shows(app):
    staff = make_user(role=Role.ADMIN)
    question = make_question(tags="sync windows")
    labels.set_label(staff, question, "bug")
    (row,) = labels.export_rows([question], lambda q: f"https://example.com/questions/{q.id}")
    assert (row.id, row.label, row.score, row.views, row.answers, row.accepted, row.tags) == (
        question.id, "bug", 0, 0, 0, False, "sync windows")
    assert row.url == f"https://example.com/questions/{question.id}"
