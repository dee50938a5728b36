"""Dashboard figures on a hand-made community whose answers are known in advance."""
from datetime import date, datetime, timedelta

import pytest

from forum.extensions import db
from forum.models import Feedback, FeedbackTarget, Outcome, Reason, ReputationEvent
from forum.services.insights import dashboard
from forum.services.errors import Invalid
from tests.factories import make_answer, make_question, make_user

NOW = datetime(2026, 3, 20, 12, 0)
PERIOD = dashboard.between(date(2026, 3, 1), date(2026, 3, 14))  # previous period: 15-28 February


def at(day: int, hour: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour)


def asked(when: datetime, tags: str, author=None):
    question = make_question(author=author, tags=tags, commit=False)
    question.created_at = when
    return question


def answered(question, when: datetime, author=None):
    answer = make_answer(question, author=author, commit=False)
    answer.created_at = when
    return answer


def gain(user, amount: int, when: datetime, reversed_at: datetime | None = None):
    db.session.add(ReputationEvent(user_id=user.id, amount=amount, base_amount=amount, reason=Reason.ANSWER_UPVOTED,
                                   created_at=when, reversed_at=reversed_at))


@pytest.fixture
def community(app):
    """Four questions in the period: first answered by others after 1 h, 3 h, 30 h, and never.

    Noise that must not count: the asker answering themself, a deleted answer, a deleted question, questions
    of the previous period, a closed question and reputation gained outside the period or reversed.
    """
    asker, bea, cho, dai, eve = (make_user(username=name, commit=False)
                                 for name in ("asker", "bea", "cho", "dai", "eve"))
    q1 = asked(at(2, 10), "sync windows", asker)
    answered(q1, at(2, 10) + timedelta(minutes=30), asker)  # the asker's own answer is not a response
    accepted = answered(q1, at(2, 11), bea)
    q1.accepted_answer_id = accepted.id
    q2 = asked(at(2, 15), "sync", asker)
    answered(q2, at(2, 18), bea)
    answered(q2, at(2, 15) + timedelta(minutes=15), eve).deleted_at = at(2, 16)  # deleted: not a response
    q3 = asked(at(5, 9), "billing")
    answered(q3, at(6, 15), cho)  # 30 hours later
    q4 = asked(at(10, 8), "sync")  # never answered
    gone = asked(at(3, 9), "sync")
    gone.deleted_at = at(3, 10)
    before = asked(at(20, 9, month=2), "billing")
    answered(before, at(20, 11, month=2), bea)
    answered(before, at(4, 12), dai)  # an answer in the period to an older question
    waiting_before = asked(at(18, 9, month=2), "billing")
    closed = asked(at(25, 9, month=2), "billing")
    closed.closed_at = at(25, 10, month=2)
    gain(bea, 15, at(2, 12))
    gain(bea, 10, at(6, 12))
    gain(bea, 100, at(20, 12, month=2))  # before the period
    gain(cho, 10, at(7, 12))
    gain(cho, 50, at(7, 13), reversed_at=at(8, 0))  # reversed: not gained
    for n, outcome in enumerate([Outcome.RESOLVED, Outcome.RESOLVED, Outcome.HELPFUL, Outcome.NOT_HELPFUL]):
        db.session.add(Feedback(target_type=FeedbackTarget.THREAD, target_id=q1.id, visitor_key=f"anon:{n}",
                                outcome=outcome, created_at=at(3, 12)))
    db.session.commit()
    return {"q1": q1, "q2": q2, "q3": q3, "q4": q4, "waiting_before": waiting_before, "asker": asker, "bea": bea,
            "cho": cho, "dai": dai}


def test_questions_per_day_lists_every_day_with_zeros(community):
    per_day = dashboard.questions_per_day(PERIOD)
    assert len(per_day) == 14
    assert per_day[0] == (date(2026, 3, 1), 0)
    counts = {day: n for day, n in per_day if n}
    assert counts == {date(2026, 3, 2): 2, date(2026, 3, 5): 1, date(2026, 3, 10): 1}  # not the deleted one of 3 March


def test_response_figures_match_the_hand_made_set(community):
    stats = dashboard.response_stats(dashboard.responses(PERIOD), now=NOW)
    assert stats.questions == 4
    assert stats.answered == 3 and stats.unanswered == 1
    assert stats.median_first_answer == timedelta(hours=3)  # of 1 h, 3 h and 30 h
    assert stats.within_window == 2 and stats.within_window_rate == 0.5
    assert stats.accepted == 1 and stats.accepted_rate == 0.25


def test_a_young_unanswered_question_is_not_yet_counted_as_missed():
    rows = [dashboard.Response(NOW - timedelta(hours=2), None, False),
            dashboard.Response(NOW - timedelta(hours=50), NOW - timedelta(hours=49), False),
            dashboard.Response(NOW - timedelta(hours=50), None, False)]
    stats = dashboard.response_stats(rows, now=NOW)
    assert (stats.questions, stats.too_recent, stats.decided, stats.within_window) == (3, 1, 2, 1)
    assert stats.within_window_rate == 0.5
    assert stats.median_first_answer == timedelta(hours=1)


def test_no_questions_means_no_rates():
    stats = dashboard.response_stats([], now=NOW)
    assert stats.within_window_rate is None and stats.accepted_rate is None and stats.median_first_answer is None


