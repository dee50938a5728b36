"""Outcome feedback: one changeable answer per visitor per page, FAQ counters in step, and the rates staff read."""
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import FaqEntry, FaqStatus, Feedback, Outcome
from forum.services.insights import feedback
from forum.services.errors import Invalid, NotFound
from forum.services.community.posts import delete_post
from tests.factories import make_question, make_user

RESOLVED, HELPFUL, NOT_HELPFUL = Outcome.RESOLVED, Outcome.HELPFUL, Outcome.NOT_HELPFUL


def make_entry(status=FaqStatus.PUBLISHED, author=None) -> FaqEntry:
    author = author or make_user(commit=False)
    entry = FaqEntry(title="How do I reset sync?", question_md="q", question_html="<p>q</p>", answer_md="a",
                     answer_html="<p>a</p>", status=status, created_by_id=author.id)
    db.session.add(entry)
    db.session.commit()
    return entry


def rows(target_type=None, target_id=None) -> int:
    query = select(func.count()).select_from(Feedback)
    if target_type:
        query = query.where(Feedback.target_type == target_type, Feedback.target_id == target_id)
    return db.session.scalar(query)


def counters(entry) -> tuple[int, int, int]:
    db.session.refresh(entry)
    return entry.resolved_count, entry.helpful_count, entry.not_helpful_count


# --- dedup and counters ---------------------------------------------------------------------------------------

def test_signed_in_user_has_one_row_per_page_and_counters_follow_a_change(app):
    entry, user = make_entry(), make_user()
    key = feedback.user_key(user.id)
    feedback.record_feedback("faq", entry.id, key, RESOLVED, user=user)
    db.session.commit()
    assert counters(entry) == (1, 0, 0)
    feedback.record_feedback("faq", entry.id, key, RESOLVED, user=user)  # the same answer again: no change
    db.session.commit()
    assert counters(entry) == (1, 0, 0)
    row = feedback.record_feedback("faq", entry.id, key, NOT_HELPFUL, user=user)
    db.session.commit()
    assert rows("faq", entry.id) == 1
    assert row.outcome == NOT_HELPFUL and row.user_id == user.id
    assert counters(entry) == (0, 0, 1)
    assert feedback.current_outcome("faq", entry.id, key) == NOT_HELPFUL


def test_anonymous_visitors_are_told_apart_by_their_cookie_token(app):
    entry = make_entry()
    first, second = feedback.anonymous_key("token-of-visitor-one"), feedback.anonymous_key("token-of-visitor-two")
    feedback.record_feedback("faq", entry.id, first, HELPFUL)
    feedback.record_feedback("faq", entry.id, first, RESOLVED)  # same cookie, second visit: changes the answer
    db.session.commit()
    assert rows("faq", entry.id) == 1
    feedback.record_feedback("faq", entry.id, second, HELPFUL)
    db.session.commit()
    assert rows("faq", entry.id) == 2
    assert counters(entry) == (1, 1, 0)
    assert feedback.counts_for("faq", [entry.id]) == {entry.id: {RESOLVED: 1, HELPFUL: 1, NOT_HELPFUL: 0}}


def test_same_visitor_on_two_pages_gives_two_rows(app):
    question_a, question_b = make_question(), make_question()
    key = feedback.anonymous_key("one-visitor-token-abc")
    feedback.record_feedback("thread", question_a.id, key, RESOLVED)
    feedback.record_feedback("thread", question_b.id, key, NOT_HELPFUL)
    db.session.commit()
    assert rows() == 2
    assert feedback.counts_for("thread", [question_a.id, question_b.id, 999]) == {
        question_a.id: {RESOLVED: 1, HELPFUL: 0, NOT_HELPFUL: 0},
        question_b.id: {RESOLVED: 0, HELPFUL: 0, NOT_HELPFUL: 1},
        999: {RESOLVED: 0, HELPFUL: 0, NOT_HELPFUL: 0},
    }


