"""Business-hours arithmetic with answers worked out by hand (Tokyo has no DST; New York changes clocks)."""
from datetime import datetime, timezone

import pytest

from forum.services import business_hours as bh
from forum.services.business_hours import SupportHours
from forum.services.errors import Invalid

TOKYO = SupportHours()  # Mon-Fri 09:00-18:00 Asia/Tokyo
NEW_YORK = SupportHours(timezone="America/New_York")
HOUR = 3600


def utc(*args) -> datetime:
    return datetime(*args)  # naive UTC, as the database stores it


def test_one_full_day_in_tokyo():
    # Monday 2026-11-23 09:00 JST is 00:00 UTC; 18:00 JST is 09:00 UTC.
    assert bh.business_seconds_between(utc(2026, 11, 22, 12), utc(2026, 11, 23, 12), TOKYO) == 9 * HOUR


def test_span_over_a_weekend_counts_friday_evening_and_monday_morning():
    # Friday 17:00 JST (08:00 UTC) to Monday 10:00 JST (01:00 UTC): one hour each side of the weekend.
    assert bh.business_seconds_between(utc(2026, 11, 27, 8), utc(2026, 11, 30, 1), TOKYO) == 2 * HOUR


def test_weekend_and_reversed_spans_count_nothing():
    assert bh.business_seconds_between(utc(2026, 11, 28, 0), utc(2026, 11, 29, 23), TOKYO) == 0
    assert bh.business_seconds_between(utc(2026, 11, 30, 5), utc(2026, 11, 30, 1), TOKYO) == 0


def test_aware_datetimes_are_converted():
    start = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)  # 18:00 JST: closing time
    assert bh.business_seconds_between(start.replace(hour=0), start, TOKYO) == 9 * HOUR


def test_holidays_are_closed():
    hours = SupportHours(holidays=("2026-11-23",))
    assert bh.business_seconds_between(utc(2026, 11, 22, 12), utc(2026, 11, 23, 12), hours) == 0
    assert not bh.is_open(utc(2026, 11, 23, 3), hours)
    assert bh.is_open(utc(2026, 11, 24, 3), hours)


def test_new_york_across_the_autumn_dst_change():
    # Friday 2026-10-30 09:00 EDT = 13:00 UTC, closes 22:00 UTC; clocks go back on Sunday 2026-11-01;
    # Monday 2026-11-02 09:00 EST = 14:00 UTC. From Fri 12:00 UTC to Mon 15:00 UTC: 9 h + 1 h.
    assert bh.business_seconds_between(utc(2026, 10, 30, 12), utc(2026, 11, 2, 15), NEW_YORK) == 10 * HOUR
    assert bh.is_open(utc(2026, 10, 30, 13, 30), NEW_YORK)  # 09:30 EDT
    assert not bh.is_open(utc(2026, 11, 2, 13, 30), NEW_YORK)  # 08:30 EST
    assert bh.is_open(utc(2026, 11, 2, 14, 30), NEW_YORK)  # 09:30 EST


def test_new_york_across_the_spring_dst_change():
    # Clocks go forward on Sunday 2026-03-08: Monday 09:00 EDT is 13:00 UTC, 18:00 EDT is 22:00 UTC.
    assert bh.business_seconds_between(utc(2026, 3, 9, 12), utc(2026, 3, 9, 23), NEW_YORK) == 9 * HOUR
    # Friday before: 09:00 EST = 14:00 UTC. Friday 14:00 UTC to Monday 14:00 UTC = 9 h + 1 h.
    assert bh.business_seconds_between(utc(2026, 3, 6, 14), utc(2026, 3, 9, 14), NEW_YORK) == 10 * HOUR


def test_is_open_at_the_edges():
    assert bh.is_open(utc(2026, 11, 23, 0), TOKYO)  # 09:00 JST opens
    assert not bh.is_open(utc(2026, 11, 23, 9), TOKYO)  # 18:00 JST closed
    assert not bh.is_open(utc(2026, 11, 28, 3), TOKYO)  # Saturday


def test_summary_names_days_times_and_zone(app):
    assert bh.summary(TOKYO, "en") == "Staff answer on weekdays 9:00-18:00 JST; the community answers any time."
    assert "EST" in bh.summary(NEW_YORK, "en", now=utc(2026, 1, 5, 12))
    assert "EDT" in bh.summary(NEW_YORK, "en", now=utc(2026, 7, 6, 12))
    weekend = SupportHours(days=(5, 6), start="10:00", end="16:30")
    assert bh.summary(weekend, "en") == "Staff answer on Sat, Sun 10:00-16:30 JST; the community answers any time."
    assert bh.summary(SupportHours(days=()), "en") == "The community answers any time."


def test_weekly_table(app):
    table = bh.weekly_table(TOKYO, "en")
    assert table[0] == ("Monday", "9:00-18:00")
    assert table[6] == ("Sunday", None)


@pytest.mark.parametrize("kwargs, field", [
    ({"tz": "Mars/Olympus"}, "timezone"),
    ({"tz": ""}, "timezone"),
    ({"start": "25:00"}, "start"),
    ({"end": "nine"}, "end"),
    ({"start": "18:00", "end": "09:00"}, "end"),
    ({"days": [7]}, "days"),
    ({"holidays": "2026-13-01"}, "holidays"),
])
def test_validate_rejects_bad_input_with_its_field(app, kwargs, field):
    values = {"tz": "Asia/Tokyo", "days": [0, 1], "start": "09:00", "end": "18:00", "holidays": ""} | kwargs
    with pytest.raises(Invalid) as raised:
        bh.validate(values["tz"], values["days"], values["start"], values["end"], values["holidays"])
    assert raised.value.field == field


def test_validate_normalises(app):
    hours = bh.validate(" America/New_York ", ["4", "0"], "9:05", "17:30", "2026-12-31\n2026-12-24, 2026-12-31")
    assert hours == SupportHours("America/New_York", (0, 4), "09:05", "17:30", ("2026-12-24", "2026-12-31"))