def test_weekly_shares_group_by_monday(community):
    weeks = dashboard.weekly_response(dashboard.responses(PERIOD), PERIOD, now=NOW)
    # 1 March 2026 is a Sunday: its week starts on 23 February; 14 March is in the week of 9 March
    assert [w.week for w in weeks] == [date(2026, 2, 23), date(2026, 3, 2), date(2026, 3, 9)]
    assert [w.stats.questions for w in weeks] == [0, 3, 1]
    assert weeks[0].stats.within_window_rate is None
    assert weeks[1].stats.within_window == 2 and weeks[1].stats.within_window_rate == pytest.approx(2 / 3)
    assert weeks[2].stats.within_window == 0


def test_unanswered_queue_is_oldest_first_without_closed_or_deleted(community):
    queue, total = dashboard.unanswered_queue(now=NOW)
    assert [w.id for w in queue] == [community["waiting_before"].id, community["q4"].id]
    assert total == 2
    assert queue[1].waited == NOW - at(10, 8)
    assert queue[1].author == community["q4"].author.username
    short, total = dashboard.unanswered_queue(limit=1, now=NOW)
    assert len(short) == 1 and total == 2


def test_top_contributors_by_reputation_gained_then_answers(community):
    top = dashboard.top_contributors(PERIOD)
    assert [(c.username, c.reputation_gained, c.answers) for c in top] == [
        ("bea", 25, 2), ("cho", 10, 1), ("asker", 0, 1), ("dai", 0, 1),
    ]


def test_tags_on_the_rise_against_the_previous_period(community):
    rising = dashboard.rising_tags(PERIOD)
    assert [(t.name, t.current, t.previous, t.change) for t in rising] == [("sync", 3, 0, 3), ("windows", 1, 0, 1)]


def test_outcome_rates_come_from_feedback_in_the_period(community):
    board = dashboard.build_dashboard(PERIOD, now=NOW)
    assert board.outcomes is not None
    assert board.outcomes.total == 4
    assert board.outcomes.self_resolution_rate == 0.5
    assert board.outcomes.helpfulness_rate == 0.75
    empty = dashboard.build_dashboard(dashboard.between(date(2025, 1, 1), date(2025, 1, 7)), now=NOW)
    assert empty.outcomes.self_resolution_rate is None


@pytest.mark.parametrize("args, first, last, preset", [
    ({}, date(2026, 2, 19), date(2026, 3, 20), 30),
    ({"days": "7"}, date(2026, 3, 14), date(2026, 3, 20), 7),
    ({"start": "2026-01-05", "end": "2026-01-05"}, date(2026, 1, 5), date(2026, 1, 5), None),
    ({"start": "2026-01-05", "end": "2026-02-04", "days": "7"}, date(2026, 1, 5), date(2026, 2, 4), None),
])
def test_period_parsing(args, first, last, preset):
    period = dashboard.parse_period(args, now=NOW)
    assert (period.first_day, period.last_day, period.preset_days) == (first, last, preset)
    assert period.days == (last - first).days + 1
    assert period.previous().end == period.start and period.previous().days == period.days


@pytest.mark.parametrize("args, message", [
    ({"days": "12"}, "7, 30, 90 or 365"),
    ({"days": "abc"}, "7, 30, 90 or 365"),
    ({"start": "2026-13-01", "end": "2026-02-01"}, "2026-13-01"),
    ({"start": "yesterday"}, "yesterday"),
    ({"start": "9999-12-31", "end": "9999-12-31"}, "9999-12-31"),
    ({"start": "0001-01-01", "end": "0001-01-02"}, "0001-01-01"),
    ({"end": "2026-02-30"}, "The end date “2026-02-30”"),
    ({"start": "2026-03-02", "end": "2026-03-01"}, "must not be after"),
    ({"start": "2020-01-01", "end": "2026-01-01"}, "at most"),
])
def test_bad_periods_are_refused_with_a_message(app, args, message):
    with pytest.raises(Invalid) as error:
        dashboard.parse_period(args, now=NOW)
    assert message in str(error.value.message)


def test_all_time_when_lists_allow_it():
    assert dashboard.parse_period({}, now=NOW, default_days=None) is None


def test_query_args_choose_the_same_period_again():
    for period in (dashboard.last_days(90, NOW), PERIOD):
        again = dashboard.parse_period({k: str(v) for k, v in period.query_args().items()}, now=NOW)
        assert (again.start, again.end) == (period.start, period.end)


def test_a_period_in_tokyo_runs_from_local_midnight_to_local_midnight():
    period = dashboard.between(date(2026, 3, 2), date(2026, 3, 8), "Asia/Tokyo")
    assert period.start == datetime(2026, 3, 1, 15, 0) and period.end == datetime(2026, 3, 8, 15, 0)
    assert period.days == 7 and period.first_day == date(2026, 3, 2) and period.last_day == date(2026, 3, 8)
    assert period.previous().first_day == date(2026, 2, 23) and period.previous().end == period.start
    today = dashboard.last_days(7, now=datetime(2026, 3, 8, 16, 0), zone="Asia/Tokyo")  # Mon 01:00 in Tokyo
    assert today.last_day == date(2026, 3, 9) and today.days == 7


def test_a_period_across_a_daylight_saving_change_keeps_whole_local_days():
    period = dashboard.between(date(2026, 3, 7), date(2026, 3, 9), "America/New_York")  # DST starts on the 8th
    assert period.days == 3 and period.end - period.start == timedelta(hours=71)