def test_a_concurrent_insert_by_the_same_visitor_becomes_an_update(app, monkeypatch):
    """Two tabs submit at once: the second insert hits the unique constraint and changes the first row."""
    entry = make_entry()
    key = feedback.anonymous_key("racing-visitor-token")
    feedback.record_feedback("faq", entry.id, key, RESOLVED)
    db.session.commit()
    real_find = feedback._find
    calls = []

    def find_missing_once(*args):
        calls.append(args)
        return None if len(calls) == 1 else real_find(*args)  # the first look misses the other tab's row

    monkeypatch.setattr(feedback, "_find", find_missing_once)
    row = feedback.record_feedback("faq", entry.id, key, NOT_HELPFUL)
    db.session.commit()
    assert len(calls) == 2
    assert row.outcome == NOT_HELPFUL
    assert rows("faq", entry.id) == 1
    assert counters(entry) == (0, 0, 1)


def test_current_outcome_needs_no_query_without_a_visitor(app):
    assert feedback.current_outcome("thread", 1, None) is None
    assert feedback.current_outcome("thread", 1, "anon:never-voted-token") is None


# --- the asker ---------------------------------------------------------------------------------------------------

def test_the_askers_answer_is_recorded_separately_and_left_out_of_the_rates(app):
    asker, visitor = make_user(), make_user()
    question = make_question(author=asker)
    feedback.record_feedback("thread", question.id, feedback.user_key(asker.id), RESOLVED, user=asker)
    feedback.record_feedback("thread", question.id, feedback.user_key(visitor.id), NOT_HELPFUL, user=visitor)
    db.session.commit()
    by_key = {row.visitor_key: row for row in db.session.scalars(select(Feedback))}
    assert by_key[f"user:{asker.id}"].is_asker is True
    assert by_key[f"user:{visitor.id}"].is_asker is False
    rates = feedback.outcome_rates(datetime(2000, 1, 1), datetime(2100, 1, 1), "thread")
    assert (rates.total, rates.not_helpful, rates.resolved) == (1, 1, 0)
    assert rates.self_resolution_rate == 0.0
    assert (rates.asker_resolved, rates.asker_total) == (1, 1)
    assert feedback.counts_for("thread", [question.id])[question.id] == {RESOLVED: 0, HELPFUL: 0, NOT_HELPFUL: 1}
    [top] = feedback.top_threads()
    assert (top.target_id, top.total, top.asker_outcome) == (question.id, 1, RESOLVED)


# --- unhappy paths ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [FaqStatus.DRAFT, FaqStatus.UNPUBLISHED, FaqStatus.RETIRED])
def test_feedback_on_an_unpublished_faq_entry_is_not_found(app, status):
    entry = make_entry(status=status)
    with pytest.raises(NotFound):
        feedback.record_feedback("faq", entry.id, "anon:some-visitor-token", RESOLVED)
    with pytest.raises(NotFound):
        feedback.record_feedback("faq", 12345, "anon:some-visitor-token", RESOLVED)


def test_feedback_on_a_missing_or_deleted_thread_is_not_found(app):
    question = make_question()
    delete_post(question.author, question)
    db.session.commit()
    for target_id in (question.id, 12345):
        with pytest.raises(NotFound):
            feedback.record_feedback("thread", target_id, "anon:some-visitor-token", RESOLVED)
    assert rows() == 0


def test_unknown_outcome_or_target_type_is_invalid(app):
    question = make_question()
    with pytest.raises(Invalid, match="Please choose"):
        feedback.record_feedback("thread", question.id, "anon:some-visitor-token", "meh")
    with pytest.raises(Invalid):
        feedback.record_feedback("answer", question.id, "anon:some-visitor-token", RESOLVED)
    assert rows() == 0


# --- rates -------------------------------------------------------------------------------------------------------

def add_row(target_type, target_id, n, outcome, when, is_asker=False):
    db.session.add(Feedback(target_type=target_type, target_id=target_id, visitor_key=f"anon:v{n}",
                            outcome=outcome, is_asker=is_asker, created_at=when, updated_at=when))


