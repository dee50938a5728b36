"""Relative times: a past event never reads as a future one, whatever the skew between clocks."""
from datetime import datetime, timedelta

import pytest
from flask_babel import force_locale

from forum.templating import Stamp, time_ago

NOW = datetime(2026, 12, 7, 5, 0, 0)


@pytest.mark.parametrize("locale, just_now", [("en", "just now"), ("ja", "たった今")])
@pytest.mark.parametrize("offset", [0, 0.4, 3, 90, -0.5, -9])  # seconds ahead of (+) or behind (-) our clock
def test_the_last_seconds_and_clock_skew_read_just_now(app, locale, just_now, offset):
    with force_locale(locale):
        assert time_ago(NOW + timedelta(seconds=offset), NOW) == just_now


@pytest.mark.parametrize("locale", ["en", "ja"])
def test_a_locale_other_than_the_request_one(app, locale):
    expected = {"en": "just now", "ja": "たった今"}[locale]
    with force_locale("en" if locale == "ja" else "ja"):
        assert time_ago(NOW, NOW, locale=locale) == expected


@pytest.mark.parametrize("locale, seconds, expected", [
    ("en", 10, "10 seconds ago"), ("en", 45, "45 seconds ago"), ("en", 90, "2 minutes ago"),
    ("en", 3 * 3600, "3 hours ago"), ("ja", 10, "10 秒前"), ("ja", 3 * 86400, "3 日前"),
])
def test_older_times_read_ago(app, locale, seconds, expected):
    with force_locale(locale):
        assert time_ago(NOW - timedelta(seconds=seconds), NOW) == expected


def test_the_question_page_stamps_agree(app):
    with force_locale("ja"):
        stamp = Stamp(NOW + timedelta(seconds=2), NOW, "ja", None)
    assert stamp.ago == "たった今"
    assert "後" not in stamp.ago and "in " not in stamp.ago
