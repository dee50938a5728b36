"""Support hours as plain values: when staff are on duty, and how much of a time span fell inside those hours.

Pure functions (no database, no Flask request): `SupportHours` is what forum/services/site_settings.py stores as
JSON. Times are wall-clock times in the support team's IANA time zone, so DST changes move them with the
clock, as people expect ("9:00 in New York" is 14:00 UTC in winter and 13:00 UTC in summer).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import get_day_names
from flask_babel import gettext as _

from .errors import Invalid

WEEKDAYS = (0, 1, 2, 3, 4)  # Monday..Friday, as date.weekday() counts
EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_MAX_SPAN_DAYS = 400  # longer spans are only ever asked for by mistake; keep the loop bounded
NOTE_MAX = 500


@dataclass(frozen=True)
class SupportHours:
    timezone: str = "Asia/Tokyo"
    days: tuple[int, ...] = WEEKDAYS
    start: str = "09:00"
    end: str = "18:00"
    holidays: tuple[str, ...] = field(default_factory=tuple)  # ISO dates, in the support team's zone
    # A note shown with the hours ("Closed for New Year; urgent: call ..."), in Japanese and in English.
    note_ja: str = ""
    note_en: str = ""

    def note(self, locale: str) -> str:
        """The note in the reader's UI language, else the other one."""
        return (self.note_ja or self.note_en) if locale == "ja" else (self.note_en or self.note_ja)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def start_time(self) -> time:
        return parse_time(self.start)

    @property
    def end_time(self) -> time:
        return parse_time(self.end)

    def to_json(self) -> dict:
        return {"timezone": self.timezone, "days": list(self.days), "start": self.start, "end": self.end,
                "holidays": list(self.holidays), "note_ja": self.note_ja, "note_en": self.note_en}

    @classmethod
    def from_json(cls, data: dict) -> "SupportHours":
        return validate(data.get("timezone", "Asia/Tokyo"), data.get("days", WEEKDAYS), data.get("start", "09:00"),
                        data.get("end", "18:00"), data.get("holidays", ()), data.get("note_ja", ""),
                        data.get("note_en", ""))


def parse_time(text: str) -> time:
    match = _TIME.match((text or "").strip())
    if not match:
        raise Invalid(_("Enter a time as HH:MM, for example 09:00."))
    return time(int(match.group(1)), int(match.group(2)))


def validate(tz: str, days, start: str, end: str, holidays=(), note_ja: str = "", note_en: str = "") -> SupportHours:
    """Check and normalise the fields an admin typed; raises Invalid with the field it concerns."""
    tz = (tz or "").strip()
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise Invalid(_("Unknown time zone %(zone)s: use an IANA name such as Asia/Tokyo.", zone=tz or "-"),
                      field="timezone") from None
    try:
        day_list = tuple(sorted({int(day) for day in days}))
    except (TypeError, ValueError):
        raise Invalid(_("Choose days of the week."), field="days") from None
    if any(day not in EVERY_DAY for day in day_list):
        raise Invalid(_("Choose days of the week."), field="days")
    opening, closing = _time_field(start, "start"), _time_field(end, "end")
    if closing <= opening:
        raise Invalid(_("The end of the day must be after its start."), field="end")
    return SupportHours(timezone=tz, days=day_list, start=opening.strftime("%H:%M"), end=closing.strftime("%H:%M"),
                        holidays=_holidays(holidays), note_ja=_note(note_ja, "note_ja"), note_en=_note(note_en, "note_en"))