@pytest.fixture
def two_weeks(app):
    """Week of Mon 2 Nov 2026: FAQ 2 resolved, 1 helpful, 1 not helpful; threads 1 resolved + the asker's resolved.
    Week of Mon 9 Nov 2026: FAQ 1 helpful, 1 not helpful; threads 3 not helpful. Plus noise outside the window."""
    week1, week2 = datetime(2026, 11, 2, 0, 0), datetime(2026, 11, 15, 23, 59)  # first and last minute
    plan = [
        ("faq", week1, RESOLVED), ("faq", datetime(2026, 11, 5, 12), RESOLVED), ("faq", week1, HELPFUL),
        ("faq", datetime(2026, 11, 8, 23, 59), NOT_HELPFUL),
        ("thread", week1, RESOLVED),
        ("faq", datetime(2026, 11, 9), HELPFUL), ("faq", week2, NOT_HELPFUL),
        ("thread", week2, NOT_HELPFUL), ("thread", week2, NOT_HELPFUL), ("thread", datetime(2026, 11, 10), NOT_HELPFUL),
        ("faq", datetime(2026, 11, 1, 23, 59), RESOLVED),  # Sunday before: the week before the window
        ("faq", datetime(2026, 11, 16, 0, 0), RESOLVED),  # the Monday after
    ]
    for n, (target_type, when, outcome) in enumerate(plan):
        add_row(target_type, 1, n, outcome, when)
    add_row("thread", 1, 99, RESOLVED, datetime(2026, 11, 3), is_asker=True)
    db.session.commit()


def test_outcome_rates_over_a_range(two_weeks):
    faq = feedback.outcome_rates(datetime(2026, 11, 2), datetime(2026, 11, 16), "faq")
    assert (faq.resolved, faq.helpful, faq.not_helpful, faq.total) == (2, 2, 2, 6)
    assert faq.self_resolution_rate == pytest.approx(2 / 6)
    assert faq.helpfulness_rate == pytest.approx(4 / 6)
    threads = feedback.outcome_rates(datetime(2026, 11, 2), datetime(2026, 11, 16), "thread")
    assert (threads.resolved, threads.not_helpful, threads.total) == (1, 3, 4)
    assert threads.self_resolution_rate == pytest.approx(0.25)
    assert threads.helpfulness_rate == pytest.approx(0.25)
    assert (threads.asker_resolved, threads.asker_total) == (1, 1)
    both = feedback.outcome_rates(datetime(2026, 11, 2), datetime(2026, 11, 16))
    assert both.total == 10 and both.resolved == 3


def test_weekly_rates_bucket_by_iso_week(two_weeks):
    weeks = feedback.weekly_rates(2, "faq", now=datetime(2026, 11, 15, 18, 0))  # a Sunday
    assert [week for week, _ in weeks] == [date(2026, 11, 2), date(2026, 11, 9)]
    first, second = weeks[0][1], weeks[1][1]
    assert (first.resolved, first.helpful, first.not_helpful) == (2, 1, 1)
    assert first.self_resolution_rate == pytest.approx(0.5)
    assert first.helpfulness_rate == pytest.approx(0.75)
    assert (second.resolved, second.helpful, second.not_helpful) == (0, 1, 1)
    assert second.self_resolution_rate == 0.0
    assert second.helpfulness_rate == pytest.approx(0.5)
    threads = feedback.weekly_rates(2, "thread", now=datetime(2026, 11, 9, 0, 0))  # a Monday
    assert [(week, rates.total, rates.asker_total) for week, rates in threads] == [
        (date(2026, 11, 2), 1, 1), (date(2026, 11, 9), 3, 0)]
    total = feedback.totals(threads)
    assert (total.resolved, total.not_helpful, total.asker_resolved) == (1, 3, 1)


def test_a_week_without_feedback_has_no_rate(two_weeks):
    [(week, rates)] = feedback.weekly_rates(1, "faq", now=datetime(2026, 12, 2))
    assert week == date(2026, 11, 30)
    assert rates.total == 0
    assert rates.self_resolution_rate is None and rates.helpfulness_rate is None
