"""Deflection: a help session (widget or API searches) ending in "resolved" from the same visitor within a day,
with no new question from them."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import HelpSession, HelpSource
from forum.services.insights import deflection, feedback
from tests.factories import make_question, make_user

pytestmark = pytest.mark.usefixtures("app")
MONDAY = datetime(2026, 11, 30, 9, 0)  # weeks start on Monday (UTC)


def resolve(visitor_key: str, question, when: datetime, user=None) -> None:
    row = feedback.record_feedback("thread", question.id, visitor_key, "resolved", user=user)
    row.created_at = row.updated_at = when
    db.session.flush()


def sessions() -> int:
    return db.session.scalar(select(func.count(HelpSession.id)))


def test_searches_typed_close_together_are_one_session():
    for minutes in (0, 1, 10, 35):
        deflection.record_search("anon:a", None, HelpSource.WIDGET, now=MONDAY + timedelta(minutes=minutes))
    assert sessions() == 1  # each search extends the session it falls in
    deflection.record_search("anon:a", None, HelpSource.WIDGET, now=MONDAY + timedelta(minutes=70))
    deflection.record_search("anon:b", None, HelpSource.WIDGET, now=MONDAY)
    deflection.record_search(None, None, HelpSource.API, now=MONDAY)  # nobody to follow: not counted
    assert sessions() == 3


def test_only_a_resolve_by_the_same_visitor_within_a_day_deflects():
    question = make_question()
    for key in ("anon:kept", "anon:late", "anon:other", "anon:helpful"):
        deflection.record_search(key, None, HelpSource.WIDGET, now=MONDAY)
    resolve("anon:kept", question, MONDAY + timedelta(hours=2))
    resolve("anon:late", question, MONDAY + timedelta(days=1, minutes=1))
    resolve("anon:someone-else", question, MONDAY + timedelta(hours=1))
    helpful = feedback.record_feedback("thread", question.id, "anon:helpful", "helpful")
    helpful.created_at = helpful.updated_at = MONDAY + timedelta(hours=1)
    db.session.commit()
    (week,) = deflection.weekly(1, now=MONDAY + timedelta(days=3))
    assert (week.sessions, week.deflected, week.rate) == (4, 1, 0.25)


def test_a_member_who_asks_anyway_was_not_deflected():
    member, other = make_user(), make_user()
    question = make_question()
    for user in (member, other):
        deflection.record_search(feedback.user_key(user.id), user.id, HelpSource.API, now=MONDAY)
        resolve(feedback.user_key(user.id), question, MONDAY + timedelta(hours=1), user=user)
    asked = make_question(author=member)
    asked.created_at = MONDAY + timedelta(hours=3)
    db.session.commit()
    (week,) = deflection.weekly(1, now=MONDAY + timedelta(days=2))
    assert (week.sessions, week.deflected) == (2, 1)


def test_weeks_without_sessions_have_no_rate_and_old_sessions_fall_out():
    deflection.record_search("anon:old", None, HelpSource.WIDGET, now=MONDAY - timedelta(weeks=5))
    db.session.commit()
    rows = deflection.weekly(2, now=MONDAY)
    assert [(row.week.isoformat(), row.sessions, row.rate) for row in rows] == [
        ("2026-11-23", 0, None), ("2026-11-30", 0, None)]
