"""URL rules shared by every blueprint: ids and page numbers the database can actually hold."""
import re

from flask import Flask
from werkzeug.routing import IntegerConverter

# Primary keys are INTEGER: 4 bytes on PostgreSQL, so no row anywhere has a larger id (SQLite would take up
# to 2^63 - 1, but both databases must answer alike). A larger id in a URL is a 404 before any query runs.
MAX_ID = 2**31 - 1
# Far beyond any real list, and small enough that page × page size stays a valid SQL OFFSET.
MAX_PAGE = 1_000_000
_DIGITS = re.compile(r"[0-9]{1,20}")


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` that only matches ids a row can have, so `/questions/9223372036854775808` is a plain 404."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_ID if max is None else max, signed=signed)


def parse_page(raw: str | None) -> int | None:
    """The page a `?page=` value asks for: 1 when absent or not a number, None when it is beyond any page."""
    raw = (raw or "").strip()
    if not _DIGITS.fullmatch(raw):
        return None if raw.isdigit() else 1  # 21+ ASCII digits, or other scripts' digits: nothing to show
    page = int(raw)
    return None if page > MAX_PAGE else max(page, 1)


def init_app(app: Flask) -> None:
    # Before any blueprint is registered: rules compile their converters when they are added.
    app.url_map.converters["int"] = BoundedIntegerConverter
