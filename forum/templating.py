"""Jinja filters and globals: relative times, compact numbers, permissions."""
from datetime import datetime

from flask import Flask, request, url_for
from flask_babel import format_date, format_datetime, format_decimal, format_timedelta, get_locale

from . import permissions
from .models import utcnow


def time_ago(value: datetime | None) -> str:
    if value is None:
        return ""
    return format_timedelta(value - utcnow(), add_direction=True, threshold=1.1)


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


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        time_ago=time_ago, compact=compact_number, iso=iso,
        datetime=lambda value, fmt="medium": format_datetime(value, fmt) if value else "",
        decimal=format_decimal, date_format=lambda value, fmt="medium": format_date(value, fmt) if value else "",
    )
    app.jinja_env.globals.update(
        permissions=permissions, url_with=url_with, current_path=current_path,
        current_locale=lambda: str(get_locale() or "en"),
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
