"""Jinja filters and globals: relative times, compact numbers, permissions.

Pages show dozens of times and counts, so the filters here avoid Babel's pattern formatting per call.
"""
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from types import SimpleNamespace

from flask import Flask, current_app, g, request, url_for
from babel.dates import format_timedelta
from flask_babel import force_locale, format_date, format_decimal, get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from . import permissions
from .i18n import LANGUAGE_NAMES, language_offer
from .models import utcnow
from .services.reputation import privileges
from .services.community import submissions
from .services.outreach import mail
from .services.site_settings import site_time
from .services.people.names import display_name

# Babel's own steps for "3 hours ago": the largest unit the delta reaches (with a 1.1 threshold), rounded.
_UNITS = (("year", 31_536_000), ("month", 2_592_000), ("week", 604_800), ("day", 86_400), ("hour", 3_600),
          ("minute", 60), ("second", 1))
_THRESHOLD = 1.1
# Newer than this reads "just now". So does a time ahead of our clock: posts are stamped by whichever worker (or
# database) saved them, a little skew is normal, and a past event must never read "in 2 seconds".
JUST_NOW_SECONDS = 10


def time_ago(value: datetime | None, now: datetime | None = None, locale: str | None = None) -> str:
    """'3 hours ago' in the reader's language; 'just now' for the last few seconds and for any future time."""
    if value is None:
        return ""
    elapsed = ((now or utcnow()) - value).total_seconds()
    if elapsed < JUST_NOW_SECONDS:
        return _just_now(locale)
    for _unit, unit_seconds in _UNITS:  # "second" always matches: elapsed >= 10 > 1.1
        if elapsed / unit_seconds >= _THRESHOLD:
            break
    rounded = max(1, round(elapsed / unit_seconds)) * unit_seconds
    return _formatted_delta(-rounded, locale or str(get_locale() or "en"))


def _just_now(locale: str | None) -> str:
    if locale is None or locale == str(get_locale() or "en"):
        return _("just now")
    with force_locale(locale):
        return _("just now")


@lru_cache(maxsize=2048)
def _formatted_delta(seconds: int, locale: str) -> str:
    return format_timedelta(timedelta(seconds=seconds), add_direction=True, threshold=_THRESHOLD, locale=locale)


def local_datetime(value: datetime | None, zone=None) -> str:
    """'2026-11-22 20:05 JST': the absolute time in the reader's zone, for tooltips."""
    if value is None:
        return ""
    if zone is None:
        zone = g.get("_tz")
        if zone is None:
            zone = g._tz = get_timezone()
    local = value.replace(tzinfo=timezone.utc).astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M %Z")


class Stamp:
    """A time shown as <time datetime=iso title=absolute>relative</time>, formatted in Python."""

    __slots__ = ("iso", "title", "ago")

    def __init__(self, value: datetime, now: datetime, locale: str, zone):
        self.iso = iso(value)
        self.title = local_datetime(value, zone)
        self.ago = time_ago(value, now, locale)


class StampMaker:
    """Formats many times for one page with a single look-up of the reader's locale and time zone."""

    def __init__(self):
        self.now, self.locale, self.zone = utcnow(), str(get_locale() or "en"), get_timezone()

    def __call__(self, value: datetime | None) -> Stamp | None:
        return Stamp(value, self.now, self.locale, self.zone) if value is not None else None


def compact_number(value: int) -> str:
    """1234 -> 1.2k, as Q&A sites show large counts."""
    if value < 1000:
        return str(value)
    if value < 1_000_000:
        return f"{value / 1000:.1f}k".replace(".0k", "k")
    return f"{value / 1_000_000:.1f}m".replace(".0m", "m")


def iso(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") + "Z" if value else ""


def url_with(**changes) -> str:
    """The current page's URL with some query arguments replaced (pagination, tabs)."""
    args = request.args.to_dict()
    args.update({key: value for key, value in changes.items() if value is not None})
    for key in [key for key, value in changes.items() if value is None]:
        args.pop(key, None)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def current_path() -> str:
    return request.full_path.rstrip("?")


def has_privilege(key: str) -> bool:
    return privileges.has_privilege(current_user, key, current_app.config["PRIVILEGES"])


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        time_ago=time_ago, compact=compact_number, iso=iso, datetime=local_datetime, site_time=site_time,
        decimal=format_decimal, date_format=lambda value, fmt="medium": format_date(value, fmt) if value else "",
    )
    # current_user as a global (not only a context variable), so macros imported without context see it
    # and Jinja can cache the imported macro modules.
    app.jinja_env.globals.update(
        permissions=permissions, url_with=url_with, current_path=current_path, current_user=current_user,
        current_locale=lambda: str(get_locale() or "en"), has_privilege=has_privilege,
        privilege_thresholds=lambda: app.config["PRIVILEGES"],
        submission_token=submissions.new_token,  # hand-written posting forms (comments) carry one too
        display_name=display_name, mail_enabled=mail.enabled, language_offer=language_offer,
        language_names=LANGUAGE_NAMES,
        # A page's dict of translated labels, read as attributes: Jinja tries getattr before the key, so `t.share`
        # on a dict raises and catches an AttributeError each time (hundreds of reads on a thread page).
        label_set=lambda labels: SimpleNamespace(**labels),
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