def _note(text: str | None, name: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > NOTE_MAX:
        raise Invalid(_("A note can be at most %(max)d characters.", max=NOTE_MAX), field=name)
    return text


def _time_field(text: str, name: str) -> time:
    try:
        return parse_time(text)
    except Invalid as error:
        raise Invalid(error.message, field=name) from None


def _holidays(values) -> tuple[str, ...]:
    if isinstance(values, str):
        values = values.replace(",", " ").split()
    result = set()
    for value in values or ():
        try:
            result.add(date.fromisoformat(str(value).strip()).isoformat())
        except ValueError:
            raise Invalid(_("Write holidays as dates like 2026-12-31, one per line."), field="holidays") from None
    return tuple(sorted(result))


def _as_utc(moment: datetime) -> datetime:
    """Naive datetimes are UTC (that is how the database stores them)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _window(day: date, hours: SupportHours) -> tuple[datetime, datetime] | None:
    """That local day's open hours in UTC, or None when staff are off."""
    if day.weekday() not in hours.days or day.isoformat() in hours.holidays:
        return None
    zone = hours.zone
    opening = datetime.combine(day, hours.start_time, tzinfo=zone).astimezone(timezone.utc)
    closing = datetime.combine(day, hours.end_time, tzinfo=zone).astimezone(timezone.utc)
    return opening, closing


def business_seconds_between(start_utc: datetime, end_utc: datetime, hours: SupportHours) -> float:
    """Seconds between two instants that fall inside support hours (0 when end is not after start)."""
    start, end = _as_utc(start_utc), _as_utc(end_utc)
    if end <= start:
        return 0.0
    zone = hours.zone
    first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    if (last - first).days > _MAX_SPAN_DAYS:
        first = last - timedelta(days=_MAX_SPAN_DAYS)
    total = 0.0
    day = first
    while day <= last:
        window = _window(day, hours)
        if window is not None:
            overlap = (min(end, window[1]) - max(start, window[0])).total_seconds()
            total += max(overlap, 0.0)
        day += timedelta(days=1)
    return total


def is_open(now: datetime, hours: SupportHours) -> bool:
    """Whether staff are on duty at `now`."""
    window = _window(_as_utc(now).astimezone(hours.zone).date(), hours)
    return window is not None and window[0] <= _as_utc(now) < window[1]


def zone_abbreviation(hours: SupportHours, now: datetime | None = None) -> str:
    """"JST", "EDT"... as zoneinfo names the zone at `now` (or the IANA name when it only has an offset)."""
    name = _as_utc(now or datetime.now(timezone.utc)).astimezone(hours.zone).tzname() or hours.timezone
    return hours.timezone if name[:1] in "+-" else name


def local_time(moment: datetime, hours: SupportHours) -> str:
    """'2026-12-14 18:00 JST': an instant as the support team's clock reads it, with the zone named."""
    local = _as_utc(moment).astimezone(hours.zone)
    return f"{local:%Y-%m-%d %H:%M} {zone_abbreviation(hours, moment)}"


def _clock(value: time) -> str:
    return f"{value.hour}:{value.minute:02d}"


def day_names(locale: str) -> dict[int, str]:
    return dict(get_day_names("wide", locale=locale or "en"))


def days_phrase(hours: SupportHours, locale: str) -> str:
    if hours.days == WEEKDAYS:
        return _("on weekdays")
    if hours.days == EVERY_DAY:
        return _("every day")
    names = get_day_names("abbreviated", locale=locale or "en")
    return _("on %(days)s", days=", ".join(names[day] for day in hours.days))


def summary(hours: SupportHours, locale: str = "en", now: datetime | None = None) -> str:
    """One sentence for the ask page, e.g. "Staff answer on weekdays 9:00-18:00 JST; the community answers any time."."""
    if not hours.days:
        return _("The community answers any time.")
    return _("Staff answer %(days)s %(start)s-%(end)s %(zone)s; the community answers any time.",
             days=days_phrase(hours, locale), start=_clock(hours.start_time), end=_clock(hours.end_time),
             zone=zone_abbreviation(hours, now))


def weekly_table(hours: SupportHours, locale: str = "en") -> list[tuple[str, str | None]]:
    """(day name, "9:00-18:00" or None when closed), Monday first."""
    names = day_names(locale)
    span = f"{_clock(hours.start_time)}-{_clock(hours.end_time)}"
    return [(names[day], span if day in hours.days else None) for day in EVERY_DAY]


def upcoming_holidays(hours: SupportHours, today: date) -> list[date]:
    return [date.fromisoformat(value) for value in hours.holidays if date.fromisoformat(value) >= today]
